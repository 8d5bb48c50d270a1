"""Elementwise math functions of one tensor: exp, log, sin, tanh, sigmoid, relu, clamp...

Functions of an integer tensor that produce fractions (exp, sqrt, sin...)
return the default float dtype, as in torch.
"""
import numpy as np

from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import as_float, c10_name


def _unary(name, np_fn, grad_fn, saves='input', floating=True, arith=False):
    """Build a primitive ``name`` computing ``np_fn`` whose backward is ``grad_fn(grad, x, y)``.

    ``saves`` says what backward needs: 'input', 'output' or 'both'. Saving
    only the output (exp, tanh, sigmoid...) means that modifying the input in
    place afterwards does not invalidate the graph, exactly as in torch.
    ``arith`` marks a ``grad_fn`` written with operators only: outside
    ``create_graph`` it then runs on the arrays directly, one NumPy pass per
    operator and no graph bookkeeping.
    """
    def forward(ctx, x):
        if floating:
            x = as_float(x)
        with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
            y = np_fn(x)
        ctx.save_for_backward(x if saves in ('input', 'both') else None, y if saves in ('output', 'both') else None)
        return y

    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        if arith and not grad_mode.state.enabled:
            with np.errstate(divide='ignore', invalid='ignore', over='ignore'):  # torch never warns
                return Tensor._make(grad_fn(grad._data, x._data if x is not None else None,
                                            y._data if y is not None else None))
        return grad_fn(grad, x, y)

    return type(name, (Function,), {'raw': True, 'forward': staticmethod(forward),
                                    'backward': staticmethod(backward), '__doc__': f"{name} primitive."})


def _sigmoid(x):
    # Split by sign so that exp never overflows.
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1 + e)
    return out


