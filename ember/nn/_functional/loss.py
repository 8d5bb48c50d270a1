"""Loss functions (``F.cross_entropy``, ``F.mse_loss``...), as ``torch.nn.functional``.

Every loss takes ``reduction`` in 'mean' | 'sum' | 'none' (and the
deprecated ``size_average``/``reduce`` flags where torch still does). The
hot or fragile ones run fused primitives from ``ember/ops/loss.py``; the
rest are the Tensor-op compositions torch itself uses, so their gradients
and double backward follow from the ops.
"""
import math
import warnings

import numpy as np

from ... import backend
from ...autograd import grad_mode
from ...ops import loss as L
from ...tensor import Tensor
from .activation import logsigmoid
from .distance import pairwise_distance

__all__ = ('cross_entropy', 'nll_loss', 'binary_cross_entropy', 'binary_cross_entropy_with_logits', 'mse_loss',
           'l1_loss', 'smooth_l1_loss', 'huber_loss', 'kl_div', 'poisson_nll_loss', 'gaussian_nll_loss',
           'cosine_embedding_loss', 'margin_ranking_loss', 'hinge_embedding_loss', 'triplet_margin_loss',
           'triplet_margin_with_distance_loss', 'multilabel_margin_loss',
           'soft_margin_loss', 'multilabel_soft_margin_loss', 'multi_margin_loss', 'ctc_loss')


def _enum(size_average, reduce, reduction):
    """The reduction as 0/1/2, honouring the deprecated flags as torch does."""
    if size_average is not None or reduce is not None:
        reduction = L.legacy_reduction(size_average, reduce)
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                      "instead.", stacklevel=3)
    return L.reduction_enum(reduction)


def _reduce(loss, enum):
    return loss.mean() if enum == 1 else loss.sum() if enum == 2 else loss


def _warn_size(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
                      "Please ensure they have the same size.", stacklevel=3)
    L.broadcast_shape(input.shape, target.shape)


def _weighted(loss, weight, input, enum, by_weight=True):
    """torch's optional elementwise ``weight`` of mse/l1/huber: their 'mean' divides by the summed weights
    (mse, l1) or by the element count (huber)."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    return loss.sum() / weight.sum() if enum == 1 and by_weight else _reduce(loss, enum)


_TYPE_NAMES = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'bfloat16': 'BFloat16', 'int64': 'Long',
               'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte', 'bool': 'Bool'}


def _dtype_name(t):
    """torch's scalar type name of a tensor's dtype ('Float', 'Long'...)."""
    return _TYPE_NAMES.get(t.dtype.name, t.dtype.name)


# ---- classification over class indices or probabilities --------------------------------------

def _class_targets(input, target, weight, ignore_index, smoothing, enum, fn):
    """Validate a class-index loss's arguments as torch; return input as ``(N, C, ...)`` and its ClassTargets."""
    if input.ndim == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    if target.dtype.name not in ('int64', 'uint8'):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_dtype_name(target)}")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{fn}" not implemented for \'{_dtype_name(input)}\'')
    if input.ndim == 1:
        if target.ndim > 1 or target.numel() != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.numel()}")
        input, target = input.unsqueeze(0), target.reshape(1)
    n, c = input.shape[0], input.shape[1]
    if target.ndim == 0 or target.shape[0] != n:
        raise ValueError(f"Expected input batch_size ({n}) to match target batch_size "
                         f"({target.shape[0] if target.ndim else 0}).")
    if input.ndim == 2 and target.ndim != 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.ndim > 2 and tuple(target.shape) != (n,) + tuple(input.shape[2:]):
        if input.ndim == 4 and target.ndim != 3:
            raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got targets of "
                               f"dimension: {target.ndim}")
        raise RuntimeError(f"Expected target size {[n] + list(input.shape[2:])}, got {list(target.shape)}")
    w = None
    if weight is not None:
        if weight.ndim != 1 or weight.numel() != c:
            raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no classes but "
                               f"got weight tensor of shape: {list(weight.shape)}")
        if weight.dtype != input.dtype:
            raise RuntimeError(f"expected scalar type {_dtype_name(input)} but found {_dtype_name(weight)}")
        w = weight._data
    plan = L.ClassTargets(target._data, c, input._data.dtype, w, ignore_index, smoothing, enum)
    return input, plan


