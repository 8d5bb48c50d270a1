"""Activation functions: ``F.relu``, ``F.gelu``, ``F.softplus``, ``F.softmax``...

Piecewise activations are primitives whose backward is ``grad * f'(x)``
with ``f'`` written in Tensor ops, so double backward works and the
gradient at the kinks is the one torch defines. Smooth ones (gelu, silu,
mish...) are compositions of differentiable ops.
"""
import warnings

import numpy as np

from ... import ops
from ...autograd.function import Function
from ...ops.inplace import apply_inplace

__all__ = ['relu', 'relu_', 'relu6', 'leaky_relu', 'leaky_relu_', 'prelu', 'elu', 'elu_', 'selu', 'selu_', 'celu',
           'celu_', 'gelu', 'silu', 'mish', 'sigmoid', 'tanh', 'hardtanh', 'hardtanh_', 'hardsigmoid',
           'hardswish', 'softplus', 'softsign', 'softmax', 'log_softmax', 'softmin', 'threshold', 'threshold_',
           'logsigmoid', 'tanhshrink', 'softshrink', 'hardshrink', 'glu']

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _pointwise(name, fn, deriv, doc):
    """A primitive ``y = fn(x, **params)`` whose backward is ``grad * deriv(x, **params)`` (Tensor ops)."""
    def forward(ctx, x, **params):
        if x.dtype.kind not in 'fc':
            raise RuntimeError(f"\"{name.lower()}\" not implemented for '{x.dtype.name}'")
        ctx.params = params
        ctx.save_for_backward(x)
        with np.errstate(over='ignore', invalid='ignore'):
            return fn(x, **params).astype(x.dtype, copy=False)

    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * deriv(x, **ctx.params)

    return type(name, (Function,), {'raw': True, 'forward': staticmethod(forward),
                                    'backward': staticmethod(backward), '__doc__': doc})


class Step(Function):
    """A piecewise-constant function of ``x`` (an indicator mask): its gradient is zero.

    Using it for the masks in derivatives keeps first-order gradients
    attached to ``x`` under ``create_graph``, so, as in torch, they require
    grad and differentiate again (to zero across the flat pieces).
    """
    raw = True

    @staticmethod
    def forward(ctx, x, fn):
        return fn(x).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


def _step(x, fn):
    """``fn(x)`` (a boolean condition on the array) as a 0/1 tensor of ``x``'s dtype with zero gradient."""
    return Step.apply(x, fn=fn)


Hardtanh = _pointwise('Hardtanh', lambda x, lo, hi: np.clip(x, lo, hi),
                      lambda x, lo, hi: _step(x, lambda a: (a > lo) & (a < hi)),
                      "Clamp to [lo, hi]; zero gradient outside.")
LeakyRelu = _pointwise('LeakyRelu', lambda x, slope: np.where(x > 0, x, x * slope),
                       lambda x, slope: _step(x, lambda a: a > 0) * (1 - slope) + slope, "x or slope * x.")
Elu = _pointwise('Elu', lambda x, alpha, scale: scale * np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))),
                 lambda x, alpha, scale: scale * (_step(x, lambda a: a > 0) + _step(x, lambda a: a <= 0) * alpha
                                                  * x.clamp(max=0).exp()),
                 "scale * (x if x > 0 else alpha * (exp(x) - 1)).")
Softplus = _pointwise('Softplus', lambda x, beta, threshold: np.where(
    x * beta > threshold, x, np.log1p(np.exp(x * beta)) / beta),
    lambda x, beta, threshold: (_step(x, lambda a: a * beta > threshold)
                                + _step(x, lambda a: a * beta <= threshold) * (x * beta).sigmoid()),
    "log(1 + exp(beta * x)) / beta, linear above the threshold.")
Hardsigmoid = _pointwise('Hardsigmoid', lambda x: np.clip(x / 6 + 0.5, 0, 1),
                         lambda x: _step(x, lambda a: (a > -3) & (a < 3)) / 6, "relu6(x + 3) / 6.")
