"""ctc_loss / nn.CTCLoss against torch: values and gradients for padded and concatenated targets."""
import numpy as np
import pytest

import ember
from tests.oracle import compare, compare_raises, requires_torch, torch
from tests.nn.test_loss_classification import F, REDUCTIONS, const


def log_probs(T, N, C, seed=0, dtype=np.float32):
    z = np.random.default_rng(seed).standard_normal((T, N, C))
    return (z - np.log(np.exp(z).sum(-1, keepdims=True))).astype(dtype)


TARGETS = np.array([[1, 2, 2], [3, 1, 0], [1, 1, 1]])


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('zero_infinity', (False, True))
def test_ctc_loss_padded_targets(reduction, zero_infinity):
    # sample 2 repeats a label three times and needs 5 frames: with 4 its loss is infinite
    compare(lambda lp: F(lp).ctc_loss(lp, const(lp, TARGETS), const(lp, np.array([7, 5, 4])),
                                      const(lp, np.array([3, 2, 3])), reduction=reduction,
                                      zero_infinity=zero_infinity),
            log_probs(7, 3, 4))


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_ctc_loss_concatenated_targets_tuple_lengths_and_blank(reduction):
    flat = np.array([1, 2, 2, 3, 1, 0])  # no label may equal the blank
    compare(lambda lp: F(lp).ctc_loss(lp, const(lp, flat), (8, 6, 7), (3, 2, 1), blank=4, reduction=reduction),
            log_probs(8, 3, 5, seed=1))
    compare(lambda lp: F(lp).ctc_loss(lp, const(lp, flat[:0]), (8, 6, 7), (0, 0, 0), reduction=reduction),
            log_probs(8, 3, 5, seed=1))


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_ctc_loss_unbatched_and_float64(reduction):
    compare(lambda lp: F(lp).ctc_loss(lp, const(lp, np.array([2, 1])), const(lp, np.array(5)),
                                      const(lp, np.array(2)), reduction=reduction),
            log_probs(5, 1, 3, seed=2)[:, 0].copy())
    compare(lambda lp: F(lp).ctc_loss(lp, const(lp, TARGETS[:2]), (6, 6), (3, 2), reduction=reduction),
            log_probs(6, 2, 4, seed=3, dtype=np.float64))


@requires_torch
def test_ctc_loss_through_log_softmax_and_module():
    x = np.random.default_rng(4).standard_normal((12, 4, 6)).astype(np.float32)
    tg = np.random.default_rng(5).integers(1, 6, (4, 5))
    nn = lambda t: torch.nn if isinstance(t, torch.Tensor) else ember.nn
    compare(lambda x: nn(x).CTCLoss(zero_infinity=True)(x.log_softmax(2), const(x, tg), (12, 11, 10, 12),
                                                       (5, 4, 3, 1)), x)


@requires_torch
def test_ctc_loss_errors():
    lp = log_probs(5, 2, 4)
    compare_raises(lambda lp: F(lp).ctc_loss(lp, const(lp, TARGETS[:2]), (6, 5), (3, 2)), lp)
    compare_raises(lambda lp: F(lp).ctc_loss(lp, const(lp, TARGETS[:2, :2]), (5, 5), (3, 2)), lp)
    compare_raises(lambda lp: F(lp).ctc_loss(lp, const(lp, TARGETS[:2]), (5,), (3, 2)), lp)
    compare_raises(lambda lp: F(lp).ctc_loss(lp, const(lp, TARGETS[:2]), (5, 5), (3, 2), reduction='x'), lp)
