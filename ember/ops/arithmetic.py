"""Binary arithmetic with broadcasting and torch's type promotion.

Gradients of broadcast operands are reduced to their shapes by the engine,
so each backward here returns full-shape gradients.
"""
import math

import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import promote, as_float, masked_where, broadcast_error


class Add(Function):
    """a + b; both gradients pass through unchanged."""
    raw = True

    @staticmethod
    def forward(ctx, a, b):
        a, b = promote(a, b)
        try:
            return a + b
        except (ValueError, TypeError):
            raise broadcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    """a - b (bool operands are an error, as in torch)."""
    raw = True

    @staticmethod
    def forward(ctx, a, b):
        ba, bb = _is_bool(a), _is_bool(b)
        if ba or bb:
            if ba and bb:
                raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                                   "Use the `^` or `logical_xor()` operator instead.")
            raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                               "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        a, b = promote(a, b)
        try:
            return a - b
        except (ValueError, TypeError):
            raise broadcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


def _array(x):
    """The array of a saved tensor, or a saved Python number as is."""
    return x._data if isinstance(x, Tensor) else x


def _is_bool(x):
    return type(x) is bool or getattr(x, 'dtype', None) == np.bool_


class Mul(Function):
    """a * b; d/da = grad * b, d/db = grad * a."""
    raw = True

    @staticmethod
    def forward(ctx, a, b):
        # Save the operands as given: promoted copies would be cut from the graph (no double backward).
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        try:
            return a * b
        except (ValueError, TypeError):
            raise broadcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if not grad_mode.state.enabled:  # plain backward: multiply the arrays, record nothing
            g = grad._data
            return (Tensor._make(g * _array(b)) if need_a else None, Tensor._make(g * _array(a)) if need_b else None)
        return Mul.apply(grad, b) if need_a else None, Mul.apply(grad, a) if need_b else None


class Div(Function):
    """True division a / b (integers divide as floats)."""
    raw = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)  # as given, so that double backward reaches them (see Mul)
        a, b = promote(a, b)
        if hasattr(a, 'dtype'):
            a = as_float(a)
        else:
            b = as_float(b)
        try:
            with np.errstate(divide='ignore', invalid='ignore'):
                return a / b
        except (ValueError, TypeError):
            raise broadcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if not grad_mode.state.enabled:  # plain backward: on the arrays, recording nothing
            g, av, bv = grad._data, _array(a), _array(b)
            with np.errstate(divide='ignore', invalid='ignore'):
                return (Tensor._make(g / bv) if need_a else None,
                        Tensor._make(-g * av / (bv * bv)) if need_b else None)
        ga = grad / b if need_a else None
        gb = -grad * a / (b * b) if need_b else None
        return ga, gb


def _int_pow(a, b):
    """Integer powers where a tensor exponent may be negative: torch truncates 1 / a**|b| (0 unless |a| == 1)."""
    if not (b < 0).any():
        return a ** b
    pos = a ** np.abs(b)
    # (-1)**-k keeps the sign of (-1)**k, 1**-k is 1, anything else truncates to 0
    return np.where(b >= 0, pos, np.where(np.abs(a) == 1, pos, 0)).astype(pos.dtype, copy=False)


class Pow(Function):
    """a ** b for tensors or numbers on either side."""
    raw = True

    @staticmethod
    def forward(ctx, a, b):
        given_a, given_b = a, b  # saved as given, so that double backward reaches them (see Mul)
        a, b = promote(a, b)
        if hasattr(a, 'dtype') and a.dtype.kind in 'iu' and not hasattr(b, 'dtype') and b < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        try:
            with np.errstate(divide='ignore', invalid='ignore'):
                out = _int_pow(a, b) if hasattr(b, 'dtype') and b.dtype.kind in 'iu' else a ** b
        except (ValueError, TypeError):
            raise broadcast_error(a, b) from None
        ctx.save_for_backward(given_a, given_b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            if isinstance(b, Tensor):
                # NOTE: torch defines d(a**0)/da as 0 even at a == 0, where b * a**(b-1) is nan.
                ga = masked_where(b._data == 0, 0.0, grad * b * a ** (b - 1))
            elif b == 0:
                ga = grad * 0.0 if not np.isnan(grad._data).any() else masked_where(True, 0.0, grad)
            else:
                ga = grad * b * a ** (b - 1)
        if ctx.needs_input_grad[1]:
            if isinstance(a, Tensor):
                # 0 ** b has no gradient with respect to b where b >= 0 (log(0) would make it nan)
                gb = masked_where((a._data == 0) & (b._data >= 0), 0.0, grad * out * a.log())
            else:
                gb = grad * out * math.log(a) if a != 0 else masked_where(True, 0.0, grad)
        return ga, gb


def _check_int_zero_division(a, b):
    """Integer division by zero is an error in torch (floats give inf/nan)."""
    kind = a.dtype.kind if hasattr(a, 'dtype') else b.dtype.kind if hasattr(b, 'dtype') else 'f'
    if kind in 'iub' and not (b != 0 if not hasattr(b, 'dtype') else (b != 0).all()):
        raise RuntimeError("ZeroDivisionError")


class _Modulo(Function):
    """a mod b; d/da = 1, d/db = -round(a / b), rounded by floor (remainder) or trunc (fmod)."""
    raw = True
    _ufunc = None
    _round = None

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)  # as given, so that double backward reaches them (see Mul)
        a, b = promote(a, b)
        _check_int_zero_division(a, b)
        try:
            with np.errstate(divide='ignore', invalid='ignore'):
                return cls._ufunc(a, b)
        except (ValueError, TypeError):
            raise broadcast_error(a, b) from None

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        return grad, (-grad * getattr(a / b, cls._round)()) if ctx.needs_input_grad[1] else None