def _soft_cross_entropy(input, target, weight, smoothing, enum):
    """Cross-entropy against class probabilities, composed as torch does (target and weight differentiable)."""
    squeeze = input.ndim == 1
    if squeeze:
        input, target = input.unsqueeze(0), target.unsqueeze(0)
    c = input.shape[1]
    if smoothing > 0:
        target = target * (1 - smoothing) + smoothing / c
    prod = input.log_softmax(1) * target
    if weight is not None:
        prod = prod * weight.reshape((1, c) + (1,) * (input.ndim - 2))
    loss = -prod.sum(1)
    if enum == 1:
        return loss.sum() / (input.numel() // c if input.numel() else 0.0)
    return loss.sum() if enum == 2 else loss.squeeze(0) if squeeze else loss


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction='mean', label_smoothing=0.0):
    r"""Cross-entropy between logits ``input`` and class indices (or class probabilities) ``target``.

    .. math:: \ell_i = -\sum_c q_{i,c}\, w_c \log \mathrm{softmax}(x_i)_c

    where ``q`` is the one-hot target (or the given probabilities), mixed
    with the uniform distribution by ``label_smoothing``. With class
    indices, 'mean' divides by the summed weights of the non-ignored targets.

    Shape:
        input ``(C)``, ``(N, C)`` or ``(N, C, d1, ...)``; target ``()``, ``(N)``
        or ``(N, d1, ...)`` of int64, or the shape of input for probabilities.

    Example::

        >>> F.cross_entropy(ember.tensor([[2.0, 0.5, -1.0]]), ember.tensor([0]))
        tensor(0.2413)
    """
    enum = _enum(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if target.dtype.is_floating_point and target.shape == input.shape and input.ndim > 0:
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _soft_cross_entropy(input, target, weight, label_smoothing, enum)
    L.check_not_differentiable(weight, 'nll_loss_forward', 'weight')
    squeeze = input.ndim == 1 and enum == 0
    x, plan = _class_targets(input, target, weight, ignore_index, label_smoothing, enum, 'log_softmax')
    out = L.CrossEntropy.apply(x, plan=plan)
    return out.squeeze(0) if squeeze else out


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'):
    r"""Negative log-likelihood of class indices ``target`` under log-probabilities ``input``.

    .. math:: \ell_i = -w_{y_i}\, x_{i, y_i}

    'mean' divides by :math:`\sum_i w_{y_i}` over the non-ignored targets.

    Example::

        >>> F.nll_loss(ember.tensor([[-0.1, -2.5]]), ember.tensor([0]))
        tensor(0.1000)
    """
    enum = _enum(size_average, reduce, reduction)
    L.check_not_differentiable(weight, 'nll_loss_forward', 'weight')
    squeeze = input.ndim == 1 and enum == 0
    x, plan = _class_targets(input, target, weight, ignore_index, 0.0, enum, 'nll_loss')
    out = L.NllLoss.apply(x, plan=plan)
    return out.squeeze(0) if squeeze else out


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    r"""Binary cross-entropy between probabilities ``input`` and ``target``; each log is clamped at -100.

    .. math:: \ell = -w\,[y \log x + (1 - y) \log(1 - x)]
    """
    enum = _enum(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    L.check_not_differentiable(weight, 'binary_cross_entropy', 'weight')
    if target.dtype != input.dtype:
        raise RuntimeError(f"Found dtype {_dtype_name(target)} but expected {_dtype_name(input)}")
    w = None
    if weight is not None:
        shape = L.broadcast_shape(target.shape, weight.shape)
        w = np.broadcast_to(weight._data, shape).astype(input._data.dtype)
    return L.BinaryCrossEntropy.apply(input, target, weight=w, reduction=enum)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction='mean', pos_weight=None):
    r"""Sigmoid and binary cross-entropy in one numerically stable step.

    .. math:: \ell = -w\,[p\,y \log \sigma(x) + (1 - y) \log(1 - \sigma(x))]

    ``pos_weight`` (one value per class, broadcast over the last dim) weighs the positive term.
    """
    enum = _enum(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    L.check_not_differentiable(weight, 'binary_cross_entropy_with_logits', 'weight')
    L.check_not_differentiable(pos_weight, 'binary_cross_entropy_with_logits', 'pos_weight')
    dt = input._data.dtype
    w = None if weight is None else weight._data.astype(dt, copy=False)
    pw = None if pos_weight is None else pos_weight._data.astype(dt, copy=False)
    for extra in (w, pw):
        if extra is not None:
            L.broadcast_shape(input.shape, extra.shape)
    return L.BinaryCrossEntropyWithLogits.apply(input, target, weight=w, pos_weight=pw, reduction=enum)


# ---- regression ------------------------------------------------------------------------------

def _regression_args(input, target, name):
    _warn_size(input, target)
    if not input.dtype.is_floating_point and not target.dtype.is_floating_point:
        raise NotImplementedError(f'"{name}" not implemented for \'{_dtype_name(input)}\'')


def mse_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    r"""Mean squared error :math:`(x - y)^2`, optionally weighted elementwise."""
    enum = _enum(size_average, reduce, reduction)
    _regression_args(input, target, 'mse_cpu')
    d = input - target
    loss = d * d
    return _weighted(loss, weight, input, enum) if weight is not None else _reduce(loss, enum)


def l1_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    r"""Mean absolute error :math:`|x - y|`, optionally weighted elementwise."""
    enum = _enum(size_average, reduce, reduction)
    _regression_args(input, target, 'l1_cpu')
    loss = (input - target).abs()
    return _weighted(loss, weight, input, enum) if weight is not None else _reduce(loss, enum)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction='mean', beta=1.0):
    r"""Quadratic below ``beta``, linear above.

    .. math:: \ell = 0.5 d^2 / \beta \text{ if } |d| < \beta \text{ else } |d| - 0.5 \beta, \quad d = x - y
    """
    enum = _enum(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, reduction=('none', 'mean', 'sum')[enum])
    _regression_args(input, target, 'smooth_l1_cpu')
    return L.SmoothL1Loss.apply(input, target, delta=float(beta), reduction=enum)


def huber_loss(input, target, reduction='mean', delta=1.0, weight=None):
    r"""Quadratic below ``delta``, linear above.

    .. math:: \ell = 0.5 d^2 \text{ if } |d| < \delta \text{ else } \delta (|d| - 0.5 \delta), \quad d = x - y
    """
    enum = L.reduction_enum(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _regression_args(input, target, 'huber_cpu')
    if weight is None:
        return L.HuberLoss.apply(input, target, delta=float(delta), reduction=enum)
    return _weighted(L.HuberLoss.apply(input, target, delta=float(delta), reduction=0), weight, input, enum, False)


def _xlogx(t):
    """``t * log(t)`` with the limit 0 at ``t = 0`` (torch's ``xlogy(t, t)``)."""
    zero = (t == 0).to(t.dtype)
    return t * (t + zero).log()


def kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False):
    r"""Kullback-Leibler divergence of ``target`` from log-probabilities ``input``.

    .. math:: \ell = y (\log y - x)

    'batchmean' divides the sum by the batch size (the mathematical KL);
    'mean' divides by the number of elements.
    """
    if size_average is not None or reduce is not None:
        enum = _enum(size_average, reduce, None)
    elif reduction == 'batchmean':
        enum = 2
    else:
        if reduction == 'mean':
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        enum = L.reduction_enum(reduction)
    L.broadcast_shape(input.shape, target.shape)
    loss = target.exp() * (target - input) if log_target else _xlogx(target) - target * input
    out = _reduce(loss, enum)
    if reduction == 'batchmean' and input.ndim != 0:
        out = out / input.shape[0]
    return out


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction='mean'):
    r"""Poisson negative log-likelihood: :math:`e^x - y x` (``log_input``) or :math:`x - y \log(x + \epsilon)`.

    ``full`` adds the Stirling term :math:`y \log y - y + \tfrac12 \log(2\pi y)` where ``y > 1``.
    """
    enum = _enum(size_average, reduce, reduction)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        # computed on max(y, 1) so that masked-out entries stay finite (their gradient is zero either way)
        y = target.clamp(min=1)
        stirling = y * y.log() - y + 0.5 * (2 * math.pi * y).log()
        loss = loss + stirling * (target > 1).to(stirling.dtype)
    return _reduce(loss, enum)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction='mean'):
    r"""Gaussian negative log-likelihood :math:`\tfrac12 (\log \sigma^2 + (x - y)^2 / \sigma^2)`.

    ``var`` matches ``input``'s shape, lacks its last dim, has one mismatched
    dim of size 1, or is a float; it is clamped at ``eps`` without stopping its gradient.
    """
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = Tensor._wrap(np.full_like(input._data, var))
    elif bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.ndim == var.ndim and sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + " is not valid")
    # torch clamps a clone in place under no_grad: the value is clamped, the gradient passes unchanged
    var = var.clone()
    with grad_mode.no_grad():
        var._data[...] = np.maximum(var._data, eps)
    d = input - target
    loss = 0.5 * (var.log() + d * d / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, L.REDUCTIONS[reduction])


