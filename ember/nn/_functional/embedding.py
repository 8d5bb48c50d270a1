"""``F.embedding`` and ``F.embedding_bag``: look up rows of a weight matrix by index."""
import numpy as np

from ... import backend
from ...autograd import grad_mode
from ...autograd.function import Function
from ...tensor import Tensor

__all__ = ['embedding', 'embedding_bag']


class Embedding(Function):
    """``weight[indices]``; the gradient scatters back into the rows that were looked up."""
    raw = True

    @staticmethod
    def forward(ctx, weight, indices, padding_idx=-1, scale_grad_by_freq=False):
        ctx.indices = indices
        ctx.options = (weight.shape[0], padding_idx, scale_grad_by_freq)
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        num_weights, padding_idx, scale = ctx.options
        return EmbeddingDenseBackward.apply(grad, Tensor._wrap(ctx.indices), num_weights=num_weights,
                                            padding_idx=padding_idx, scale_grad_by_freq=scale), None


class EmbeddingDenseBackward(Function):
    """Sum gradient rows into a ``(num_weights, dim)`` matrix by index; the padding row gets none."""
    raw = True

    @staticmethod
    def forward(ctx, grad, indices, num_weights, padding_idx, scale_grad_by_freq):
        xp = backend.get_array_module(grad)
        idx = indices.reshape(-1)
        rows = grad.reshape(idx.shape[0], -1)
        weight = _row_weights(xp, idx, num_weights, padding_idx, scale_grad_by_freq, rows.dtype)
        ctx.indices, ctx.weight = indices, weight
        out = xp.zeros((num_weights, rows.shape[1]), dtype=grad.dtype)
        if weight is not None:
            rows = rows * weight[:, None]
        np.add.at(out, idx, rows)  # accumulates repeated indices (out[idx] += rows would not)
        return out

    @staticmethod
    def backward(ctx, grad_grad):
        # The map is linear in grad: its adjoint gathers the rows back.
        gathered = grad_grad[Tensor._wrap(ctx.indices)]
        if ctx.weight is not None:
            shape = tuple(ctx.indices.shape) + (1,)
            gathered = gathered * Tensor._wrap(ctx.weight.reshape(shape))
        return gathered, None


def _row_weights(xp, idx, num_weights, padding_idx, scale_grad_by_freq, dtype):
    """Per-lookup gradient factor: 0 for the padding index, 1/count with scale_grad_by_freq; None if all 1."""
    if padding_idx < 0 and not scale_grad_by_freq:
        return None
    weight = xp.ones(idx.shape[0], dtype=dtype)
    if scale_grad_by_freq:
        weight = weight / xp.bincount(idx, minlength=num_weights)[idx].astype(dtype)
    if padding_idx >= 0:
        weight = weight * (idx != padding_idx)
    return weight


def _check_indices(input, weight, op='embedding'):
    if not isinstance(input, Tensor) or input.dtype.name not in ('int64', 'int32'):
        name = input.type() if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar "
                           f"types: Long, Int; but got {name.replace('ember.', 'torch.')} instead (while "
                           f"checking arguments for {op})")
    idx = input._data
    n = weight.shape[0]
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= n):
        raise IndexError("index out of range in self")


def _padding(padding_idx, weight):
    if padding_idx is None:
        return -1
    n = weight.shape[0]
    if padding_idx >= n or padding_idx < -n:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx % n


def _renorm_(weight, input, max_norm, norm_type):
    """Rescale, in place, the looked-up rows whose ``norm_type``-norm exceeds ``max_norm``."""
    with grad_mode.no_grad():
        w = weight._data
        rows = backend.get_array_module(w).unique(input._data.reshape(-1))
        norms = (np.abs(w[rows]) ** norm_type).sum(-1) ** (1.0 / norm_type)
        scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
        w[rows] *= scale[:, None]
        weight._version[0] += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` selected by the integer tensor ``input``.

    Shape:
        - input: ``(*)`` integer indices; weight: ``(num_embeddings, embedding_dim)``
        - output: ``(*, embedding_dim)``

    ``padding_idx``'s row gets no gradient; with ``max_norm`` the looked-up
    rows are renormalised in place first, as in torch.
    """
    _check_indices(input, weight)
    pad = _padding(padding_idx, weight)
    if max_norm is not None:
        _renorm_(weight, input, max_norm, norm_type)
    return Embedding.apply(weight, input._data, padding_idx=pad, scale_grad_by_freq=scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode='mean', sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxima of bags of embeddings.

    ``input`` is either 2-D ``(B, N)`` (B bags of N indices) or 1-D with
    ``offsets`` giving where each bag starts. Output: ``(B, embedding_dim)``.
    """
    if mode not in ('sum', 'mean', 'max'):
        raise ValueError(f"mode has to be one of sum, mean or max, but got {mode}")
    if per_sample_weights is not None and mode != 'sum':
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "the Pytorch GitHub.")
    bags = _bag_ids(input, offsets, include_last_offset)
    flat = input.reshape(-1)
    pad = _padding(padding_idx, weight)
    keep = None if pad < 0 else (flat != pad)
    rows = embedding(flat, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1)
    n_bags = int(bags.max()) + 1 if bags.size else 0
    if offsets is not None:
        n_bags = offsets.numel() - (1 if include_last_offset else 0)
    return _reduce_bags(rows, bags, keep, n_bags, mode)


def _bag_ids(input, offsets, include_last_offset):
    """The bag number of every index in ``input``, as a NumPy int array."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             "fixed length sequences.")
        return np.repeat(np.arange(input.shape[0]), input.shape[1])
    if input.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    starts = backend.to_numpy(offsets._data).astype(np.int64)
    if include_last_offset:
        starts = starts[:-1]
    ids = np.zeros(input.shape[0], dtype=np.int64)
    # Each start bumps the bag id from that position on; empty bags (equal starts) are skipped over.
    np.add.at(ids, starts[1:][starts[1:] < input.shape[0]], 1)
    return np.cumsum(ids)


def _reduce_bags(rows, bags, keep, n_bags, mode):
    """Reduce per-index embedding rows into per-bag rows with one matrix product (sum/mean) or a max."""
    from ...creation import zeros
    dtype = rows._data.dtype
    member = np.zeros((n_bags, rows.shape[0]), dtype=dtype)
    member[bags, np.arange(rows.shape[0])] = 1
    if keep is not None:
        member = member * backend.to_numpy(keep._data)
    if mode == 'max':
        big = Tensor._wrap(backend.to_device_array(np.where(member > 0, 0, -np.inf).astype(dtype), rows.device))
        out = (rows.unsqueeze(0) + big.unsqueeze(-1)).amax(1)
        empty = Tensor._wrap(backend.to_device_array((member.sum(1) == 0)[:, None], rows.device))
        return out.masked_fill(empty, 0) if bool(empty._data.any()) else out
    if mode == 'mean':
        counts = member.sum(1, keepdims=True)
        member = member / np.maximum(counts, 1)
    out = Tensor._wrap(backend.to_device_array(member, rows.device)).matmul(rows)
    return out if n_bags else zeros((0, rows.shape[1]), dtype=rows.dtype)
