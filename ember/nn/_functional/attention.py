"""Attention: ``scaled_dot_product_attention`` and ``multi_head_attention_forward``."""
import math

import numpy as np

from ... import backend
from ...ops.activation import softmax
from ...ops.joining import cat
from ...tensor import Tensor
from .distance import _broadcast_shape
from .dropout import dropout
from .linear import linear

__all__ = ('scaled_dot_product_attention', 'multi_head_attention_forward')


def _ctype(t):
    """torch's C type name of a dtype in SDPA's messages ('float', 'double', 'long int')."""
    return {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'int64': 'long int', 'int32': 'int',
            'bool': 'bool'}.get(t.dtype.name, t.dtype.name)


def _check_sdpa(query, key, value, attn_mask, is_causal, enable_gqa):
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_ctype(query)} key.dtype: {_ctype(key)} and value.dtype: {_ctype(value)} instead.")
    if min(query.dim(), key.dim(), value.dim()) < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                           f"{query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} instead.")
    if attn_mask is not None and attn_mask.dtype.name != 'bool' and not attn_mask.is_floating_point() \
            and attn_mask.dtype != query.dtype:
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {_ctype(attn_mask)} and  query.dtype: {_ctype(query)} instead.")
    if attn_mask is not None and is_causal:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if enable_gqa and query.dim() >= 3 and query.shape[-3] % key.shape[-3]:
        raise RuntimeError("Number of heads in key and value must divide the number of heads in query")


def _repeat_heads(t, repeats):
    """``t.repeat_interleave(repeats, dim=-3)``: each key/value head serves ``repeats`` query heads."""
    if repeats == 1:
        return t
    shape = tuple(t.shape)
    expanded = t.unsqueeze(-3).expand(*shape[:-2], repeats, *shape[-2:])
    return expanded.reshape(*shape[:-3], shape[-3] * repeats, *shape[-2:])


def _mask_bias(attn_mask, is_causal, L, S, like):
    """The additive bias of the masks: a constant array (bool and causal masks) and a float mask tensor."""
    xp = backend.get_array_module(like._data)
    bias = None
    if is_causal:
        bias = xp.where(xp.tril(xp.ones((L, S), dtype=bool)), 0, -np.inf).astype(like._data.dtype)
    if attn_mask is None:
        return bias, None
    if attn_mask.dtype.name == 'bool':
        mask_bias = xp.where(attn_mask._data, 0, -np.inf).astype(like._data.dtype)
        return (mask_bias if bias is None else bias + mask_bias), None
    if not attn_mask.requires_grad:
        data = attn_mask._data.astype(like._data.dtype, copy=False)
        return (data if bias is None else bias + data), None
    return bias, attn_mask


def _safe_softmax(scores):
    """Softmax over the last dim that gives zeros (not NaN) in rows where every score is -inf."""
    dead = np.all(np.isneginf(scores._data), axis=-1, keepdims=True)
    if not dead.any():
        return softmax(scores, -1)
    dead_t = Tensor._wrap(dead)
    return softmax(scores.masked_fill(dead_t, 0.0), -1).masked_fill(dead_t, 0.0)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    r"""Attention :math:`\mathrm{softmax}(Q K^T \cdot \mathrm{scale} + \mathrm{bias}) V`.

    Args:
        query: ``(..., L, E)``; key: ``(..., S, E)``; value: ``(..., S, Ev)``.
        attn_mask: a bool mask (True = may attend) or a float bias, broadcastable to ``(..., L, S)``.
        dropout_p: dropout on the attention weights (always applied when > 0, as torch).
        is_causal: mask out the upper triangle (position i attends to j <= i).
        scale: defaults to ``1 / sqrt(E)``.
        enable_gqa: key/value with fewer heads (dim -3) than query serve groups of query heads.

    Rows whose every position is masked give zeros, as torch's math kernel.
    """
    _check_sdpa(query, key, value, attn_mask, is_causal, enable_gqa)
    L, S = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    if enable_gqa and query.dim() >= 3:
        key = _repeat_heads(key, query.shape[-3] // key.shape[-3])
        value = _repeat_heads(value, query.shape[-3] // value.shape[-3])
    scores = (query * scale).matmul(key.transpose(-2, -1))
    if attn_mask is not None:  # the mask broadcasts to the scores, never the scores to the mask
        shape = _broadcast_shape(scores.shape, attn_mask.shape)
        if shape != tuple(scores.shape):
            raise RuntimeError(f"output with shape {list(scores.shape)} doesn't match the broadcast shape "
                               f"{list(shape)}")
    bias, float_mask = _mask_bias(attn_mask, is_causal, L, S, query)
    if bias is not None:
        scores = scores + Tensor._wrap(bias)
    if float_mask is not None:
        scores = scores + float_mask
    weights = _safe_softmax(scores)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p, training=True)
    return weights.matmul(value)


def _canonical_mask(mask, name, like):
    """A bool mask (True = masked out, MHA's convention) as a float bias; float masks pass through."""
    if mask is None:
        return None
    if mask.dtype.name == 'bool':
        xp = backend.get_array_module(like._data)
        return Tensor._wrap(xp.where(mask._data, -np.inf, 0).astype(like._data.dtype))
    if not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask


def _in_projection(query, key, value, E, in_proj_weight, in_proj_bias, q_w, k_w, v_w):
    """q, k, v projections: slices of the packed ``in_proj_weight`` (or the separate q/k/v weights)."""
    if in_proj_weight is not None:
        q_w, k_w, v_w = in_proj_weight[:E], in_proj_weight[E:2 * E], in_proj_weight[2 * E:]
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias[:E], in_proj_bias[E:2 * E], in_proj_bias[2 * E:]
    if in_proj_weight is not None and query is key and key is value:
        q, k, v = linear(query, in_proj_weight, in_proj_bias).chunk(3, -1)  # self-attention: one GEMM
        return q, k, v
    return linear(query, q_w, b_q), linear(key, k_w, b_k), linear(value, v_w, b_v)


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the input is batched; torch's AssertionErrors for inconsistent dims."""
    if query.dim() not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D "
                             "query tensor")
    batched = query.dim() == 3
    kind = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.dim() != query.dim() or value.dim() != query.dim():
        raise AssertionError(f"For {kind} `query`, expected `key` and `value` to be {query.dim()}-D but found "
                             f"{key.dim()}-D and {value.dim()}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.dim() != query.dim() - 1:
        raise AssertionError(f"For {kind} `query`, expected `key_padding_mask` to be `None` or "
                             f"{query.dim() - 1}-D but found {key_padding_mask.dim()}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found "
                                 f"{attn_mask.dim()}-D tensor instead")
        expected = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
    return batched


def _pad_last(mask):
    """A zero column appended to a float mask (the position added by bias_k or add_zero_attn)."""
    if mask is None:
        return None
    zeros = Tensor._wrap(backend.get_array_module(mask._data).zeros(tuple(mask.shape[:-1]) + (1,), mask._data.dtype))
    return cat([mask, zeros], -1)


def _check_attn_mask(attn_mask, tgt_len, src_len, bsz, num_heads):
    """attn_mask as (1 or N*heads, L, S), with torch's error for a wrong shape."""
    if attn_mask.dim() == 2:
        if tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                               f"{(tgt_len, src_len)}.")
        return attn_mask.unsqueeze(0)
    if attn_mask.dim() == 3:
        if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                               f"{(bsz * num_heads, tgt_len, src_len)}.")
        return attn_mask
    raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")