# ---- margins and embeddings ------------------------------------------------------------------

def _mask(cond, like):
    """A boolean condition as a constant float tensor (torch's ``where(cond, a, 0)`` is ``a * mask``)."""
    return cond.to(like.dtype)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction='mean'):
    r"""``1 - cos(x1, x2)`` where the target is 1, ``max(0, cos(x1, x2) - margin)`` where it is -1."""
    enum = _enum(size_average, reduce, reduction)
    td = target.ndim
    if td > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if td == 1 and not (input1.ndim == 2 and input2.ndim == 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    if td == 0 and not (input1.ndim == 1 and input2.ndim == 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    L.broadcast_shape(input1.shape, input2.shape)
    eps = 1e-12  # torch's EPSILON keeps the norm of a zero vector away from 0
    prod = (input1 * input2).sum(td)
    mag = (((input1 * input1).sum(td) + eps) * ((input2 * input2).sum(td) + eps)).sqrt()
    cos = prod / mag
    pos = (1 - cos) * _mask(target == 1, cos)
    neg = (cos - margin).clamp(min=0) * _mask(target == -1, cos)
    return _reduce(pos + neg, enum)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction='mean'):
    r""":math:`\max(0, -y (x_1 - x_2) + \mathrm{margin})`: ``y = 1`` wants ``x1`` ranked above ``x2``."""
    enum = _enum(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), enum)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction='mean'):
    r""":math:`x` where the target is 1, :math:`\max(0, \mathrm{margin} - x)` where it is -1."""
    enum = _enum(size_average, reduce, reduction)
    L.broadcast_shape(input.shape, target.shape)
    hinge = (margin - input).clamp(min=0) * _mask(target != 1, input)
    return _reduce(hinge + input * _mask(target != -1, input), enum)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction='mean'):
    r""":math:`\max(d(a, p) - d(a, n) + \mathrm{margin}, 0)` with the pairwise p-norm distance ``d``."""
    enum = _enum(size_average, reduce, reduction)
    return triplet_margin_with_distance_loss(anchor, positive, negative, margin=margin, swap=swap,
                                             reduction=('none', 'mean', 'sum')[enum],
                                             distance_function=lambda a, b: pairwise_distance(a, b, p, eps))


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False,
                                      reduction='mean'):
    r""":math:`\max(d(a, p) - d(a, n) + \mathrm{margin}, 0)` for any distance ``d`` (default: pairwise L2)."""
    enum = L.reduction_enum(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")
    d = distance_function if distance_function is not None else pairwise_distance
    d_pos, d_neg = d(anchor, positive), d(anchor, negative)
    if swap:
        d_neg = d_neg.minimum(d(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp(min=0), enum)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    r"""Two-class logistic loss :math:`\log(1 + e^{-y x})` for targets in {1, -1}."""
    enum = _enum(size_average, reduce, reduction)
    L.check_not_differentiable(target, 'soft_margin_loss', 'target')
    L.broadcast_shape(input.shape, target.shape)
    loss = (-target * input).exp().log1p()
    return _reduce(loss if loss.dtype == input.dtype else loss.to(input.dtype), enum)  # torch keeps input's dtype


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    r"""Per-class logistic loss averaged over the C classes: one value per sample before reduction."""
    if size_average is not None or reduce is not None:
        reduction = L.legacy_reduction(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(input.ndim - 1) / input.shape[-1]
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, L.REDUCTIONS[reduction])


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction='mean'):
    r"""Multi-class hinge loss :math:`\sum_{i \ne y} \max(0, \mathrm{margin} - x_y + x_i)^p / C`."""
    enum = _enum(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    if input.ndim not in (1, 2) or input.numel() == 0:
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")
    n = input.shape[0] if input.ndim == 2 else 1
    if target.ndim > 1 or target.numel() != n:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{n}], but got {list(target.shape)}. Input "
                           f"has shape {list(input.shape)}.")
    squeeze = input.ndim == 1
    try:  # no target is ignored here, and torch words the range error differently
        x, plan = _class_targets(input, target.reshape(n) if squeeze else target, weight, -100 - 2 ** 62, 0.0, 0,
                                 'multi_margin_loss')
    except IndexError:
        raise RuntimeError("target out of range") from None
    onehot = Tensor._wrap(plan.onehot(x._data))
    x_y = (x * onehot).sum(1, keepdim=True)
    z = (margin - x_y + x).clamp(min=0)
    z = (z * z if p == 2 else z) * (1 - onehot)
    if weight is not None:
        z = z * Tensor._wrap(L.unsqueeze_class(plan.a))
    loss = z.sum(1) / x.shape[1]
    return loss.squeeze(0) if squeeze and enum == 0 else _reduce(loss, enum)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    r"""Multi-label hinge loss :math:`\sum_{j}\sum_{i \notin y} \max(0, 1 - (x_{y_j} - x_i)) / C`.

    ``target`` holds class indices per sample, ended by the first -1.
    """
    enum = _enum(size_average, reduce, reduction)
    if input.ndim > 2 or target.shape != input.shape:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    squeeze = input.ndim < 2
    x, t = (input.reshape(1, -1), target._data.reshape(1, -1)) if squeeze else (input, target._data)
    c = x.shape[1]
    # a slot counts while no -1 came before it
    live = np.cumprod(t != -1, axis=1).astype(bool)
    if ((t < -1) | (t >= c)).any():
        raise RuntimeError("argument #2 'target' is out of range")
    idx = np.where(live, t, 0)
    rows = np.arange(x.shape[0])[:, None]
    is_target = np.zeros(x.shape, dtype=bool)
    is_target[np.broadcast_to(rows, idx.shape)[live], idx[live]] = True
    x_y = x[Tensor._wrap(np.broadcast_to(rows, idx.shape).copy()), Tensor._wrap(idx)]    # (N, S)
    hinge = (1 - x_y.unsqueeze(2) + x.unsqueeze(1)).clamp(min=0)                        # (N, S, C)
    mask = Tensor._wrap((live[:, :, None] & ~is_target[:, None, :]).astype(x._data.dtype))
    loss = (hinge * mask).sum((1, 2)) / c
    return loss.squeeze(0) if squeeze and enum == 0 else _reduce(loss, enum)

