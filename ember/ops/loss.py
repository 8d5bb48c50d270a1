"""Fused loss primitives: cross-entropy, nll_loss, binary cross-entropy (plain and with logits), smooth L1/Huber,
CTC.

These are the losses whose composition from elementwise ops would be slow
(cross-entropy runs on every training step) or numerically fragile (log of a
probability, exp of a large logit). Each forward is one vectorised NumPy pass
over the whole batch (CTC loops over time only); each backward is written
with Tensor ops, or with a second primitive whose own backward is, so double
backward works (CTC has none, as in torch).

The simpler losses (mse, l1, kl_div, margins...) are composed from Tensor ops
in ``ember/nn/_functional/loss.py``.
"""
import numpy as np

from .. import backend
from ..autograd import grad_mode
from ..autograd.function import Function
from ..tensor import Tensor
from ._util import promote

REDUCTIONS = {'none': 0, 'mean': 1, 'sum': 2}


def reduction_enum(reduction):
    """torch's ``_Reduction.get_enum``: 'none' -> 0, 'mean' -> 1, 'sum' -> 2; ValueError otherwise."""
    if reduction == 'elementwise_mean':
        return 1
    try:
        return REDUCTIONS[reduction]
    except (KeyError, TypeError):
        raise ValueError(f"{reduction} is not a valid value for reduction") from None


def legacy_reduction(size_average, reduce):
    """torch's ``_Reduction.legacy_get_string``: the reduction named by the deprecated flags."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        return 'mean'
    return 'sum' if reduce else 'none'


def check_not_differentiable(tensor, fn, arg):
    """torch refuses a ``requires_grad`` tensor for an argument it does not differentiate."""
    if isinstance(tensor, Tensor) and tensor.requires_grad and grad_mode.state.enabled:
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument '{arg}'. "
                           "This input cannot have requires_grad True.")


def broadcast_shape(a, b):
    """The broadcast of shapes ``a`` and ``b``, or torch's RuntimeError naming the first mismatch."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                               f"non-singleton dimension {i}")
    return tuple(max(x, y) if x and y else 0 for x, y in zip(a, b))


def _reduce(loss, reduction):
    if reduction == 1:
        return loss.mean()
    if reduction == 2:
        return loss.sum()
    return loss


def _grad_scale(grad, reduction, count):
    """The upstream gradient as an array broadcastable to the per-element loss."""
    return grad if reduction == 0 else grad / count if reduction == 1 else grad


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


# ---- class-index targets: cross_entropy and nll_loss ------------------------------------------

def unsqueeze_class(v):
    """A per-sample array ``(N, d1, ...)`` as ``(N, 1, d1, ...)``, to broadcast over classes; numbers pass."""
    return v[:, None] if getattr(v, 'ndim', 0) else v


