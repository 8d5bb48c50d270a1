"""Margin and embedding losses against torch: cosine_embedding, margin_ranking, hinge_embedding, triplet_margin,
soft_margin, multilabel_soft_margin, multi_margin."""
import numpy as np
import pytest

from tests.oracle import compare, compare_raises, randn, requires_torch
from tests.nn.test_loss_classification import F, REDUCTIONS, const, targets


def signs(*shape, seed=4):
    return np.where(np.random.default_rng(seed).random(shape) < 0.5, -1.0, 1.0).astype(np.float32)


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('margin', (0.0, 0.3))
def test_cosine_embedding_loss(reduction, margin):
    t = signs(5)
    compare(lambda a, b: F(a).cosine_embedding_loss(a, b, const(a, t), margin=margin, reduction=reduction),
            randn(5, 4), randn(5, 4, seed=1), second_order=True)
    compare(lambda a, b: F(a).cosine_embedding_loss(a, b, const(a, np.float32(-1)), margin=-0.5,
                                                    reduction=reduction),
            randn(4), randn(4, seed=1), second_order=True)


@requires_torch
def test_cosine_embedding_loss_errors():
    compare_raises(lambda a, b, t: F(a).cosine_embedding_loss(a, b, t), randn(5, 4), randn(5, 4), signs(5, 1))
    compare_raises(lambda a, b, t: F(a).cosine_embedding_loss(a, b, t), randn(4), randn(4), signs(4))
    compare_raises(lambda a, b, t: F(a).cosine_embedding_loss(a, b, t), randn(2, 4), randn(2, 4),
                   np.array(1.0, np.float32))


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('margin', (0.0, 0.5))
def test_margin_ranking_loss(reduction, margin):
    # the target is differentiable in torch (the loss is a composition), so it requires grad here too
    compare(lambda a, b, t: F(a).margin_ranking_loss(a, b, t, margin=margin, reduction=reduction), randn(6),
            randn(6, seed=1), signs(6), second_order=True)
    compare_raises(lambda a, b, t: F(a).margin_ranking_loss(a, b, t), randn(6), randn(6), signs(6, 1))


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('margin', (1.0, 0.2))
def test_hinge_embedding_loss(reduction, margin):
    compare(lambda x, t: F(x).hinge_embedding_loss(x, t, margin=margin, reduction=reduction),
            np.abs(randn(3, 4)), signs(3, 4), second_order=True)


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('p', (1.0, 2.0, 3.0))
@pytest.mark.parametrize('swap', (False, True))
def test_triplet_margin_loss(reduction, p, swap):
    # with p = 1 torch's second derivative is a ZeroTensor, which the oracle cannot read
    compare(lambda a, pos, neg: F(a).triplet_margin_loss(a, pos, neg, margin=1.5, p=p, swap=swap,
                                                         reduction=reduction),
            randn(4, 5), randn(4, 5, seed=1), randn(4, 5, seed=2), second_order=p != 1, rtol=1e-3)


@requires_torch
def test_triplet_margin_loss_errors():
    compare_raises(lambda a, b, c: F(a).triplet_margin_loss(a, b, c, margin=0.0), randn(2, 3), randn(2, 3),
                   randn(2, 3))
    compare_raises(lambda a, b, c: F(a).triplet_margin_loss(a, b, c), randn(2, 3), randn(2, 3), randn(3))


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_soft_margin_loss(reduction):
    t = signs(3, 4)
    compare(lambda x: F(x).soft_margin_loss(x, const(x, t), reduction=reduction), randn(3, 4) * 2,
            second_order=True)


@requires_torch
def test_soft_margin_loss_target_is_not_differentiable():
    compare_raises(lambda x, t: F(x).soft_margin_loss(x, t.requires_grad_()), randn(3), signs(3))


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('weighted', (False, True))
def test_multilabel_soft_margin_loss(reduction, weighted):
    w = np.array([0.5, 1.0, 2.0, 1.5], np.float32)
    y = (np.random.default_rng(6).random((3, 4)) < 0.5).astype(np.float32)
    compare(lambda x, y: F(x).multilabel_soft_margin_loss(x, y, weight=const(x, w) if weighted else None,
                                                          reduction=reduction),
            randn(3, 4) * 3, y, second_order=True)


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('p', (1, 2))
@pytest.mark.parametrize('weighted', (False, True))
def test_multi_margin_loss(reduction, p, weighted):
    w = np.array([0.5, 1.0, 2.0, 1.5], np.float32)
    # torch has no double backward for multi_margin_loss
    compare(lambda x, t: F(x).multi_margin_loss(x, t, p=p, margin=0.8, weight=const(x, w) if weighted else None,
                                                reduction=reduction),
            randn(5, 4), targets(5, 4))
    compare(lambda x, t: F(x).multi_margin_loss(x, t, p=p, reduction=reduction), randn(4), np.array(2))


@requires_torch
def test_multi_margin_loss_errors():
    compare_raises(lambda x, t: F(x).multi_margin_loss(x, t, p=3), randn(2, 3), np.array([0, 1]))
    compare_raises(lambda x, t: F(x).multi_margin_loss(x, t), randn(2, 3), np.array([0, 3]))
    compare_raises(lambda x, t: F(x).multi_margin_loss(x, t), randn(2, 3), np.array([0]))


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_multilabel_margin_loss(reduction):
    # targets end at the first -1; a repeated class counts twice, as in torch; no double backward in torch
    t = np.array([[3, 0, -1, 1], [1, 2, 3, 0], [1, 1, -1, 0], [-1, 2, 2, 2]])
    compare(lambda x, t: F(x).multilabel_margin_loss(x, t, reduction=reduction), randn(4, 4), t)
    compare(lambda x, t: F(x).multilabel_margin_loss(x, t, reduction=reduction), randn(4), t[0])
    compare_raises(lambda x, t: F(x).multilabel_margin_loss(x, t), randn(2, 4), np.array([[1, 0, -1, 7], [0] * 4]))
    compare_raises(lambda x, t: F(x).multilabel_margin_loss(x, t), randn(2, 4), t[:2, :3])


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('swap', (False, True))
def test_triplet_margin_with_distance_loss(reduction, swap):
    cos = lambda a, b: 1 - F(a).cosine_similarity(a, b)
    compare(lambda a, p, n: F(a).triplet_margin_with_distance_loss(a, p, n, distance_function=cos, margin=0.5,
                                                                   swap=swap, reduction=reduction),
            randn(4, 5), randn(4, 5, seed=1), randn(4, 5, seed=2), second_order=True)
    compare(lambda a, p, n: F(a).triplet_margin_with_distance_loss(a, p, n, reduction=reduction),
            randn(4, 5), randn(4, 5, seed=1), randn(4, 5, seed=2), second_order=True)
    compare_raises(lambda a, p, n: F(a).triplet_margin_with_distance_loss(a, p, n, margin=-1.0), randn(2, 3),
                   randn(2, 3), randn(2, 3))