def _lengths(lengths, xp):
    data = xp.asarray(lengths._data if isinstance(lengths, Tensor) else lengths)
    return data.astype(np.int64).reshape(-1)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction='mean', zero_infinity=False):
    r"""Connectionist temporal classification loss: :math:`-\log p(\text{target} \mid \text{log\_probs})`.

    Shape:
        log_probs ``(T, N, C)`` or ``(T, C)`` (log_softmax outputs); targets
        ``(N, S)`` padded or 1-D concatenated; the lengths ``(N)`` tensors or
        tuples. 'mean' averages the losses divided by their target lengths.
    """
    enum = L.reduction_enum(reduction)
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
        targets = targets.reshape(1, -1) if targets.ndim <= 1 else targets
    if log_probs.ndim != 3:
        raise RuntimeError(f"ctc_loss: expected log_probs to be 2-D or 3-D, but got {log_probs.ndim}-D")
    T, N, _ = log_probs.shape
    xp = backend.get_array_module(log_probs._data)
    il, tl = _lengths(input_lengths, xp), _lengths(target_lengths, xp)
    for name, v in (('input_lengths', il), ('target_lengths', tl)):
        if v.size != N:
            raise RuntimeError(f"{name} must be of size batch_size")
    if il.size and int(il.max()) > T:
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value {int(il.max())} "
                           "(while checking arguments for ctc_loss_allocate_outputs)")
    tg = targets._data.astype(np.int64)
    if tg.ndim == 1:  # concatenated targets: pad them into (N, max length)
        ends = np.cumsum(tl)
        if N and int(ends[-1]) > tg.size:
            raise RuntimeError(f"Expected tensor to have size at least {int(ends[-1])} at dimension 0, but got "
                               f"size {tg.size} for argument #2 'targets' (while checking arguments for "
                               "ctc_loss_allocate_outputs)")
        width = int(tl.max()) if N else 0
        pos = xp.arange(width)[None]
        tg = np.where(pos < tl[:, None], tg[np.minimum((ends - tl)[:, None] + pos, max(tg.size - 1, 0))], blank) \
            if tg.size else xp.full((N, width), blank, dtype=np.int64)
    elif N and int(tl.max()) > tg.shape[1]:
        raise RuntimeError(f"Expected tensor to have size at least {int(tl.max())} at dimension 1, but got size "
                           f"{tg.shape[1]} for argument #2 'targets' (while checking arguments for "
                           "ctc_loss_allocate_outputs)")
    else:
        tg = tg[:, :int(tl.max()) if N else 0]
    out = L.CtcLoss.apply(log_probs, targets=tg, input_lengths=il, target_lengths=tl, blank=blank,
                          reduction=enum, zero_infinity=zero_infinity)
    return out.squeeze(0) if unbatched and enum == 0 else out