class ClassTargets:
    """Per-sample coefficients of a class-index loss over input ``(N, C, d1, ...)``.

    The loss of sample i is ``sum_c Q[i, c] * (-log p[i, c])`` with
    ``Q = a * onehot(target) + b``: ``a`` is the target's class weight times
    ``1 - label_smoothing`` (0 where the target is ignored) and ``b`` spreads
    ``label_smoothing / C`` over the classes (times their weights). ``S`` is
    ``sum_c Q``. 'mean' divides by the summed weights of the kept targets.
    ``a`` and ``S`` are per-sample arrays ``(N, d1, ...)``, or plain numbers
    in the common unweighted case with nothing ignored (which saves passes).
    """
    __slots__ = ('index', 'a', 'b', 'S', 'denom', 'reduction')

    def __init__(self, target, num_classes, dtype, weight, ignore_index, smoothing, reduction):
        t, valid = target, None
        lo, hi = (int(t.min()), int(t.max())) if t.size else (0, 0)
        if lo <= ignore_index <= hi and (t == ignore_index).any():
            valid = t != ignore_index
            t = np.where(valid, t, 0)
            lo, hi = int(t.min()), int(t.max())
        if lo < 0 or hi >= num_classes:
            bad = (target < 0) | (target >= num_classes)
            bad = bad & valid if valid is not None else bad
            raise IndexError(f"Target {int(target[bad][0])} is out of bounds.")
        xp = backend.get_array_module(target)
        grids = [xp.arange(n).reshape((-1,) + (1,) * (t.ndim - 1 - i)) for i, n in enumerate(t.shape)]
        self.index = (grids[0], t) + tuple(grids[1:])  # x[index] picks each sample's target logit
        if weight is not None:
            wt = weight[t] * valid if valid is not None else weight[t]
        else:
            wt = valid.astype(dtype) if valid is not None else 1.0
        self.reduction = reduction
        # 'mean' divides by the weights of the kept targets, as torch's nll_loss
        self.denom = wt.sum() if getattr(wt, 'ndim', 0) else float(t.size)
        self.a = wt * (1 - smoothing) if smoothing else wt
        self.b = None
        self.S = self.a
        if smoothing:
            wc = weight.reshape((1, num_classes) + (1,) * (t.ndim - 1)) if weight is not None else 1.0
            kept = unsqueeze_class(valid).astype(dtype) if valid is not None else 1.0
            self.b = kept * wc * (smoothing / num_classes)
            total = float(weight.sum()) if weight is not None else num_classes
            self.S = self.a + (valid.astype(dtype) if valid is not None else 1.0) * (smoothing / num_classes * total)

    def dense(self, like):
        """Q as a dense array shaped like the input."""
        q = backend.get_array_module(like).zeros_like(like)
        q[self.index] = self.a
        return q + self.b if self.b is not None else q

    def onehot(self, like):
        """The one-hot encoding of the targets, shaped and typed like the input."""
        q = backend.get_array_module(like).zeros_like(like)
        q[self.index] = 1
        return q

    def reduce(self, loss):
        """Apply the reduction to the per-sample loss ``(N, d1, ...)``."""
        if self.reduction == 1:
            if isinstance(self.denom, float) and self.denom:  # the common case: no 0/0 to silence
                return loss.sum() / self.denom
            with np.errstate(invalid='ignore', divide='ignore'):
                return loss.sum() / self.denom
        return _reduce(loss, self.reduction)

    def grad_scale(self, grad):
        """The upstream gradient per sample ``(N, d1, ...)`` or as a scalar; zero when every target is ignored."""
        if self.reduction == 1:
            return grad / self.denom if self.denom != 0 else grad * 0
        return grad

    def grad_scale_t(self, grad):
        """``grad_scale`` as Tensor ops broadcasting over classes, for double backward."""
        if self.reduction == 0:
            return grad.unsqueeze(1)
        if self.reduction == 1:
            return grad / float(self.denom) if self.denom != 0 else grad * 0
        return grad

    def sum_back(self, t):
        """Adjoint of ``grad_scale_t``: fold ``(N, C, d1, ...)`` back to the loss's shape."""
        t = t.sum(1)
        if self.reduction == 0:
            return t
        return self.grad_scale_t(t.sum())


def _is_one(v):
    """Whether a ClassTargets coefficient is the plain number 1 (so multiplying by it can be skipped)."""
    return isinstance(v, float) and v == 1.0


def _as_tensor(v):
    return Tensor._wrap(unsqueeze_class(v)) if getattr(v, 'ndim', 0) else v


class CrossEntropy(Function):
    """log_softmax over dim 1 and nll_loss in one pass; backward is ``scale * (S * softmax - Q)``."""
    raw = True

    @staticmethod
    def forward(ctx, x, plan=None):
        m = x.max(axis=1, keepdims=True)
        e = x - m
        np.exp(e, out=e)
        s = e.sum(axis=1, keepdims=True)
        lse = np.log(s) + m
        e /= s  # e is now softmax(x), kept for the backward
        # S and a are plain 1.0 without class weights, ignored targets or smoothing: skip those passes.
        picked = x[plan.index]
        lse_term = lse[:, 0] if _is_one(plan.S) else plan.S * lse[:, 0]
        loss = lse_term - (picked if _is_one(plan.a) else plan.a * picked)
        if plan.b is not None:
            loss = loss - (plan.b * x).sum(axis=1)
        ctx.save_for_backward(x)
        ctx.plan, ctx.softmax, ctx.lse = plan, e, lse
        return plan.reduce(loss)

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return CrossEntropyGrad.apply(x, grad, plan=ctx.plan, softmax=ctx.softmax, lse=ctx.lse)


