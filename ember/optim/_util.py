"""Small helpers shared by the algorithms: hyperparameter checks, state tensors, array arithmetic.

The updates run on backend arrays in place. These helpers reproduce the few
places where torch's arithmetic is not the obvious NumPy expression (lerp's
two-sided formula, float32 step counters), so trajectories match torch's to
rounding.
"""
import numpy as np

from .. import _perf, dtypes
from ..tensor import Tensor


def value(x):
    """A hyperparameter as a Python number (torch allows 1-element tensors for lr, betas...)."""
    return x.item() if isinstance(x, Tensor) else x


def check_lr(lr):
    """torch's lr checks: a 1-element tensor or a number >= 0."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= value(lr):
        raise ValueError(f"Invalid learning rate: {lr}")


def check_nonnegative(**hyper):
    """Raise torch's ``Invalid <name> value: <v>`` for a negative hyperparameter (eps reads 'epsilon')."""
    for name, v in hyper.items():
        if not 0.0 <= v:
            label = 'epsilon' if name == 'eps' else name
            raise ValueError(f"Invalid {label} value: {v}")


def check_betas(betas):
    """Each beta must lie in [0, 1)."""
    for i in range(2):
        if not 0.0 <= value(betas[i]) < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")


def scalar_state(x=0.0):
    """A 0-d CPU tensor in the default float dtype: how torch stores ``step``, ``mu_product``, ``eta``."""
    return Tensor._wrap(np.array(x, dtype=dtypes.get_default_dtype().np))


def zeros_state(p):
    """A zero buffer shaped and typed like parameter ``p`` (same device)."""
    return Tensor._wrap(_zeros_like(p._data))


def full_state(p, fill):
    """A buffer like ``p`` filled with ``fill``."""
    a = _zeros_like(p._data)
    a[...] = fill
    return Tensor._wrap(a)


def _zeros_like(a):
    from ..backend import get_array_module
    return get_array_module(a).zeros_like(a)


def advance(state):
    """Add one to ``state['step']`` in its own dtype (float32, as torch) and return it as a float."""
    step = state['step']._data
    step += 1
    return float(step)


def real(a):
    """A real view of a complex array (torch's view_as_real), so updates treat re/im independently."""
    if a.dtype.kind == 'c':
        return a.view(a.real.dtype)
    return a


def lerp_(a, b, w):
    """``a.lerp_(b, w)`` with torch's formula: exact at both ends of the weight range."""
    diff = b - a
    if w < 0.5:
        diff *= w
        a += diff
    else:
        diff *= 1 - w
        np.subtract(b, diff, out=a)
    return a


def weight_decayed(grad, param, weight_decay):
    """L2 penalty folded into the gradient: ``g + wd * p`` (a new array, never the stored grad)."""
    return grad + weight_decay * param if weight_decay != 0 else grad


# Below this many elements the ctypes call costs more than NumPy's two passes save.
_AXPY_MIN = 4096


def axpy_(y, alpha, x):
    """``y += alpha * x`` in place on arrays: one fused BLAS pass when possible, else NumPy.

    The BLAS path (contiguous NumPy float32/float64 arrays of one dtype, from
    ``ember._perf.blas_axpy``) rounds once, as torch's ``add_(x, alpha=...)``.
    """
    if (type(y) is np.ndarray and type(x) is np.ndarray and y.size >= _AXPY_MIN and x.dtype == y.dtype
            and x.shape == y.shape and y.flags.c_contiguous and x.flags.c_contiguous and y.flags.writeable):
        fn = _perf.blas_axpy(y.dtype)
        if fn is not None:
            fn(y.size, alpha, x.ctypes.data, y.ctypes.data)
            return y
    if alpha == 1:
        y += x
    else:
        y += alpha * x
    return y