Hardswish = _pointwise('Hardswish', lambda x: x * np.clip(x + 3, 0, 6) / 6,
                       # torch's kinks: gradient 0 at x == -3 and 1 at x == 3
                       lambda x: _step(x, lambda a: (a > -3) & (a < 3)) * (x / 3 + 0.5) + _step(x, lambda a: a >= 3),
                       "x * relu6(x + 3) / 6.")
Threshold = _pointwise('Threshold', lambda x, threshold, value: np.where(x > threshold, x, value),
                       lambda x, threshold, value: _step(x, lambda a: a > threshold), "x if x > threshold else value.")
Softshrink = _pointwise('Softshrink', lambda x, lambd: np.where(x > lambd, x - lambd,
                                                                np.where(x < -lambd, x + lambd, 0)),
                        lambda x, lambd: _step(x, lambda a: (a > lambd) | (a < -lambd)), "Shrink toward 0 by lambd.")
Hardshrink = _pointwise('Hardshrink', lambda x, lambd: np.where((x >= -lambd) & (x <= lambd), 0, x),
                        lambda x, lambd: _step(x, lambda a: (a > lambd) | (a < -lambd)), "Zero inside [-lambd, lambd].")
LogSigmoid = _pointwise('LogSigmoid', lambda x: np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x))),
                        lambda x: (-x).sigmoid(), "log(sigmoid(x)), computed stably.")


def _run(prim, input, inplace, **params):
    """Apply ``prim`` out of place, or write the result into ``input`` when ``inplace``."""
    if inplace:
        return apply_inplace(input, lambda t: prim.apply(t, **params))
    return prim.apply(input, **params)


def relu(input, inplace=False):
    """``max(x, 0)``."""
    return input.relu_() if inplace else ops.unary.relu(input)