class CrossEntropyGrad(Function):
    """The input gradient of CrossEntropy, ``g * (S * softmax(x) - Q)``, as its own differentiable primitive."""
    raw = True

    @staticmethod
    def forward(ctx, x, grad, plan=None, softmax=None, lse=None):
        g = plan.grad_scale(grad)
        out = softmax * unsqueeze_class(g * plan.S)
        out[plan.index] -= g * plan.a
        if plan.b is not None:
            out -= unsqueeze_class(g) * plan.b
        ctx.save_for_backward(x, grad)
        ctx.plan, ctx.lse = plan, lse
        return out

    @staticmethod
    def backward(ctx, g2):
        x, grad = ctx.saved_tensors
        plan = ctx.plan
        # softmax rebuilt from Tensor ops so that higher orders differentiate it too;
        # shifting by the saved logsumexp keeps exp in range.
        e = (x - Tensor._wrap(ctx.lse)).exp()
        p = e / e.sum(1, keepdim=True)
        S = _as_tensor(plan.S)
        gx = gg = None
        if ctx.needs_input_grad[0]:
            u = g2 * p
            gx = (u - p * u.sum(1, keepdim=True)) * (plan.grad_scale_t(grad) * S)
        if ctx.needs_input_grad[1]:
            gg = plan.sum_back(g2 * (p * S - Tensor._wrap(plan.dense(x._data))))
        return gx, gg


class NllLoss(Function):
    """``-weight[target] * input[target]`` over dim 1, reduced as torch's nll_loss."""
    raw = True

    @staticmethod
    def forward(ctx, x, plan=None):
        ctx.save_for_backward(x)
        ctx.plan = plan
        return plan.reduce(-(plan.a * x[plan.index]))

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return NllLossGrad.apply(x, grad, plan=ctx.plan)


class NllLossGrad(Function):
    """The input gradient of NllLoss, ``-g * Q``: linear in ``g``, constant in the input.

    It takes the input anyway so that, as in torch, the gradient is part of
    the graph of the input (its own gradient there is zero).
    """
    raw = True

    @staticmethod
    def forward(ctx, x, grad, plan=None):
        q = _neg_dense(plan, x)
        ctx.plan, ctx.q = plan, q
        return q * unsqueeze_class(plan.grad_scale(grad))

    @staticmethod
    def backward(ctx, g2):
        gg = ctx.plan.sum_back(g2 * Tensor._wrap(ctx.q)) if ctx.needs_input_grad[1] else None
        gx = Tensor._wrap(backend.get_array_module(ctx.q).zeros_like(ctx.q)) if ctx.needs_input_grad[0] else None
        return gx, gg


def _neg_dense(plan, like):
    """``-Q``, the nll gradient per unit of upstream gradient, shaped like the input."""
    q = backend.get_array_module(like).zeros_like(like)
    q[plan.index] = -plan.a
    return q


# ---- binary targets --------------------------------------------------------------------------

