"""The Tensor: one backend array plus the metadata autograd needs.

Arithmetic and the other operations are defined in ``ember/ops`` and bound
to Tensor as methods in ``ember/_tensor_methods.py``; this file holds what
makes a tensor a tensor: storage, dtype/device/shape, autograd fields, and
the Python protocols.
"""
import weakref

import numpy as np

from . import backend, dtypes
from .autograd import engine, function, grad_mode
from .device import device_of
from .layout import strided
from .size import Size

_from_np = dtypes._from_np
_ndarray = np.ndarray


class memory_format:
    """A memory-format tag (``ember.channels_last``...); accepted and ignored: ember tensors are row-major."""
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"ember.{self.name}"


contiguous_format, preserve_format = memory_format('contiguous_format'), memory_format('preserve_format')
channels_last, channels_last_3d = memory_format('channels_last'), memory_format('channels_last_3d')


class Tensor:
    """A multi-dimensional array with autograd, as ``torch.Tensor``.

    ``Tensor(data)`` copies ``data`` into the default dtype (float32);
    ``Tensor(2, 3)`` allocates an uninitialised 2x3 tensor. Prefer
    ``ember.tensor(data)``, which infers the dtype.
    """
    __slots__ = ('_data', '_requires_grad', '_grad', 'grad_fn', '_output_nr', '_version', '_base',
                 '_accumulator', '_hooks', '_retains_grad', '__weakref__', '__dict__')
    __array_priority__ = 1000  # ndarray op Tensor defers to Tensor's reflected operator

    def __init__(self, *args, **kwargs):
        if 'dtype' in kwargs:
            raise TypeError("new() received an invalid combination of arguments - got an unexpected "
                            "keyword argument 'dtype'; use ember.tensor(data, dtype=...) instead")
        from .creation import _legacy_constructor
        data = _legacy_constructor(args, kwargs.get('device'))
        self._init(data)

    def _init(self, data, requires_grad=False, grad_fn=None, output_nr=0, version=None):
        self._data = data
        self._requires_grad = requires_grad
        self._grad = None
        self.grad_fn = grad_fn
        self._output_nr = output_nr
        self._version = [0] if version is None else version
        self._base = None
        self._accumulator = None
        self._hooks = None
        self._retains_grad = False

    @staticmethod
    def _make(data, requires_grad=False, grad_fn=None, output_nr=0, version=None):
        """Wrap a backend array without copying (the hot path of every op)."""
        if type(data) is not _ndarray and not backend.is_cuda_array(data):
            data = np.asarray(data)
        # The same assignments as _init, inlined: this runs once per op result.
        t = object.__new__(Tensor)
        t._data = data
        t._requires_grad = requires_grad
        t._grad = None
        t.grad_fn = grad_fn
        t._output_nr = output_nr
        t._version = [0] if version is None else version
        t._base = t._accumulator = t._hooks = None
        t._retains_grad = False
        return t

    @staticmethod
    def _wrap(data):
        """A constant tensor around a backend array (or NumPy scalar)."""
        return Tensor._make(data)

    # ---- metadata -------------------------------------------------------
    @property
    def dtype(self):
        """The element type, e.g. ``ember.float32``."""
        return _from_np[self._data.dtype]

    @property
    def shape(self):
        """The size of each dimension, an ``ember.Size``."""
        return Size(self._data.shape)

    @property
    def device(self):
        """Where the data lives: ``device(type='cpu')`` or ``device(type='cuda', index=0)``."""
        return device_of(self._data)

    @property
    def is_cuda(self):
        """True for a tensor on a GPU."""
        return backend.is_cuda_array(self._data)

    @property
    def is_cpu(self):
        """True for a tensor in host memory."""
        return not self.is_cuda

    layout = strided
    is_sparse = False
    is_quantized = False
    is_meta = False

    @property
    def ndim(self):
        """Number of dimensions."""
        return self._data.ndim

    def dim(self):
        """Number of dimensions."""
        return self._data.ndim

    ndimension = dim

    def size(self, dim=None):
        """The shape, or the size of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._wrap_dim(dim)]

    def numel(self):
        """Number of elements."""
        return self._data.size

    nelement = numel

    def element_size(self):
        """Bytes per element."""
        return self._data.itemsize

    @property
    def itemsize(self):
        """Bytes per element."""
        return self._data.itemsize

    @property
    def nbytes(self):
        """Bytes taken by the elements (``numel() * itemsize``)."""
        return self._data.size * self._data.itemsize

    def stride(self, dim=None):
        """Steps in elements between neighbours along each dimension."""
        item = self._data.itemsize
        strides = tuple(s // item for s in self._data.strides)
        return strides if dim is None else strides[self._wrap_dim(dim)]

    def storage_offset(self):
        """Elements between the start of the base tensor's memory and this view's first element."""
        if self._base is None:
            return 0
        start = self._data.__array_interface__['data'][0] if not self.is_cuda else self._data.data.ptr
        base = self._base._data
        origin = base.__array_interface__['data'][0] if not self.is_cuda else base.data.ptr
        return (start - origin) // self._data.itemsize

    def data_ptr(self):
        """Address of the first element."""
        return self._data.data.ptr if self.is_cuda else self._data.__array_interface__['data'][0]

    def is_contiguous(self, memory_format=None):
        """True when elements lie in row-major order without gaps."""
        return bool(self._data.flags.c_contiguous)

    def is_floating_point(self):
        """True for float16/bfloat16/float32/float64 tensors."""
        return self.dtype.is_floating_point

    def is_complex(self):
        """True for complex tensors."""
        return self._data.dtype.kind == 'c'

    def is_signed(self):
        """True unless the dtype is unsigned or bool."""
        return self.dtype.is_signed

    def _wrap_dim(self, dim):
        n = max(self._data.ndim, 1)
        if not -n <= dim < n:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
        return dim % n

    # ---- autograd fields ------------------------------------------------
    @property
    def requires_grad(self):
        """Whether operations on this tensor are recorded for autograd."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self.grad_fn is not None and not value:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                               "computed variable in a subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().")
        if value and self._data.dtype.kind not in 'fc' and self._data.dtype.name != 'bfloat16':
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        """Set requires_grad in place and return self."""
        self.requires_grad = requires_grad
        return self

    @property
    def grad(self):
        """The accumulated gradient of a leaf (or a tensor with ``retain_grad()``)."""
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"assigned grad has data of a different size: expected {list(self.shape)}, "
                                   f"got {list(value.shape)}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(f"assigned grad has data of a different type: expected {self.dtype}, got "
                                   f"{value.dtype}")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def is_leaf(self):
        """True for tensors not produced by a recorded operation."""
        return self.grad_fn is None

    @property
    def retains_grad(self):
        """True after ``retain_grad()`` on a non-leaf."""
        return self._retains_grad

    @property
    def _version_count(self):
        return self._version[0]

    def _grad_accumulator(self):
        acc = self._accumulator() if self._accumulator is not None else None
        if acc is None:
            acc = function.AccumulateGrad(self)
            self._accumulator = weakref.ref(acc)
        return acc

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        node = self.grad_fn
        if node._retained is None:
            node._retained = {}
        node._retained[self._output_nr] = weakref.ref(self)
        self._retains_grad = True

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        else:
            node = self.grad_fn
            if node._pre_hooks is None:
                node._pre_hooks = {}
            hooks = node._pre_hooks.setdefault(self._output_nr, [])
        hooks.append(hook)
        return function._RemovableHandle(hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate the gradient of this tensor into the leaves' ``.grad``."""
        engine.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A tensor sharing memory (and version counter) that is cut from the graph."""
        t = Tensor._make(self._data, version=self._version)
        t._base = self._base
        return t

    def detach_(self):
        """Cut this tensor from the graph in place."""
        if self._base is not None and self._base.requires_grad and self.grad_fn is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        """The same memory as a tensor outside autograd: changes through it are not tracked."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, but got {type(value).__name__}")
        self._data = value._data

    # ---- conversion -----------------------------------------------------
    def numpy(self, *, force=False):
        """The data as an ndarray sharing memory (refused while it requires grad, as torch)."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                               "instead.")
        if self.is_cuda:
            if force:
                return backend.to_numpy(self._data)
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() to copy "
                            "the tensor to host memory first.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        # NumPy 2 passes copy=True for np.array(t) and then trusts that the result is a fresh array.
        arr = backend.to_numpy(self._data)
        if dtype is not None and arr.dtype != dtype:
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def item(self):
        """The single value as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self):
        """Nested Python lists of Python numbers."""
        return backend.to_numpy(self._data).tolist()

    def __float__(self):
        return float(self._scalar('float'))

    def __int__(self):
        return int(self._scalar('int'))

    def __complex__(self):
        return complex(self._scalar('complex'))

    def __index__(self):
        if self._data.dtype.kind not in 'iub' or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def _scalar(self, what):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.item()

    def __bool__(self):
        n = self._data.size
        if n != 1:
            raise RuntimeError(f"Boolean value of Tensor with {'no values' if n == 0 else 'more than one value'} "
                               "is ambiguous")
        return bool(self._data.item())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    # Host memory is never pinned and a NumPy array can be shared with worker processes as is.
    def pin_memory(self, device=None):
        """This tensor (ember keeps no page-locked memory)."""
        return self

    def is_pinned(self, device=None):
        """False: ember does not pin host memory."""
        return False

    def share_memory_(self):
        """This tensor (data loader workers receive copies)."""
        return self

    def is_shared(self):
        """False."""
        return False

    def __reversed__(self):
        return self if self._data.ndim == 0 else self.flip(0)

    def __contains__(self, element):
        if not isinstance(element, (Tensor, int, float, bool)):
            raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                               f"{type(element)}.")
        return bool((self == element).any())

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    __hash__ = object.__hash__

    def __reduce_ex__(self, protocol):
        # Plain pickling (multiprocessing, copy) goes through NumPy; ember.save writes torch's format.
        return (_rebuild, (type(self), backend.to_numpy(self._data), str(self.device), self._requires_grad,
                           self.__dict__ or None))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                               "protocol at the moment.  If you were attempting to deepcopy a module, this may be "
                               "because of a torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        new = object.__new__(type(self))
        new._init(self._data.copy(), self._requires_grad)
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        if hasattr(self, '__dict__'):
            import copy
            new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = new
        return new


def _rebuild(cls, array, device, requires_grad, state=None):
    """Inverse of ``Tensor.__reduce_ex__``."""
    from .device import device as _device
    t = object.__new__(cls)
    t._init(backend.to_device_array(array, _device(device)), requires_grad)
    if state:
        t.__dict__.update(state)
    return t


function._Tensor = Tensor
engine._Tensor = Tensor
