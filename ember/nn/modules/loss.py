"""Loss modules (``nn.CrossEntropyLoss``, ``nn.MSELoss``...): the functional losses with their options stored.

As in torch, ``_Loss`` keeps ``reduction`` (resolving the deprecated
``size_average``/``reduce`` flags) and ``_WeightedLoss`` registers the class
``weight`` as a buffer, so it follows ``.to()`` and appears in ``state_dict``.
"""
from .. import functional as F
from ..module import Module
from .distance import PairwiseDistance
from ...ops.loss import legacy_reduction

__all__ = ('L1Loss', 'MSELoss', 'CrossEntropyLoss', 'NLLLoss', 'BCELoss', 'BCEWithLogitsLoss', 'KLDivLoss',
           'SmoothL1Loss', 'HuberLoss', 'PoissonNLLLoss', 'GaussianNLLLoss', 'CosineEmbeddingLoss',
           'MarginRankingLoss', 'HingeEmbeddingLoss', 'TripletMarginLoss', 'SoftMarginLoss',
           'MultiLabelSoftMarginLoss', 'MultiMarginLoss', 'CTCLoss', 'TripletMarginWithDistanceLoss',
           'MultiLabelMarginLoss')


class _Loss(Module):
    """Base of the loss modules: holds ``reduction``."""

    def __init__(self, size_average=None, reduce=None, reduction='mean'):
        super().__init__()
        if size_average is not None or reduce is not None:
            self.reduction = legacy_reduction(size_average, reduce)
        else:
            self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with a per-class rescaling ``weight`` buffer."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction='mean'):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer('weight', weight)