class BinaryCrossEntropy(Function):
    """``-w * (y * log(x) + (1 - y) * log(1 - x))`` with each log clamped at -100, as torch."""
    raw = True

    @staticmethod
    def forward(ctx, x, y, weight=None, reduction=1):
        if not ((x >= 0) & (x <= 1)).all():
            raise RuntimeError("all elements of input should be between 0 and 1")
        ctx.save_for_backward(x, y)  # before promotion, so that the saved values are the inputs' own
        x, y = promote(x, y)
        with np.errstate(divide='ignore'):
            loss = -(y * np.maximum(np.log(x), -100) + (1 - y) * np.maximum(np.log1p(-x), -100))
        if weight is not None:
            loss = loss * weight
        ctx.weight, ctx.reduction = weight, reduction
        return _reduce(loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        g = _grad_scale(grad, ctx.reduction, x.numel())
        if ctx.weight is not None:
            g = g * Tensor._wrap(ctx.weight)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            # torch's EPSILON keeps the gradient finite at x = 0 or 1
            gx = g * (x - y) / ((1 - x) * x).clamp(min=1e-12)
        if ctx.needs_input_grad[1]:
            gy = g * ((-x).log1p() - x.log())
        return gx, gy


def _log_sigmoid(x):
    """log(sigmoid(x)) without overflow, on arrays."""
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def _log_sigmoid_t(x):
    """log(sigmoid(x)) without overflow, as Tensor ops."""
    return x.clamp(max=0) - (-x.abs()).exp().log1p()


class BinaryCrossEntropyWithLogits(Function):
    """``w * ((1 - y) * x - (1 + (pos_weight - 1) * y) * log_sigmoid(x))``, stable for any logit."""
    raw = True

    @staticmethod
    def forward(ctx, x, y, weight=None, pos_weight=None, reduction=1):
        ctx.save_for_backward(x, y)
        # torch computes in place into a buffer of the target's dtype, so that dtype wins
        out_dtype = y.dtype if y.dtype.kind == 'f' else None
        x, y = promote(x, y)
        ls = _log_sigmoid(x)
        coef = (pos_weight - 1) * y + 1 if pos_weight is not None else 1
        loss = (1 - y) * x - coef * ls
        if weight is not None:
            loss = loss * weight
        ctx.weight, ctx.pos_weight, ctx.reduction = weight, pos_weight, reduction
        return _reduce(loss if out_dtype is None else loss.astype(out_dtype, copy=False), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        g = _grad_scale(grad, ctx.reduction, x.numel())
        if ctx.weight is not None:
            g = g * Tensor._wrap(ctx.weight)
        pw = Tensor._wrap(ctx.pos_weight) if ctx.pos_weight is not None else None
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * (x.sigmoid() - y) if pw is None else g * (((pw - 1) * y + 1) * x.sigmoid() - pw * y)
        if ctx.needs_input_grad[1]:
            gy = -g * x if pw is None else g * (-x - (pw - 1) * _log_sigmoid_t(x))
        return gx, gy


# ---- robust regression -----------------------------------------------------------------------

def _huber_forward(ctx, x, y, delta, reduction):
    ctx.save_for_backward(x, y)
    ctx.delta, ctx.reduction = delta, reduction
    x, y = promote(x, y)
    d = x - y
    return d, np.abs(d)


class HuberLoss(Function):
    """``0.5 d^2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 delta)``, with ``d = x - y``."""
    raw = True

    @staticmethod
    def forward(ctx, x, y, delta=1.0, reduction=1):
        d, ad = _huber_forward(ctx, x, y, delta, reduction)
        loss = np.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))
        return _reduce(loss.astype(x.dtype, copy=False), reduction)  # torch's huber keeps the input's dtype

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        # clamp's own backward gives the second derivative: 1 inside the quadratic zone, 0 outside
        g = _grad_scale(grad, ctx.reduction, _numel(np.broadcast_shapes(x.shape, y.shape)))
        gx = g * (x - y).clamp(-ctx.delta, ctx.delta)
        return gx, -gx