def _merge_key_padding(attn_mask, key_padding_mask, bsz, num_heads, src_len):
    """One additive mask of shape (1 or N*heads, L, S) from the attention mask and the padding mask."""
    if key_padding_mask is None:
        return attn_mask
    if tuple(key_padding_mask.shape) != (bsz, src_len):
        raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                             f"{key_padding_mask.shape}")
    kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, num_heads, 1, src_len)
    kpm = kpm.reshape(bsz * num_heads, 1, src_len)
    return kpm if attn_mask is None else attn_mask + kpm


def _attend(q, k, v, attn_mask, dropout_p, is_causal, need_weights, bsz, num_heads):
    """Attention of (N*heads, L, d) queries: the output, and the (N, heads, L, S) weights when asked for."""
    (tgt_len, head_dim), src_len = q.shape[1:], k.shape[1]
    if need_weights:
        scores = (q * math.sqrt(1.0 / head_dim)).matmul(k.transpose(-2, -1))
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = softmax(scores, -1)  # torch's weights path: fully masked rows give NaN
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p)
        return weights.matmul(v), weights.reshape(bsz, num_heads, tgt_len, src_len)
    if attn_mask is not None:
        attn_mask = attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1 else \
            attn_mask.reshape(bsz, num_heads, -1, src_len)
    out = scaled_dot_product_attention(q.reshape(bsz, num_heads, tgt_len, head_dim),
                                       k.reshape(bsz, num_heads, src_len, head_dim),
                                       v.reshape(bsz, num_heads, src_len, head_dim), attn_mask, dropout_p, is_causal)
    return out.reshape(bsz * num_heads, tgt_len, head_dim), None


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """Multi-head attention of ``nn.MultiheadAttention`` with explicit weights.

    Shape:
        query ``(L, N, E)``, key ``(S, N, E_k)``, value ``(S, N, E_v)`` (or unbatched without N);
        key_padding_mask ``(N, S)`` (True = ignore); attn_mask ``(L, S)`` or ``(N*heads, L, S)`` (bool: True =
        not allowed, or a float bias). Returns ``(output (L, N, E), weights (N, L, S) or None)``.
    """
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    key_padding_mask = _canonical_mask(key_padding_mask, 'key_padding_mask', query)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # scaled_dot_product_attention builds the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, 'attn_mask', query)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
        in_proj_weight = None
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
    q, k, v = _in_projection(query, key, value, embed_dim, in_proj_weight, in_proj_bias, q_proj_weight,
                             k_proj_weight, v_proj_weight)
    if attn_mask is not None:
        attn_mask = _check_attn_mask(attn_mask, tgt_len, key.shape[0], bsz, num_heads)
    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.expand(1, bsz, embed_dim)])
        v = cat([v, bias_v.expand(1, bsz, embed_dim)])
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    # heads become part of the batch: (N * heads, L, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = static_k if static_k is not None else k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    v = static_v if static_v is not None else v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if add_zero_attn:
        xp = backend.get_array_module(k._data)
        zero = Tensor._wrap(xp.zeros((bsz * num_heads, 1, head_dim), k._data.dtype))
        k, v = cat([k, zero], 1), cat([v, zero], 1)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    attn_mask = _merge_key_padding(attn_mask, key_padding_mask, bsz, num_heads, k.shape[1])
    out, weights = _attend(q, k, v, attn_mask, dropout_p if training else 0.0, is_causal, need_weights, bsz,
                           num_heads)
    if weights is not None and average_attn_weights:
        weights = weights.mean(1)
    out = out.transpose(0, 1).reshape(tgt_len, bsz, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    if not batched:
        out = out.squeeze(1)
        weights = weights.squeeze(0) if weights is not None else None
    return out, weights
