"""Distance modules: ``CosineSimilarity`` and ``PairwiseDistance``."""
from .. import functional as F
from ..module import Module

__all__ = ('CosineSimilarity', 'PairwiseDistance')


class CosineSimilarity(Module):
    """Cosine similarity between ``x1`` and ``x2`` along ``dim`` (see ``F.cosine_similarity``).

    Shape:
        x1, x2: broadcastable shapes; output: the broadcast shape without ``dim``.
    """

    def __init__(self, dim=1, eps=1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        """Similarity of each pair of vectors."""
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """p-norm distance between rows of ``x1`` and ``x2`` (see ``F.pairwise_distance``).

    Shape:
        x1, x2: ``(N, D)`` or ``(D,)``; output: ``(N,)`` or ``()``, with a kept last dim when ``keepdim``.
    """

    def __init__(self, p=2.0, eps=1e-6, keepdim=False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        """Distance of each pair of rows."""
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
