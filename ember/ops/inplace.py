"""In-place operations (``add_``, ``mul_``, ``+=``...): compute, then write into the tensor.

Recording follows torch: an in-place op on a leaf that requires grad is an
error (unless grad mode is off); on any other tensor the op is recorded as
if out of place, and the tensor takes the new ``grad_fn``. The version
counter is bumped so that a backward needing the old values raises.
"""
import numpy as np

from .. import backend, dtypes
from ..autograd import grad_mode
from ..tensor import Tensor


def _can_cast(src, dst):
    """torch's in-place rule: no float -> int, no int -> bool, no complex -> real."""
    s, d = dtypes.from_numpy_dtype(src), dtypes.from_numpy_dtype(dst)
    order = lambda t: 3 if t.is_complex else 2 if t.is_floating_point else 0 if t is dtypes.bool else 1
    return order(s) <= order(d)


def write(self, arr, op='in-place operation'):
    """Store ``arr`` into ``self``'s memory (casting, and visible through views) and bump the version."""
    dst = self._data
    if arr.shape != dst.shape:
        if np.broadcast_shapes(arr.shape, dst.shape) != dst.shape:
            raise RuntimeError(f"output with shape {list(dst.shape)} doesn't match the broadcast shape "
                               f"{list(np.broadcast_shapes(arr.shape, dst.shape))}")
    if arr.dtype != dst.dtype and not _can_cast(arr.dtype, dst.dtype):
        raise RuntimeError(f"result type {_pretty(arr.dtype)} can't be cast to the desired output type "
                           f"{_pretty(dst.dtype)}")
    writable(self)[...] = arr
    self._version[0] += 1
    return self


def writable(self):
    """The array to write into; torch refuses writes into expanded (overlapping) memory."""
    if not self._data.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                           "single memory location. Please clone() the tensor before performing the operation.")
    return self._data


def _pretty(np_dtype):
    names = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'int64': 'Long', 'int32': 'Int',
             'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool'}
    return names.get(np.dtype(np_dtype).name, np.dtype(np_dtype).name)


def check_leaf(self):
    """Raise torch's error for an in-place change of a leaf that requires grad."""
    if self._requires_grad and self.grad_fn is None and grad_mode.state.enabled:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")


def apply_inplace(self, compute, *args, **kwargs):
    """Run ``compute(self, *args, **kwargs)`` out of place and write the result into ``self``."""
    record = grad_mode.state.enabled and (self._requires_grad or any(
        isinstance(a, Tensor) and a._requires_grad for a in args))
    if not record:
        with grad_mode.no_grad():
            result = compute(self, *args, **kwargs)
        return write(self, result._data)
    check_leaf(self)
    base = self._base
    if base is not None and base._requires_grad and base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    # The op may save its input for backward; give it a copy of the old values
    # under the old graph identity, since the write below overwrites them.
    old = Tensor._make(self._data.copy(), self._requires_grad, self.grad_fn, self._output_nr)
    result = compute(old, *args, **kwargs)
    write(self, result._data)
    if result._data.dtype != self._data.dtype:
        result = result.to(self.dtype)
    if base is not None:
        _rebase_view(self, base, result)
        return self
    self.grad_fn, self._output_nr = result.grad_fn, result._output_nr
    self._requires_grad = result._requires_grad
    return self


def _view_positions(view, base):
    """For each element of ``view``, its flat index in ``base`` (views share memory with their base)."""
    b, v = base._data, view._data
    if not b.flags.c_contiguous:
        raise RuntimeError("ember records in-place operations on views only when the base tensor is contiguous; "
                           "use the out-of-place form instead")
    item = b.itemsize
    offset = (view.data_ptr() - base.data_ptr()) // item
    xp = backend.get_array_module(b)
    flat = xp.arange(b.size, dtype=np.int64)[offset:]
    strides = tuple(st // item * flat.itemsize for st in v.strides)
    return xp.lib.stride_tricks.as_strided(flat, v.shape, strides)


def _rebase_view(view, base, result):
    """Record an in-place change of ``view`` as a change of its base (torch's CopySlices).

    The base's new value is "old base with ``result`` written at the view's
    positions"; the view then reads its elements back out of that value, so
    gradients flow to the base's history and to whatever ``result`` depends on.
    """
    from .indexing import CopySlices, Index
    xp = backend.get_array_module(base._data)
    key = xp.unravel_index(_view_positions(view, base), base._data.shape)
    old_base = Tensor._make(base._data, base._requires_grad, base.grad_fn, base._output_nr)
    new_base = CopySlices.apply(old_base, result, key=key)
    base.grad_fn, base._output_nr, base._requires_grad = new_base.grad_fn, 0, new_base._requires_grad
    new_view = Index.apply(new_base, key=key)
    view.grad_fn, view._output_nr, view._requires_grad = new_view.grad_fn, 0, new_view._requires_grad


def fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal (all dims equal for >2-D) with ``fill_value`` in place."""
    if self.ndim < 2 or (self.ndim > 2 and len(set(self.shape)) != 1):
        raise RuntimeError("all dimensions of input must be of equal length" if self.ndim > 2 else
                           "dimensions must larger than 1")
    if self.ndim == 2 and (not wrap or self.shape[0] <= self.shape[1] + 1):
        self.diagonal().fill_(fill_value)   # a writable view, whatever the strides
        return self
    if self.ndim > 2:
        n, step = self.shape[0], sum(self.stride())
        self.view(-1)[:n * step:step].fill_(fill_value)
        return self
    # wrap: torch restarts the diagonal every ``cols + 1`` rows of a tall matrix
    flat = self.view(-1)
    flat[::self.shape[1] + 1].fill_(fill_value)
    return self


def _shape_inplace(name, fn):
    def method(self, *args, **kwargs):
        check_leaf(self)
        out = fn(self, *args, **kwargs)
        self._data = out._data
        if out.grad_fn is not None:
            self.grad_fn, self._output_nr = out.grad_fn, out._output_nr
        return self
    method.__name__ = name
    method.__doc__ = f"In-place ``{fn.__name__}``: this tensor takes the new shape (same memory)."
    return method


def shape_methods():
    """The in-place shape methods and ``fill_diagonal_``, bound to Tensor by ``ember/_tensor_methods.py``."""
    from .shape import squeeze, t, transpose, unsqueeze
    return {'squeeze_': _shape_inplace('squeeze_', squeeze), 'unsqueeze_': _shape_inplace('unsqueeze_', unsqueeze),
            't_': _shape_inplace('t_', t), 'transpose_': _shape_inplace('transpose_', transpose),
            'swapaxes_': _shape_inplace('swapaxes_', transpose), 'swapdims_': _shape_inplace('swapdims_', transpose),
            'fill_diagonal_': fill_diagonal_}
