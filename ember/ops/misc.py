"""Fused elementwise odds and ends: addcmul, addcdiv, lerp, nan_to_num.

Optimizers call addcmul_/addcdiv_/lerp_ on every parameter at every step,
so each is one primitive (one pass of NumPy) rather than three Tensor ops.
"""
import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import check_same_device, broadcast_error, cpp_name


def _promote3(a, b, c):
    """Cast three arrays (or numbers) to torch's result type of them all."""
    rt = dtypes.result_type_arrays(a, b, c).np
    return tuple(x.astype(rt) if hasattr(x, 'dtype') and x.dtype != rt else x for x in (a, b, c))


class Addcmul(Function):
    """x + value * t1 * t2 in one pass."""
    raw = True

    @staticmethod
    def forward(ctx, x, t1, t2, value=1):
        x, t1, t2 = _promote3(x, t1, t2)
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        try:
            return x + value * (t1 * t2)
        except ValueError:
            raise broadcast_error(x, t1, t2) from None

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        n = ctx.needs_input_grad
        v = ctx.value
        return (grad, grad * t2 * v if n[1] else None, grad * t1 * v if n[2] else None)


class Addcdiv(Function):
    """x + value * t1 / t2 in one pass."""
    raw = True

    @staticmethod
    def forward(ctx, x, t1, t2, value=1):
        x, t1, t2 = _promote3(x, t1, t2)
        if x.dtype.kind in 'biu':
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
                "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented "
                "as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as "
                "(input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the "
                "latter implementation: (input + value * tensor1 / tensor2), for all dtypes.")
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        try:
            with np.errstate(divide='ignore', invalid='ignore'):
                return x + value * (t1 / t2)
        except ValueError:
            raise broadcast_error(x, t1, t2) from None

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        n = ctx.needs_input_grad
        v = ctx.value
        return (grad, grad * v / t2 if n[1] else None, -grad * v * t1 / (t2 * t2) if n[2] else None)


class Lerp(Function):
    """start + weight * (end - start) with a number weight."""
    raw = True

    @staticmethod
    def forward(ctx, start, end, weight):
        if end.dtype != start.dtype:
            raise RuntimeError(f"expected dtype {cpp_name(start.dtype)} for `end` but got dtype {cpp_name(end.dtype)}")
        ctx.save_for_backward(start, end, weight)
        try:
            return start + weight * (end - start)
        except ValueError:
            raise broadcast_error(start, end, weight) from None

    @staticmethod
    def backward(ctx, grad):
        start, end, weight = ctx.saved_tensors
        n = ctx.needs_input_grad
        return (grad * (1 - weight) if n[0] else None, grad * weight if n[1] else None,
                grad * (end - start) if n[2] else None)


Lerp1 = type('Lerp', (Lerp,), {'raw': True})  # torch names the tensor-weight node LerpBackward1
Lerp1._backward_cls.__name__ = 'LerpBackward1'


class NanToNum(Function):
    """nan_to_num; replaced values get no gradient."""
    raw = True

    @staticmethod
    def forward(ctx, x, nan=0.0, posinf=None, neginf=None):
        ctx.finite = np.isfinite(x)
        if x.dtype.kind not in 'fc':
            return x.copy()
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        # Only finite inputs pass through; replaced values are constants.
        return grad * Tensor._wrap(ctx.finite)


def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 * tensor2`` with broadcasting."""
    check_same_device(input, tensor1, tensor2)
    return Addcmul.apply(input, tensor1, tensor2, value=value)


def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 / tensor2`` with broadcasting (floating tensors only)."""
    check_same_device(input, tensor1, tensor2)
    return Addcdiv.apply(input, tensor1, tensor2, value=value)


def lerp(input, end, weight):
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` is a number or a tensor."""
    check_same_device(input, end, weight)
    if isinstance(weight, Tensor):
        return Lerp1.apply(input, end, weight)
    return Lerp.apply(input, end, weight)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """Replace NaN by ``nan`` and +/-inf by ``posinf``/``neginf`` (the dtype's extremes by default)."""
    return NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)


TENSOR_METHODS = ('addcmul', 'addcdiv', 'lerp', 'nan_to_num')
INPLACE = TENSOR_METHODS
__all__ = TENSOR_METHODS
