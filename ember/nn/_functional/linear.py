"""``F.linear`` and ``F.bilinear``: affine maps of the last dimension."""
import numpy as np

from ...autograd.function import Function

__all__ = ['linear', 'bilinear']


def _mat(shape):
    return 'x'.join(str(s) for s in shape)


class Addmm(Function):
    """``x @ W.T + b`` over the last dimension of ``x`` as one GEMM (leading dims flattened into rows)."""
    raw = True

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        in_features = weight.shape[-1]
        rows = x.reshape(-1, x.shape[-1]) if x.ndim != 1 else x.reshape(1, -1)
        if x.shape[-1] != in_features or weight.ndim != 2:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_mat(rows.shape)} and "
                               f"{_mat(weight.T.shape)})")
        if x.dtype != weight.dtype or (bias is not None and bias.dtype != x.dtype):
            other = weight.dtype if x.dtype != weight.dtype else bias.dtype
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_ctype(x.dtype)} != "
                               f"{_ctype(other)}")
        ctx.save_for_backward(x, weight)
        out = rows @ weight.T
        if bias is not None:
            if bias.ndim > 1 or bias.size not in (1, out.shape[1]):
                raise RuntimeError(f"The size of tensor a ({out.shape[1]}) must match the size of tensor b "
                                   f"({bias.shape[-1] if bias.ndim else 1}) at non-singleton dimension 1")
            out += bias
        return out.reshape(x.shape[:-1] + (weight.shape[0],))

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        need_x, need_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        need_b = len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]
        gx = grad.matmul(weight) if need_x else None
        # One primitive for the weight gradient (no reshape/transpose nodes): this runs for every
        # Linear on every training step, where per-node overhead is a visible share of small batches.
        gw = WeightGrad.apply(grad, x) if need_w else None
        gb = None
        if need_b:
            gb = grad.sum(0) if grad.ndim == 2 else grad.reshape(-1, weight.shape[0]).sum(0)
        return gx, gw, gb


class WeightGrad(Function):
    """``grad^T @ x`` with the leading dims of both flattened into rows: Linear's weight gradient."""
    raw = True

    @staticmethod
    def forward(ctx, grad, x):
        ctx.save_for_backward(grad, x)
        return grad.reshape(-1, grad.shape[-1]).T @ x.reshape(-1, x.shape[-1])

    @staticmethod
    def backward(ctx, h):
        grad, x = ctx.saved_tensors
        # grad (..., out) and x (..., in) keep their leading dims: (..., in) @ (in, out) is grad's shape.
        g_grad = x.matmul(h.t()) if ctx.needs_input_grad[0] else None
        g_x = grad.matmul(h) if ctx.needs_input_grad[1] else None
        return g_grad, g_x


class Mm(Addmm):
    """``Addmm`` without a bias (named after torch's node for that case)."""
    raw = True


def _ctype(np_dtype):
    """torch's C type name of a dtype in dtype-mismatch messages ('float', 'double'...)."""
    return {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'int64': 'long int',
            'int32': 'int'}.get(np.dtype(np_dtype).name, np.dtype(np_dtype).name)


def linear(input, weight, bias=None):
    """Apply ``y = x W^T + b``.

    Shape:
        - input: ``(*, in_features)``; weight: ``(out_features, in_features)``; bias: ``(out_features)``
        - output: ``(*, out_features)``
    """
    if bias is None:
        return Mm.apply(input, weight)
    return Addmm.apply(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """Apply ``y_k = x1^T A_k x2 + b_k`` with ``weight`` of shape ``(out, in1, in2)``.

    Shape:
        - input1: ``(*, in1)``, input2: ``(*, in2)`` with the same leading dims; output ``(*, out)``
    """
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} and "
                           f"{list(input2.shape[:-1])}")
    out_f, in1, in2 = weight.shape
    if input1.shape[-1] != in1 or input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input size does not match weight size: got {input1.shape[-1]} and "
                           f"{input2.shape[-1]} but expected {in1} and {in2}")
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)
    # One GEMM against the weight laid out as (in1, out*in2), then contract with x2 per output.
    t = x1.matmul(weight.permute(1, 0, 2).reshape(in1, out_f * in2)).reshape(-1, out_f, in2)
    y = (t * input2.reshape(-1, 1, in2)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (out_f,))
