"""ember: PyTorch's programming model in Python on NumPy (CPU) and CuPy (GPU).

``import ember as torch`` runs ordinary PyTorch code: tensors and autograd,
``nn``, ``optim``, ``utils.data`` and TensorBoard logging.
"""
__version__ = '0.1.0'

import importlib as _importlib

from . import dtypes as _dtypes
from .dtypes import (dtype, bool, uint8, int8, int16, int32, int64, float16, float32, float64, complex64,
                     complex128, half, float, double, short, int, long, cfloat, cdouble, get_default_dtype,
                     set_default_dtype, promote_types, finfo, iinfo)
from .device import device
from .layout import strided
from .size import Size
from .tensor import Tensor, memory_format, contiguous_format, preserve_format, channels_last, channels_last_3d
from . import _tensor_methods
_tensor_methods.bind_all()
from .autograd import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode
from .creation import (tensor, as_tensor, asarray, from_numpy, zeros, ones, empty, full, eye, arange, linspace,
                       logspace, zeros_like, ones_like, empty_like, full_like, scalar_tensor, tril_indices,
                       triu_indices, FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor,
                       CharTensor, ByteTensor, BoolTensor)
from .random import (Generator, manual_seed, seed, initial_seed, get_rng_state, set_rng_state, default_generator,
                     rand, randn, randint, randperm, normal, bernoulli, multinomial, rand_like, randn_like,
                     randint_like)
from ._tensor_str import set_printoptions
from ._functions import *  # noqa: F401,F403  the ops under torch's names
from . import autograd, cuda, accelerator, backend
from .accelerator import backends

if hasattr(_dtypes, 'bfloat16'):
    bfloat16 = _dtypes.bfloat16

_LAZY_SUBMODULES = ('nn', 'optim', 'utils', 'vision', 'serialization', 'drop_in', 'distributed', 'backends')


def __getattr__(name):
    # Submodules load on first use so that `import ember` stays fast.
    if name in _LAZY_SUBMODULES:
        return _importlib.import_module(f'.{name}', __name__)
    if name in ('save', 'load'):
        return getattr(_importlib.import_module('.serialization', __name__), name)
    raise AttributeError(f"module 'ember' has no attribute '{name}'")


def is_tensor(obj):
    """True for ember tensors (and Parameters)."""
    return isinstance(obj, Tensor)


def is_floating_point(input):
    """True for floating-point tensors."""
    return input.is_floating_point()


def is_complex(input):
    """True for complex tensors."""
    return input.is_complex()


def numel(input):
    """Number of elements of ``input``."""
    return input.numel()


def result_type(tensor1, tensor2):
    """The dtype an operation on the two operands produces (torch's promotion rules)."""
    ops = [x._data if isinstance(x, Tensor) else x for x in (tensor1, tensor2)]
    return _dtypes.result_type_arrays(*ops)


def can_cast(from_, to):
    """Whether torch's casting rules allow ``from_`` -> ``to`` in in-place ops."""
    from .ops.inplace import _can_cast
    return _can_cast(from_.np, to.np)


_num_threads = None


def set_num_threads(n):
    """Limit the BLAS threads ember's matrix products use (threadpoolctl, else OpenBLAS's own setter)."""
    global _num_threads
    from ._perf import set_blas_threads
    _num_threads = n
    set_blas_threads(n)


def get_num_threads():
    """The thread count set with set_num_threads, else the number of CPUs."""
    import os
    return _num_threads or os.cpu_count()