class _Positive(Function):
    """``y > 0`` as a 0/1 tensor of y's dtype; a zero-gradient function of ``y``."""
    raw = True

    @staticmethod
    def forward(ctx, y):
        return (y > 0).astype(y.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


def _positive(y):
    """ReLU's mask. On tensors (create_graph) it stays attached to ``y`` so that, as in torch, the
    first-order gradient requires grad and differentiates again (to zero); on arrays it is a plain test."""
    return _Positive.apply(y) if isinstance(y, Tensor) else y > 0


Exp = _unary('Exp', np.exp, lambda g, x, y: g * y, 'output', arith=True)
Exp2 = _unary('Exp2', np.exp2, lambda g, x, y: g * y * 0.6931471805599453, 'output', arith=True)
Expm1 = _unary('Expm1', np.expm1, lambda g, x, y: g * (y + 1), 'output', arith=True)
Log = _unary('Log', np.log, lambda g, x, y: g / x, arith=True)
Log2 = _unary('Log2', np.log2, lambda g, x, y: g / (x * 0.6931471805599453))
Log10 = _unary('Log10', np.log10, lambda g, x, y: g / (x * 2.302585092994046))
Log1p = _unary('Log1p', np.log1p, lambda g, x, y: g / (x + 1), arith=True)
Sqrt = _unary('Sqrt', np.sqrt, lambda g, x, y: g / (2 * y), 'output', arith=True)
Rsqrt = _unary('Rsqrt', lambda x: 1 / np.sqrt(x), lambda g, x, y: -0.5 * g * y ** 3, 'output')
Sin = _unary('Sin', np.sin, lambda g, x, y: g * x.cos())
Cos = _unary('Cos', np.cos, lambda g, x, y: -g * x.sin())
Tan = _unary('Tan', np.tan, lambda g, x, y: g * (1 + y * y), 'output')
Asin = _unary('Asin', np.arcsin, lambda g, x, y: g * (1 - x * x).rsqrt())
Acos = _unary('Acos', np.arccos, lambda g, x, y: -g * (1 - x * x).rsqrt())
Atan = _unary('Atan', np.arctan, lambda g, x, y: g / (1 + x * x))
Sinh = _unary('Sinh', np.sinh, lambda g, x, y: g * x.cosh())
Cosh = _unary('Cosh', np.cosh, lambda g, x, y: g * x.sinh())
Tanh = _unary('Tanh', np.tanh, lambda g, x, y: g * (1 - y * y), 'output', arith=True)
Sigmoid = _unary('Sigmoid', _sigmoid, lambda g, x, y: g * y * (1 - y), 'output', arith=True)
Reciprocal = _unary('Reciprocal', np.reciprocal, lambda g, x, y: -g * y * y, 'output', arith=True)
Erf = _unary('Erf', lambda x: _erf(x), lambda g, x, y: g * 1.1283791670955126 * (-x * x).exp())
Abs = _unary('Abs', np.abs, lambda g, x, y: g * x.sign(), floating=False)
Neg = _unary('Neg', np.negative, lambda g, x, y: -g, saves='none', floating=False)
Relu = _unary('Relu', lambda x: np.maximum(x, 0), lambda g, x, y: g * _positive(y), 'output', floating=False,
              arith=True)


def _erf(x):
    try:
        from scipy.special import erf
        return erf(x).astype(x.dtype, copy=False)
    except ImportError:  # Abramowitz-Stegun 7.1.26 is too coarse; use math.erf elementwise
        import math
        return np.vectorize(math.erf, otypes=[x.dtype])(x)


class _ZeroGrad(Function):
    """Piecewise-constant functions (floor, sign...): zero gradient everywhere."""
    raw = True

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


def _piecewise(name, np_fn):
    def forward(ctx, x):
        return np_fn(x) if x.dtype.kind in 'fc' else x.copy()
    return type(name, (_ZeroGrad,), {'raw': True, 'forward': staticmethod(forward)})


Floor = _piecewise('Floor', np.floor)
Ceil = _piecewise('Ceil', np.ceil)
Trunc = _piecewise('Trunc', np.trunc)
Round = _piecewise('Round', np.round)
Frac = _unary('Frac', lambda x: x - np.trunc(x), lambda g, x, y: g, saves='none', floating=False)


class Sign(_ZeroGrad):
    """sign(x) (0 at 0 and at nan)."""
    raw = True

    @staticmethod
    def forward(ctx, x):
        if x.dtype == np.bool_:
            return x.copy()
        out = np.sign(x)
        if x.dtype.kind == 'f':
            out[np.isnan(x)] = 0  # torch: sign(nan) is 0
        return out


class Clamp(Function):
    """clamp with number bounds; gradient passes where x is inside them."""
    raw = True

    @staticmethod
    def forward(ctx, x, min=None, max=None):
        lo = min if not hasattr(min, 'dtype') else min.astype(x.dtype, copy=False)
        hi = max if not hasattr(max, 'dtype') else max.astype(x.dtype, copy=False)
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        if lo is not None and hi is not None:
            # torch: where min > max every element becomes max
            return np.minimum(np.maximum(x, lo), hi)
        return np.maximum(x, lo) if lo is not None else np.minimum(x, hi)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        from ..tensor import Tensor
        mask = None
        for bound, keep in ((ctx.lo, lambda b: x >= b), (ctx.hi, lambda b: x <= b)):
            if bound is not None:
                m = keep(Tensor._wrap(bound) if hasattr(bound, 'dtype') else bound)
                mask = m if mask is None else mask & m
        return grad * mask, None, None


class ClampTensors(Function):
    """clamp with tensor bounds: the gradient goes to whichever of x, min, max the output took."""
    raw = True

    @staticmethod
    def forward(ctx, x, lo, hi):
        from ._util import promote
        if lo is not None:
            x, lo = promote(x, lo)
        if hi is not None:
            x, hi = promote(x, hi)
            if lo is not None:
                lo, hi = promote(lo, hi)
                x = x.astype(lo.dtype, copy=False)
        ctx.save_for_backward(x, lo, hi)
        out = x if lo is None else np.maximum(x, lo)
        return out if hi is None else np.minimum(out, hi)

    @staticmethod
    def backward(ctx, grad):
        from ..tensor import Tensor
        x, lo, hi = (getattr(t, '_data', t) for t in ctx.saved_tensors)  # a number bound stays a number
        take_x = np.ones(x.shape, dtype=bool)
        if lo is not None:
            take_x = take_x & (x >= lo)
        if hi is not None:
            take_x = take_x & (x <= hi)
        take_lo = None if lo is None else (x < lo) & (lo <= hi if hi is not None else True)
        gx = grad * Tensor._wrap(take_x)
        glo = None if lo is None else grad * Tensor._wrap(take_lo)
        ghi = None if hi is None else grad * Tensor._wrap(~take_x & ~(take_lo if take_lo is not None else False))
        return gx, glo, ghi


ClampTensors._backward_cls.__name__ = 'ClampBackward0'


def clamp(input, min=None, max=None):
    """Limit values to ``[min, max]``; either bound may be a number or a tensor."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    from ..tensor import Tensor
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        if not all(b is None or isinstance(b, Tensor) for b in (min, max)):
            raise TypeError(f"clamp() received an invalid combination of arguments - got "
                            f"({type(min).__name__}, {type(max).__name__}): the bounds must be both tensors or "
                            "both numbers")
        return ClampTensors.apply(input, min, max)
    lo, hi = min, max
    if input.dtype.is_floating_point or not isinstance(lo, float) and not isinstance(hi, float):
        return Clamp.apply(input, min=lo, max=hi)
    return Clamp.apply(input.to(_default_float()), min=lo, max=hi)


def _default_float():
    from ..dtypes import get_default_dtype
    return get_default_dtype()


def round(input, decimals=0):
    """Round half to even, optionally to ``decimals`` places."""
    if decimals == 0:
        return Round.apply(input)
    scale = 10.0 ** decimals
    return Round.apply(input * scale) / scale


def _fn(prim, name):
    def f(input):
        return prim.apply(input)
    f.__name__ = name
    f.__doc__ = f"Elementwise ``{name}``."
    return f


exp, exp2, expm1, log, log2, log10, log1p = (_fn(p, n) for p, n in (
    (Exp, 'exp'), (Exp2, 'exp2'), (Expm1, 'expm1'), (Log, 'log'), (Log2, 'log2'), (Log10, 'log10'),
    (Log1p, 'log1p')))
sqrt, rsqrt, sin, cos, tan, asin, acos, atan = (_fn(p, n) for p, n in (
    (Sqrt, 'sqrt'), (Rsqrt, 'rsqrt'), (Sin, 'sin'), (Cos, 'cos'), (Tan, 'tan'), (Asin, 'asin'),
    (Acos, 'acos'), (Atan, 'atan')))
sinh, cosh, tanh, sigmoid, reciprocal, erf, abs, neg, relu = (_fn(p, n) for p, n in (
    (Sinh, 'sinh'), (Cosh, 'cosh'), (Tanh, 'tanh'), (Sigmoid, 'sigmoid'), (Reciprocal, 'reciprocal'),
    (Erf, 'erf'), (Abs, 'abs'), (Neg, 'neg'), (Relu, 'relu')))
floor, ceil, trunc, sign = (_fn(p, n) for p, n in (
    (Floor, 'floor'), (Ceil, 'ceil'), (Trunc, 'trunc'), (Sign, 'sign')))


def frac(input):
    """The fractional part ``input - trunc(input)`` (floating tensors only)."""
    if not input.is_floating_point():
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{c10_name(input.dtype)}'")
    return Frac.apply(input)


def square(input):
    """``input * input`` (integers stay integers)."""
    return input ** 2


negative, absolute, arcsin, arccos, arctan, fix, clip = neg, abs, asin, acos, atan, trunc, clamp

TENSOR_METHODS = ('exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sqrt', 'rsqrt', 'sin', 'cos', 'tan',
                  'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'reciprocal', 'erf', 'abs', 'neg',
                  'relu', 'floor', 'ceil', 'trunc', 'frac', 'sign', 'negative', 'absolute', 'arcsin', 'arccos',
                  'arctan', 'fix', 'clamp', 'clip', 'round', 'square')
INPLACE = ('exp', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sqrt', 'rsqrt', 'sin', 'cos', 'tan', 'tanh',
           'sigmoid', 'reciprocal', 'abs', 'neg', 'relu', 'floor', 'ceil', 'trunc', 'frac', 'sign', 'clamp',
           'clip', 'round', 'square')
__all__ = TENSOR_METHODS
