"""Comparisons, logical and bitwise operations, and value tests (isnan...).

None of these is differentiable: they produce bool or integer tensors, so
they work on arrays directly and record nothing.
"""
import numpy as np

from ..tensor import Tensor
from ._util import promote, check_same_device, broadcast_error, c10_name


def _data(x, name):
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, (int, float, bool, complex, np.generic)):
        return x
    raise TypeError(f"{name}(): argument 'other' must be Tensor or Number, but got {type(x).__name__}")


def _no_grad_binary(fn, a, b, name):
    """Apply ``fn`` to promoted arrays of ``a`` and ``b`` and wrap the result."""
    check_same_device(a, b)
    x, y = promote(_data(a, name), _data(b, name))
    try:
        return Tensor._wrap(fn(x, y))
    except ValueError:
        raise broadcast_error(x, y) from None


_COMPARABLE = (Tensor, int, float, bool, complex, np.generic)


def _compare(np_fn, name):
    def op(input, other, *, out=None):
        if not isinstance(other, _COMPARABLE) and name in ('eq', 'ne'):
            # ``x == None`` / ``x in [None, ...]``: torch's operator falls back to identity (False)
            return name == 'ne'
        with np.errstate(invalid='ignore'):
            return _no_grad_binary(np_fn, input, other, name)
    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` comparison (bool result, broadcasting)."
    return op


eq = _compare(np.equal, 'eq')
ne = not_equal = _compare(np.not_equal, 'ne')
lt = less = _compare(np.less, 'lt')
le = less_equal = _compare(np.less_equal, 'le')
gt = greater = _compare(np.greater, 'gt')
ge = greater_equal = _compare(np.greater_equal, 'ge')


def _logical(np_fn, name):
    def op(input, other):
        return _no_grad_binary(np_fn, input, other, name)
    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` treating non-zero as True (bool result)."
    return op


logical_and = _logical(np.logical_and, 'logical_and')
logical_or = _logical(np.logical_or, 'logical_or')
logical_xor = _logical(np.logical_xor, 'logical_xor')


def logical_not(input):
    """Elementwise NOT treating non-zero as True."""
    return Tensor._wrap(np.logical_not(input._data))


def _bitwise(np_fn, name):
    def op(input, other):
        a, b = promote(_data(input, name), _data(other, name))
        kind = getattr(a, 'dtype', getattr(b, 'dtype', None))
        if kind is not None and np.dtype(kind).kind not in 'biu':
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{c10_name(kind)}'")
        try:
            return Tensor._wrap(np_fn(a, b))
        except ValueError:
            raise broadcast_error(a, b) from None
    op.__name__ = name
    op.__doc__ = f"Elementwise ``{name}`` of integer or bool tensors."
    return op


bitwise_and = _bitwise(np.bitwise_and, 'bitwise_and')
bitwise_or = _bitwise(np.bitwise_or, 'bitwise_or')
bitwise_xor = _bitwise(np.bitwise_xor, 'bitwise_xor')


def bitwise_not(input):
    """Bitwise NOT (logical NOT for bool tensors)."""
    if input._data.dtype.kind not in 'biu':
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return Tensor._wrap(np.invert(input._data))


def isnan(input):
    """True where the value is NaN."""
    return Tensor._wrap(np.isnan(input._data))


def isinf(input):
    """True where the value is +/- infinity."""
    return Tensor._wrap(np.isinf(input._data))


def isposinf(input):
    """True where the value is +infinity."""
    return Tensor._wrap(np.isposinf(input._data))


def isneginf(input):
    """True where the value is -infinity."""
    return Tensor._wrap(np.isneginf(input._data))


def isfinite(input):
    """True where the value is neither NaN nor infinite."""
    return Tensor._wrap(np.isfinite(input._data))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|input - other| <= atol + rtol * |other|`` elementwise."""
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{c10_name(input._data.dtype)} did not match {c10_name(other._data.dtype)}")
    try:
        return Tensor._wrap(np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))
    except ValueError:
        raise broadcast_error(input, other) from None


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element is close (see ``isclose``)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True when both tensors have the same shape and elements."""
    return input.shape == other.shape and bool((input._data == other._data).all())


TENSOR_METHODS = ('eq', 'ne', 'lt', 'le', 'gt', 'ge', 'not_equal', 'less', 'less_equal', 'greater',
                  'greater_equal', 'logical_and', 'logical_or', 'logical_xor', 'logical_not', 'bitwise_and',
                  'bitwise_or', 'bitwise_xor', 'bitwise_not', 'isnan', 'isinf', 'isposinf', 'isneginf',
                  'isfinite', 'isclose', 'allclose', 'equal')
INPLACE = ('eq', 'ne', 'lt', 'le', 'gt', 'ge', 'logical_and', 'logical_or', 'logical_xor', 'logical_not',
           'bitwise_and', 'bitwise_or', 'bitwise_xor', 'bitwise_not')
__all__ = TENSOR_METHODS