class Remainder(_Modulo):
    """Python-style a % b: the result has the sign of b; d/db = -floor(a / b)."""
    raw = True
    _ufunc = staticmethod(np.remainder)
    _round = 'floor'


class Fmod(_Modulo):
    """C-style fmod(a, b): the result has the sign of a; d/db = -trunc(a / b)."""
    raw = True
    _ufunc = staticmethod(np.fmod)
    _round = 'trunc'


class _MaxMin(Function):
    raw = True
    _ufunc = None

    @classmethod
    def forward(cls, ctx, a, b):
        a, b = promote(a, b)
        ctx.save_for_backward(a, b)
        try:
            return cls._ufunc(a, b)
        except (ValueError, TypeError):
            raise broadcast_error(a, b) from None

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        # Ties share the gradient equally, as torch does.
        win_a = (a > b) if ctx._fn is Maximum else (a < b)
        tie = a == b
        wa = win_a.to(grad.dtype) + tie.to(grad.dtype) * 0.5
        return grad * wa, grad * (1 - wa)


class Maximum(_MaxMin):
    """Elementwise max; ties split the gradient."""
    raw = True
    _ufunc = staticmethod(np.maximum)


class Minimum(_MaxMin):
    """Elementwise min; ties split the gradient."""
    raw = True
    _ufunc = staticmethod(np.minimum)


def _arg(x, name):
    if isinstance(x, (Tensor, int, float, bool, complex)):
        return x
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"{name}(): argument 'other' must be Tensor or Number, but got {type(x).__name__}")


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting."""
    other = _arg(other, 'add')
    if alpha != 1:
        other = other * alpha
    return _out(Add.apply(input, other), out)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other`` with broadcasting."""
    other = _arg(other, 'sub')
    if alpha != 1:
        other = other * alpha
    return _out(Sub.apply(input, other), out)


subtract = sub


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    return Sub.apply(_arg(other, 'rsub'), input * alpha if alpha != 1 else input)


def mul(input, other, *, out=None):
    """Elementwise product with broadcasting."""
    return _out(Mul.apply(input, _arg(other, 'mul')), out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """True division, or 'trunc' / 'floor' rounded division (integers stay integers then)."""
    other = _arg(other, 'div')
    if rounding_mode is None:
        return _out(Div.apply(input, other), out)
    if rounding_mode not in ('trunc', 'floor'):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                         f"'{rounding_mode}'")
    a = input
    if a.is_floating_point() or (isinstance(other, Tensor) and other.is_floating_point()) or \
            isinstance(other, float):
        q = Div.apply(a, other)
        return _out(q.trunc() if rounding_mode == 'trunc' else q.floor(), out)
    from .comparison import _no_grad_binary
    fn = _int_trunc_div if rounding_mode == 'trunc' else _int_floor_div
    return _out(_no_grad_binary(fn, a, other, 'div'), out)


divide = true_divide = div


def _int_trunc_div(a, b):
    _check_int_zero_division(a, b)
    q = np.floor_divide(a, b)
    return q + ((q < 0) & (q * b != a))


def _int_floor_div(a, b):
    _check_int_zero_division(a, b)
    return np.floor_divide(a, b)


def floor_divide(input, other):
    """Division rounded toward minus infinity."""
    return div(input, other, rounding_mode='floor')


def remainder(input, other):
    """Python-style modulus: the result has the sign of the divisor."""
    return Remainder.apply(input, _arg(other, 'remainder'))


def fmod(input, other):
    """C-style modulus: the result has the sign of the dividend."""
    return Fmod.apply(input, _arg(other, 'fmod'))


def pow(input, exponent):
    """``input ** exponent`` (either may be a number)."""
    return Pow.apply(_arg(input, 'pow'), _arg(exponent, 'pow'))


def maximum(input, other):
    """Elementwise maximum of two tensors."""
    return Maximum.apply(input, other)


def minimum(input, other):
    """Elementwise minimum of two tensors."""
    return Minimum.apply(input, other)


def _out(result, out):
    """Support the ``out=`` keyword: copy the result into a preallocated tensor."""
    if out is None:
        return result
    if out.shape != result.shape:
        raise RuntimeError(f"out= tensor has shape {list(out.shape)} but the result has {list(result.shape)}")
    return out.copy_(result)


TENSOR_METHODS = ('add', 'sub', 'subtract', 'mul', 'multiply', 'div', 'divide', 'true_divide', 'floor_divide',
                  'remainder', 'fmod', 'pow', 'maximum', 'minimum')
INPLACE = ('add', 'sub', 'mul', 'div', 'floor_divide', 'remainder', 'fmod', 'pow')
__all__ = TENSOR_METHODS + ('rsub',)
