"""Every fused loss primitive against central differences: gradcheck and gradgradcheck (float64).

gradgradcheck also differentiates with respect to the upstream gradient,
which exercises the second primitives (CrossEntropyGrad, NllLossGrad).
"""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.oracle import randn

F = ember.nn.functional


def leaf(a):
    return ember.from_numpy(np.array(a, dtype=np.float64)).requires_grad_()


def uniform(*shape, seed=0):
    return np.random.default_rng(seed).uniform(0.1, 0.9, shape)


def cases(red):
    """name -> (loss function of the leaves, arrays of the leaves) for one reduction."""
    return {
        'cross_entropy': (lambda x: F.cross_entropy(x, ember.tensor([0, 2, -100, 1]), weight=ember.tensor(
            [1.0, 2.0, 0.5], dtype=ember.float64), label_smoothing=0.2, reduction=red), (randn(4, 3),)),
        'cross_entropy_kdim': (lambda x: F.cross_entropy(x, ember.tensor([[0, 2], [1, 1]]), reduction=red),
                               (randn(2, 3, 2),)),
        'cross_entropy_probs': (lambda x, q: F.cross_entropy(x, q, label_smoothing=0.1, reduction=red),
                                (randn(3, 4), uniform(3, 4))),
        'nll_loss': (lambda x: F.nll_loss(x, ember.tensor([0, 2, 1]), weight=ember.tensor(
            [1.0, 2.0, 0.5], dtype=ember.float64), reduction=red), (randn(3, 3),)),
        'binary_cross_entropy': (lambda x, y: F.binary_cross_entropy(x, y, reduction=red),
                                 (uniform(2, 3), uniform(2, 3, seed=1))),
        'bce_with_logits': (lambda x, y: F.binary_cross_entropy_with_logits(
            x, y, pos_weight=ember.tensor([2.0, 0.5, 1.0], dtype=ember.float64), reduction=red),
            (randn(2, 3) * 3, uniform(2, 3))),
        'huber_loss': (lambda x, y: F.huber_loss(x, y, delta=0.6, reduction=red),
                       (randn(2, 3) * 2, randn(2, 3, seed=1))),
        'smooth_l1_loss': (lambda x, y: F.smooth_l1_loss(x, y, beta=0.6, reduction=red),
                           (randn(2, 3) * 2, randn(2, 3, seed=1))),
        'kl_div': (lambda x, y: F.kl_div(x, y, reduction='batchmean' if red == 'mean' else red),
                   (randn(2, 3), uniform(2, 3))),
        'gaussian_nll': (lambda x, y, v: F.gaussian_nll_loss(x, y, v, reduction=red),
                         (randn(2, 3), randn(2, 3, seed=1), uniform(2, 1))),
    }


@pytest.mark.parametrize('reduction', ('mean', 'none'))
@pytest.mark.parametrize('name', sorted(cases('mean')))
def test_loss_gradcheck(name, reduction):
    fn, arrays = cases(reduction)[name]
    inputs = tuple(leaf(a) for a in arrays)
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def test_ctc_loss_gradcheck_through_log_softmax():
    """torch's CTC gradient is exact with respect to the logits that log_softmax normalises."""
    tg = ember.tensor([[1, 2], [2, 2]])
    fn = lambda x: F.ctc_loss(x.log_softmax(2), tg, (4, 5), (2, 2), reduction='sum')
    assert gradcheck(fn, (leaf(randn(5, 2, 3)),))