class SmoothL1Loss(Function):
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``, with ``d = x - y``."""
    raw = True

    @staticmethod
    def forward(ctx, x, y, delta=1.0, reduction=1):
        d, ad = _huber_forward(ctx, x, y, delta, reduction)
        return _reduce(np.where(ad < delta, 0.5 * d * d / delta, ad - 0.5 * delta), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        g = _grad_scale(grad, ctx.reduction, _numel(np.broadcast_shapes(x.shape, y.shape)))
        gx = g * ((x - y) / ctx.delta).clamp(-1, 1)
        return gx, -gx


__all__ = ()
TENSOR_METHODS = ()


# ---- connectionist temporal classification ---------------------------------------------------

def _logsumexp3(a, b, c):
    m = np.maximum(np.maximum(a, b), c)
    m = np.where(np.isinf(m), 0, m)  # all -inf: keep -inf instead of nan
    with np.errstate(divide='ignore'):
        return m + np.log(np.exp(a - m) + np.exp(b - m) + np.exp(c - m))


def _shift(v, k, fill):
    """``v`` moved k places along the last axis (right for k > 0), the gap filled with ``fill``."""
    out = np.full_like(v, fill)
    if k > 0:
        out[..., k:] = v[..., :-k]
    else:
        out[..., :k] = v[..., -k:]
    return out


class CtcLoss(Function):
    """CTC negative log-likelihood by the alpha-beta recursions over time, vectorised over batch and labels.

    ``ext`` is each target with blanks around every label (length ``2 S + 1``);
    a path may stay, move one step, or skip a blank between two different
    labels. As torch's, the gradient with respect to ``log_probs`` is
    ``exp(lp) - posterior``, the one that log_softmax's backward passes on
    unchanged; like torch's, it has no double backward.
    """
    raw = True

    @staticmethod
    def forward(ctx, lp, targets=None, input_lengths=None, target_lengths=None, blank=0, reduction=1,
                zero_infinity=False):
        T, N, C = lp.shape
        xp = backend.get_array_module(lp)
        L = 2 * targets.shape[1] + 1
        ext = xp.full((N, L), blank, dtype=np.int64)
        ext[:, 1::2] = targets
        skip = (ext != blank) & (ext != _shift(ext, 2, blank))
        within = xp.arange(L)[None] < (2 * target_lengths + 1)[:, None]
        lpe = lp[:, xp.arange(N)[:, None], ext]                                  # (T, N, L)
        neg = -np.inf
        alpha = xp.full((T, N, L), neg, dtype=lp.dtype)
        alpha[0, :, :2] = lpe[0, :, :2]
        alpha[0] = np.where(within, alpha[0], neg)
        for t in range(1, T):
            prev = alpha[t - 1]
            new = _logsumexp3(prev, _shift(prev, 1, neg), np.where(skip, _shift(prev, 2, neg), neg)) + lpe[t]
            alpha[t] = np.where((t < input_lengths)[:, None], np.where(within, new, neg), prev)
        rows, last = xp.arange(N), 2 * target_lengths
        a_end = alpha[np.maximum(input_lengths - 1, 0), rows]
        ll = np.logaddexp(a_end[rows, last], np.where(last > 0, a_end[rows, np.maximum(last - 1, 0)], neg))
        nll = -ll
        ctx.save_for_backward(lp)
        ctx.saved = (ext, skip, within, lpe, alpha, nll, input_lengths, target_lengths, reduction, zero_infinity)
        if zero_infinity:
            nll = np.where(np.isinf(nll), 0, nll)
        if reduction == 1:
            return (nll / np.maximum(target_lengths, 1).astype(lp.dtype)).mean()
        return nll.sum() if reduction == 2 else nll

    @staticmethod
    def backward(ctx, grad):
        lp, = ctx.saved_tensors
        ext, skip, within, lpe, alpha, nll, il, tl, reduction, zero_inf = ctx.saved
        lp = lp._data
        T, N, C = lp.shape
        xp = backend.get_array_module(lp)
        neg = -np.inf
        beta = xp.full_like(alpha, neg)
        rows, last = xp.arange(N), 2 * tl
        skip_next = _shift(skip, -2, False)
        for t in range(T - 1, -1, -1):
            nxt = beta[t + 1] if t + 1 < T else beta[t]
            new = _logsumexp3(nxt, _shift(nxt, -1, neg), np.where(skip_next, _shift(nxt, -2, neg), neg)) + lpe[t]
            init = xp.full((N, alpha.shape[2]), neg, dtype=lp.dtype)
            init[rows, last] = lpe[t, rows, last]
            init[rows, np.maximum(last - 1, 0)] = np.where(last > 0, lpe[t, rows, np.maximum(last - 1, 0)],
                                                          init[rows, 0])
            beta[t] = np.where((t == il - 1)[:, None], init, np.where((t < il - 1)[:, None] & within, new, neg))
        ab = alpha + beta
        m = ab.max(axis=2, keepdims=True)
        m = np.where(np.isinf(m), 0, m)
        e = np.exp(ab - m)
        post = xp.zeros_like(lp)
        # blanks fill every even position; the labels are added one position at a time
        post[:, rows, ext[:, 0]] += e[:, :, 0::2].sum(axis=2)
        for s in range(1, ext.shape[1], 2):
            post[:, rows, ext[:, s]] += e[:, :, s]
        with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
            g = np.exp(lp) - np.exp(np.log(post) + m + nll[None, :, None] - lp)
        keep = xp.arange(T)[:, None] < il[None, :]
        if zero_inf:
            keep = keep & ~np.isinf(nll)[None, :]
        g = np.where(keep[:, :, None], g, 0).astype(lp.dtype, copy=False)
        if reduction == 1:
            scale = 1.0 / (N * np.maximum(tl, 1)).astype(lp.dtype)
            return grad * Tensor._wrap(g * scale[None, :, None])
        if reduction == 2:
            return grad * Tensor._wrap(g)
        return grad.reshape(1, N, 1) * Tensor._wrap(g)