def relu_(input):
    """In-place ``relu``."""
    return relu(input, inplace=True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to ``[min_val, max_val]`` (gradient zero outside and at the bounds)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _run(Hardtanh, input, inplace, lo=min_val, hi=max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place ``hardtanh``."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """``min(max(x, 0), 6)``."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``x`` for positive x, ``negative_slope * x`` otherwise."""
    return _run(LeakyRelu, input, inplace, slope=negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    """In-place ``leaky_relu``."""
    return leaky_relu(input, negative_slope, inplace=True)


def prelu(input, weight):
    """Leaky ReLU with a learnt slope per channel (dim 1), or one shared slope.

    Shape:
        - weight: ``(1,)`` or ``(C,)`` with C the size of input's dim 1
    """
    if weight.numel() != 1:
        channels = input.shape[1] if input.ndim >= 2 else input.shape[0] if input.ndim == 1 else 1
        if weight.numel() != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{weight.numel()} and channel size = {channels}.")
        if input.ndim >= 2:
            weight = weight.reshape((1, -1) + (1,) * (input.ndim - 2))
    else:
        weight = weight.reshape(())
    pos = _step(input, lambda a: a > 0)
    # x * (pos + (1 - pos) * w): d/dx is 1 or w (w at x == 0, as torch), d/dw is x where x <= 0.
    return input * (pos + (1 - pos) * weight)


def elu(input, alpha=1.0, inplace=False):
    """``x`` for positive x, ``alpha * (exp(x) - 1)`` otherwise."""
    return _run(Elu, input, inplace, alpha=alpha, scale=1.0)


def elu_(input, alpha=1.0):
    """In-place ``elu``."""
    return elu(input, alpha, inplace=True)


def selu(input, inplace=False):
    """``scale * elu(x, alpha)`` with the self-normalising constants."""
    return _run(Elu, input, inplace, alpha=_SELU_ALPHA, scale=_SELU_SCALE)


def selu_(input):
    """In-place ``selu``."""
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    if inplace:
        return apply_inplace(input, lambda t: celu(t, alpha))
    return Elu.apply(input / alpha, alpha=1.0, scale=alpha) if alpha != 1 else Elu.apply(input, alpha=1.0, scale=1.0)


def celu_(input, alpha=1.0):
    """In-place ``celu``."""
    return celu(input, alpha, inplace=True)


def gelu(input, approximate='none'):
    """``x * Phi(x)`` (Phi the standard normal CDF); ``approximate='tanh'`` uses the tanh formula."""
    if approximate == 'none':
        return input * 0.5 * (1 + (input * 0.7071067811865476).erf())
    if approximate == 'tanh':
        inner = 0.7978845608028654 * (input + 0.044715 * input * input * input)
        return 0.5 * input * (1 + inner.tanh())
    raise RuntimeError("approximate argument must be either none or tanh.")


def silu(input, inplace=False):
    """``x * sigmoid(x)``."""
    if inplace:
        return apply_inplace(input, silu)
    return input * input.sigmoid()


def mish(input, inplace=False):
    """``x * tanh(softplus(x))``."""
    if inplace:
        return apply_inplace(input, mish)
    return input * softplus(input).tanh()


def sigmoid(input):
    """``1 / (1 + exp(-x))``."""
    return input.sigmoid()


def tanh(input):
    """Hyperbolic tangent."""
    return input.tanh()


def hardsigmoid(input, inplace=False):
    """``relu6(x + 3) / 6``."""
    return _run(Hardsigmoid, input, inplace)


def hardswish(input, inplace=False):
    """``x * relu6(x + 3) / 6``."""
    return _run(Hardswish, input, inplace)


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * x)) / beta``; the identity where ``beta * x > threshold``."""
    return Softplus.apply(input, beta=beta, threshold=threshold)


def softsign(input):
    """``x / (1 + |x|)``."""
    return input / (1 + input.abs())


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim`` (stable)."""
    return ops.activation.softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``log(softmax(x))`` along ``dim``, computed stably."""
    return ops.activation.log_softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-x)`` along ``dim``."""
    if dim is None:
        warnings.warn("Implicit dimension choice for softmin has been deprecated. Change the call to include "
                      "dim=X as an argument.", stacklevel=_stacklevel)
        dim = 0 if input.ndim in (0, 1, 3) else 1
    if dtype is not None:
        input = input.to(dtype)
    return ops.activation.softmax(-input, dim)


def threshold(input, threshold, value, inplace=False):
    """``x`` where ``x > threshold``, else ``value``."""
    return _run(Threshold, input, inplace, threshold=threshold, value=value)


def threshold_(input, threshold, value):
    """In-place ``threshold``."""
    return _run(Threshold, input, True, threshold=threshold, value=value)


def logsigmoid(input):
    """``log(sigmoid(x))`` without overflow."""
    return LogSigmoid.apply(input)


def tanhshrink(input):
    """``x - tanh(x)``."""
    return input - input.tanh()


def _check_lambd(lambd, input):
    if lambd < 0:
        raise RuntimeError(f"lambda must be in range [0, 3.40282e+38] for input dtype "
                           f"{'Double' if input.dtype.name == 'float64' else 'Float'}, but found {lambd}")


def softshrink(input, lambd=0.5):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0."""
    _check_lambd(lambd, input)
    return Softshrink.apply(input, lambd=lambd)


def hardshrink(input, lambd=0.5):
    """``x`` outside ``[-lambd, lambd]``, else 0."""
    return Hardshrink.apply(input, lambd=lambd)


def glu(input, dim=-1):
    """Gated linear unit: ``a * sigmoid(b)`` where ``a, b`` are the halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.shape[dim]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.ndim} is size {n}")
    a, b = input.narrow(dim, 0, n // 2), input.narrow(dim, n // 2, n // 2)
    return a * b.sigmoid()