class L1Loss(_Loss):
    r"""Mean absolute error :math:`|x - y|`.

    Example::

        >>> nn.L1Loss()(ember.tensor([1.0, 2.0]), ember.tensor([0.0, 4.0]))
        tensor(1.5000)
    """

    def forward(self, input, target):
        """The loss of ``input`` against ``target``."""
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    r"""Mean squared error :math:`(x - y)^2`.

    Example::

        >>> nn.MSELoss()(ember.tensor([1.0, 2.0]), ember.tensor([0.0, 4.0]))
        tensor(2.5000)
    """

    def forward(self, input, target):
        """The loss of ``input`` against ``target``."""
        return F.mse_loss(input, target, reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    r"""Cross-entropy between logits and class indices or class probabilities (see ``F.cross_entropy``).

    Shape:
        input ``(C)``, ``(N, C)`` or ``(N, C, d1, ...)``; target of class indices
        ``()``, ``(N)`` or ``(N, d1, ...)``, or probabilities shaped as input.

    Example::

        >>> loss = nn.CrossEntropyLoss(label_smoothing=0.1)
        >>> loss(ember.randn(4, 10, requires_grad=True), ember.tensor([1, 0, 9, 3])).backward()
    """

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean',
                 label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        """The loss of ``input`` logits against ``target``."""
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    r"""Negative log-likelihood of class indices under log-probabilities :math:`-w_y x_y`."""

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        """The loss of ``input`` log-probabilities against ``target``."""
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class BCELoss(_WeightedLoss):
    r"""Binary cross-entropy of probabilities :math:`-w[y \log x + (1 - y)\log(1 - x)]`."""

    def forward(self, input, target):
        """The loss of ``input`` probabilities against ``target``."""
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    r"""Sigmoid plus binary cross-entropy, numerically stable; ``pos_weight`` weighs positives per class."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction='mean', pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer('weight', weight)
        self.register_buffer('pos_weight', pos_weight)

    def forward(self, input, target):
        """The loss of ``input`` logits against ``target``."""
        return F.binary_cross_entropy_with_logits(input, target, self.weight, pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class KLDivLoss(_Loss):
    r"""Kullback-Leibler divergence :math:`y(\log y - x)` for log-probabilities ``x``; use 'batchmean'."""

    def __init__(self, size_average=None, reduce=None, reduction='mean', log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        """The divergence of ``target`` from ``input``."""
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class SmoothL1Loss(_Loss):
    r"""Quadratic below ``beta``, linear above (see ``F.smooth_l1_loss``)."""

    def __init__(self, size_average=None, reduce=None, reduction='mean', beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        """The loss of ``input`` against ``target``."""
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    r"""Quadratic below ``delta``, linear above; ``delta`` times SmoothL1Loss with ``beta = delta``."""

    def __init__(self, reduction='mean', delta=1.0):
        if not isinstance(delta, (float, int)):
            raise TypeError(f"delta must be a float or int, got: {type(delta)}")
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        """The loss of ``input`` against ``target``."""
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class PoissonNLLLoss(_Loss):
    r"""Poisson negative log-likelihood :math:`e^x - y x` (with ``log_input``)."""

    def __init__(self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None, reduction='mean'):
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input, target):
        """The loss of the predicted rate against ``target`` counts."""
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                  reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    r"""Gaussian negative log-likelihood :math:`\tfrac12(\log\sigma^2 + (x - y)^2/\sigma^2)`."""

    def __init__(self, *, full=False, eps=1e-6, reduction='mean'):
        super().__init__(None, None, reduction)
        self.full, self.eps = full, eps

    def forward(self, input, target, var):
        """The loss of mean ``input`` and variance ``var`` against ``target``."""
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    r"""``1 - cos`` for similar pairs (target 1), ``max(0, cos - margin)`` for dissimilar ones (-1)."""

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction='mean'):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        """The loss of the pairs ``(input1, input2)`` labelled by ``target``."""
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class MarginRankingLoss(_Loss):
    r""":math:`\max(0, -y(x_1 - x_2) + \mathrm{margin})`."""

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction='mean'):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        """The loss of ranking ``input1`` against ``input2`` as ``target`` says."""
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    r""":math:`x` for target 1, :math:`\max(0, \mathrm{margin} - x)` for target -1."""

    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction='mean'):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        """The loss of distances ``input`` labelled by ``target``."""
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    r""":math:`\max(d(a, p) - d(a, n) + \mathrm{margin}, 0)` with the pairwise p-norm distance."""

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None,
                 reduction='mean'):
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        """The loss of the triplets."""
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                     swap=self.swap, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    r"""Two-class logistic loss :math:`\log(1 + e^{-yx})`."""

    def forward(self, input, target):
        """The loss of ``input`` against targets in {1, -1}."""
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    r"""Per-class logistic loss for multi-label targets, averaged over classes."""

    def forward(self, input, target):
        """The loss of ``input`` logits against 0/1 ``target``."""
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    r"""Multi-class hinge loss :math:`\sum_{i \ne y}\max(0, \mathrm{margin} - x_y + x_i)^p / C`."""

    def __init__(self, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction='mean'):
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.ndim != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got {weight.ndim}D "
                             "instead")
        self.p, self.margin = p, margin

    def forward(self, input, target):
        """The loss of ``input`` scores against class indices ``target``."""
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction)


class CTCLoss(_Loss):
    r"""Connectionist temporal classification loss over unaligned label sequences (see ``F.ctc_loss``)."""

    def __init__(self, blank=0, reduction='mean', zero_infinity=False):
        super().__init__(reduction=reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        """The loss of ``log_probs`` ``(T, N, C)`` against the ``targets`` sequences."""
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
                          self.zero_infinity)


class TripletMarginWithDistanceLoss(_Loss):
    r""":math:`\max(d(a, p) - d(a, n) + \mathrm{margin}, 0)` with a custom ``distance_function``."""

    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction='mean'):
        super().__init__(reduction=reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} "
                             "instead")
        # torch's default is a PairwiseDistance module, so it shows in repr as a child
        self.distance_function = distance_function if distance_function is not None else PairwiseDistance()
        self.margin, self.swap = margin, swap

    def forward(self, anchor, positive, negative):
        """The loss of the triplets."""
        return F.triplet_margin_with_distance_loss(anchor, positive, negative,
                                                   distance_function=self.distance_function, margin=self.margin,
                                                   swap=self.swap, reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    r"""Multi-label hinge loss; ``target`` lists each sample's classes, ended by -1."""

    def forward(self, input, target):
        """The loss of ``input`` scores against the target class lists."""
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)
