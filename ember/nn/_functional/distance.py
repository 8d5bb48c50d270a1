"""Distances and encodings: ``one_hot``, ``normalize``, ``cosine_similarity``, ``pairwise_distance``."""
import math

import numpy as np

from ... import backend
from ...autograd.function import Function
from ...ops._util import wrap_dim
from ...tensor import Tensor

__all__ = ('one_hot', 'normalize', 'cosine_similarity', 'pairwise_distance')


def one_hot(tensor, num_classes=-1):
    """Rows of the identity picked by the class indices in ``tensor``: shape ``tensor.shape + (num_classes,)``.

    Args:
        tensor: an int64 tensor of class values.
        num_classes: the length of the last dimension; -1 infers ``max + 1``.

    Example::

        >>> F.one_hot(ember.tensor([0, 2]), 3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    idx = tensor._data
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size:
        if int(idx.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(idx.max()) >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    elif num_classes < 0:
        raise RuntimeError("Class values must be smaller than num_classes.")
    xp = backend.get_array_module(idx)
    return Tensor._wrap((idx[..., None] == xp.arange(num_classes)).astype(np.int64))


class Norm(Function):
    """The vector p-norm over one dim; its gradient at a zero vector is zero, as torch's."""
    raw = True

    @staticmethod
    def forward(ctx, x, p=2.0, dim=-1, keepdim=False):
        a = np.abs(x)
        if p == 2:
            out = np.sqrt(np.sum(x * x, axis=dim, keepdims=True))
        elif p == math.inf:
            out = np.max(a, axis=dim, keepdims=True)
        elif p == -math.inf:
            out = np.min(a, axis=dim, keepdims=True)
        elif p == 0:
            out = np.sum(a != 0, axis=dim, keepdims=True).astype(x.dtype)
        elif p == 1:
            out = np.sum(a, axis=dim, keepdims=True)
        else:
            out = np.sum(a ** p, axis=dim, keepdims=True) ** (1.0 / p)
        out = out.astype(x.dtype, copy=False)
        out = out if keepdim else np.squeeze(out, axis=dim)
        ctx.save_for_backward(x, out)  # the output itself, so that double backward sees its graph
        ctx.p, ctx.dim, ctx.keepdim = p, dim, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        p, dim = ctx.p, ctx.dim
        if not ctx.keepdim:
            grad, out = grad.unsqueeze(dim), out.unsqueeze(dim)
        if p == 0:
            return x * 0
        if p == 1:
            return x.sign() * grad
        if p in (math.inf, -math.inf):
            # torch shares the gradient evenly among the elements that reach the extreme
            mask = (x.abs() == out).to(x.dtype)
            return x.sign() * mask * (grad / mask.sum(dim, keepdim=True))
        # The norm is zero only for a zero vector; there torch defines the gradient as zero.
        zero = (out == 0).to(x.dtype)
        if p == 2:
            return x * (grad / (out + zero)) * (1 - zero)
        scale = grad / (out + zero) ** (p - 1) * (1 - zero)
        if p < 2:
            return x.sign() * x.abs() ** (p - 1) * scale
        return x * x.abs() ** (p - 2) * scale


def _vector_norm(x, p, dim, keepdim, op='linalg.vector_norm'):
    """``x.norm(p, dim, keepdim)`` for a floating tensor, with torch's error for other dtypes."""
    if not x.is_floating_point():
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                           f"{_dtype_word(x)}")
    return Norm.apply(x, p=p, dim=wrap_dim(dim, x.dim()), keepdim=keepdim)


def _dtype_word(x):
    """Torch's short dtype name used in error messages ('Long', 'Int', 'Bool')."""
    return {'int64': 'Long', 'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte',
            'bool': 'Bool'}.get(x.dtype.name, x.dtype.name)


def _broadcast_shape(a, b):
    """The broadcast shape of two shapes, raising torch's error naming the mismatched sizes."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    out = []
    for i, (sa, sb) in enumerate(zip(a, b)):
        if sa != sb and sa != 1 and sb != 1:
            raise RuntimeError(f"The size of tensor a ({sa}) must match the size of tensor b ({sb}) at "
                               f"non-singleton dimension {i}")
        out.append(sb if sa == 1 else sa)
    return tuple(out)


def _clamp_min_keep_grad(t, eps):
    """``t`` clamped below at ``eps`` in value only: the gradient flows as if unclamped.

    torch clamps the norms in cosine_similarity in place under no_grad, so its
    gradient ignores the clamp; adding a detached correction reproduces that.
    """
    d = t.detach()
    return t + (d.clamp(min=eps) - d)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    r"""Divide ``input`` by its p-norm along ``dim``: :math:`v / \max(\lVert v \rVert_p, \epsilon)`.

    Args:
        input: a floating tensor of any shape.
        p: the norm's exponent. dim: the dimension reduced. eps: the smallest divisor.
    """
    denom = _vector_norm(input, p, dim, True).clamp(min=eps).expand_as(input)
    result = input / denom
    if out is not None:
        out.copy_(result)
        return out
    return result


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    r"""Cosine of the angle between ``x1`` and ``x2`` along ``dim`` (they broadcast):
    :math:`\frac{x_1 \cdot x_2}{\max(\lVert x_1 \rVert_2, \epsilon) \max(\lVert x_2 \rVert_2, \epsilon)}`.
    """
    if not (x1.is_floating_point() or x2.is_floating_point()):
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{_dtype_word(x1 if x1.dtype.itemsize >= x2.dtype.itemsize else x2)}")
    dt = _common_float(x1, x2)
    shape = _broadcast_shape(x1.shape, x2.shape)
    dim = wrap_dim(dim, len(shape))
    x1, x2 = x1.to(dt).expand(*shape), x2.to(dt).expand(*shape)
    # Dividing each vector by its own norm first keeps the result within [-1, 1].
    n1 = _clamp_min_keep_grad(_vector_norm(x1, 2, dim, True), eps)
    n2 = _clamp_min_keep_grad(_vector_norm(x2, 2, dim, True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def _common_float(a, b):
    """The floating result dtype of ``a`` and ``b`` (as ``torch.result_type``)."""
    from ...dtypes import result_type_arrays
    return result_type_arrays(a._data, b._data)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    r"""The p-norm of ``x1 - x2 + eps`` over the last dimension: :math:`\lVert x_1 - x_2 + \epsilon \rVert_p`."""
    _broadcast_shape(x1.shape, x2.shape)
    diff = x1 - x2 + eps
    return _vector_norm(diff, p, max(x1.dim(), x2.dim()) - 1, keepdim, op='norm')
