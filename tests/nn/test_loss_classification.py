"""cross_entropy, nll_loss, BCE and BCE-with-logits against torch: values, gradients, double backward, errors."""
import numpy as np
import pytest

import ember
from tests.oracle import compare, compare_raises, randn, requires_torch, torch

REDUCTIONS = ('mean', 'sum', 'none')


def F(x):
    """The functional namespace of the library ``x`` belongs to."""
    return torch.nn.functional if torch is not None and isinstance(x, torch.Tensor) else ember.nn.functional


def const(like, arr):
    """``arr`` as a constant tensor of ``like``'s library (a target or weight that must not get a gradient)."""
    arr = np.array(arr, copy=True)
    return torch.from_numpy(arr) if torch is not None and isinstance(like, torch.Tensor) else ember.from_numpy(arr)


def targets(shape, classes, seed=1, ignore=None):
    t = np.random.default_rng(seed).integers(0, classes, shape).astype(np.int64)
    if ignore is not None:
        t.flat[::3] = ignore
    return t


# ---- cross_entropy with class indices ---------------------------------------------------------

@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('smoothing', (0.0, 0.2))
@pytest.mark.parametrize('weighted', (False, True))
def test_cross_entropy_class_indices(reduction, smoothing, weighted):
    w = np.linspace(0.5, 2.0, 5).astype(np.float32)
    compare(lambda x, t: F(x).cross_entropy(x, t, weight=const(x, w) if weighted else None, reduction=reduction,
                                            label_smoothing=smoothing),
            randn(6, 5), targets(6, 5), second_order=True)


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('smoothing', (0.0, 0.3))
@pytest.mark.parametrize('weighted', (False, True))
def test_cross_entropy_ignore_index(reduction, smoothing, weighted):
    w = np.linspace(0.5, 2.0, 4).astype(np.float32)
    compare(lambda x, t: F(x).cross_entropy(x, t, weight=const(x, w) if weighted else None, ignore_index=2,
                                            reduction=reduction, label_smoothing=smoothing),
            randn(7, 4), targets(7, 4, ignore=2), second_order=True)


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('smoothing', (0.0, 0.1))
def test_cross_entropy_k_dimensional(reduction, smoothing):
    w = np.array([1.0, 0.2, 3.0], np.float32)
    compare(lambda x, t: F(x).cross_entropy(x, t, weight=const(x, w), ignore_index=0, reduction=reduction,
                                            label_smoothing=smoothing),
            randn(2, 3, 4, 5), targets((2, 4, 5), 3), second_order=True)
    compare(lambda x, t: F(x).cross_entropy(x, t, reduction=reduction), randn(2, 3, 4), targets((2, 4), 3),
            second_order=True)


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
def test_cross_entropy_no_batch(reduction):
    compare(lambda x, t: F(x).cross_entropy(x, t, reduction=reduction, label_smoothing=0.1), randn(5),
            np.array(3), second_order=True)


@requires_torch
def test_cross_entropy_all_ignored_is_nan_with_zero_grad():
    compare(lambda x, t: F(x).cross_entropy(x, t), randn(3, 4), np.full(3, -100, np.int64))
    compare(lambda x, t: F(x).cross_entropy(x, t, label_smoothing=0.2), randn(3, 4), np.full(3, -100, np.int64))


@requires_torch
def test_cross_entropy_float64_and_large_logits():
    compare(lambda x, t: F(x).cross_entropy(x, t), randn(4, 6, dtype=np.float64), targets(4, 6), second_order=True)
    big = randn(4, 6) * 1000  # a naive softmax overflows here
    compare(lambda x, t: F(x).cross_entropy(x, t, reduction='none'), big, targets(4, 6), atol=1e-3)


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('smoothing', (0.0, 0.25))
@pytest.mark.parametrize('weighted', (False, True))
def test_cross_entropy_probability_targets(reduction, smoothing, weighted):
    p = np.random.default_rng(3).dirichlet(np.ones(4), size=5).astype(np.float32)
    w = np.array([0.5, 1.0, 2.0, 1.5], np.float32)
    # the target requires grad too: torch differentiates probability targets
    compare(lambda x, q: F(x).cross_entropy(x, q, weight=const(x, w) if weighted else None, reduction=reduction,
                                            label_smoothing=smoothing),
            randn(5, 4), p, second_order=True)


@requires_torch
def test_cross_entropy_probability_targets_k_dimensional_and_no_batch():
    p = np.random.default_rng(4).dirichlet(np.ones(3), size=(2, 4)).transpose(0, 2, 1).astype(np.float32)
    compare(lambda x, q: F(x).cross_entropy(x, q), randn(2, 3, 4), np.ascontiguousarray(p), second_order=True)
    compare(lambda x, q: F(x).cross_entropy(x, q, reduction='none'), randn(3), p[0, :, 0].copy(),
            second_order=True)


@requires_torch
def test_cross_entropy_double_backward_wrt_upstream_gradient():
    x, t = randn(4, 3), targets(4, 3)
    for lib in (torch, ember):
        xi = (torch.from_numpy(x) if lib is torch else ember.from_numpy(x)).requires_grad_()
        g = (torch.ones(4) if lib is torch else ember.ones(4)).requires_grad_()
        loss = F(xi).cross_entropy(xi, const(xi, t), reduction='none', label_smoothing=0.1)
        gx, = lib.autograd.grad(loss, xi, g, create_graph=True)
        gg, = lib.autograd.grad((gx * gx).sum(), g)
        if lib is torch:
            expected = gg.numpy()
        else:
            np.testing.assert_allclose(gg.numpy(), expected, rtol=1e-4, atol=1e-6)


def test_cross_entropy_gradcheck():
    x = ember.from_numpy(randn(3, 4, dtype=np.float64)).requires_grad_()
    t = ember.tensor([0, 3, 1])
    f = lambda x: ember.nn.functional.cross_entropy(x, t, label_smoothing=0.2)
    assert ember.autograd.gradcheck(f, (x,))
    assert ember.autograd.gradgradcheck(f, (x,))


@requires_torch
@pytest.mark.parametrize('fn', ('cross_entropy', 'nll_loss'))
def test_class_target_errors(fn):
    x = randn(3, 4)
    err = compare_raises(lambda x, t: getattr(F(x), fn)(x, t), x, np.array([0, 5, 1]))
    assert isinstance(err, IndexError) and str(err) == "Target 5 is out of bounds."
    compare_raises(lambda x, t: getattr(F(x), fn)(x, t), x, np.array([0, -1, 1]))
    err = compare_raises(lambda x, t: getattr(F(x), fn)(x, t), x, np.array([0, 1]))
    assert isinstance(err, ValueError) and str(err) == "Expected input batch_size (3) to match target batch_size (2)."
    compare_raises(lambda x, t: getattr(F(x), fn)(x, t), x, np.array([0, 1, 2], np.int32))
    compare_raises(lambda x, t: getattr(F(x), fn)(x, t), x, np.zeros((3, 1), np.int64))
    compare_raises(lambda x, t: getattr(F(x), fn)(x, t, weight=const(x, np.ones(3, np.float32))), x,
                   np.array([0, 1, 2]))
    compare_raises(lambda x, t: getattr(F(x), fn)(x, t, reduction='foo'), x, np.array([0, 1, 2]))
    compare_raises(lambda x, t: getattr(F(x), fn)(x, t), randn(2, 3, 4, 5), np.zeros((2, 4, 6), np.int64))
    compare_raises(lambda x, t: getattr(F(x), fn)(x, t), randn(2, 3, 4), np.zeros((2, 5), np.int64))
    compare_raises(lambda x, t: getattr(F(x), fn)(x, t), randn(3), np.array([1, 2]))
    compare_raises(lambda x, t: getattr(F(x), fn)(x, t, weight=const(x, np.ones(4))), x, np.array([0, 1, 2]))
    err = compare_raises(lambda x, t: getattr(F(x), fn)(x, t), x, np.array(1))
    assert str(err) == "Expected input batch_size (3) to match target batch_size (0)."


@requires_torch
def test_cross_entropy_option_errors():
    x = randn(3, 4)
    compare_raises(lambda x, t: F(x).cross_entropy(x, t, label_smoothing=1.5), x, np.array([0, 1, 2]))
    compare_raises(lambda x, t: F(x).cross_entropy(x, t, ignore_index=1), x, np.full((3, 4), 0.25, np.float32))
    compare_raises(lambda x, t: F(x).cross_entropy(x, t), x, np.array([0., 1., 2.], np.float32))


@requires_torch
def test_invalid_reduction_message():
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        ember.nn.functional.cross_entropy(ember.randn(2, 3), ember.tensor([0, 1]), reduction='foo')


# ---- nll_loss --------------------------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('weighted', (False, True))
def test_nll_loss(reduction, weighted):
    w = np.array([0.3, 1.0, 2.0, 0.7], np.float32)
    compare(lambda x, t: F(x).nll_loss(x, t,
                                       weight=const(x, w) if weighted else None, ignore_index=1,
                                       reduction=reduction),
            randn(6, 4), targets(6, 4, ignore=1), second_order=True)
    compare(lambda x, t: F(x).nll_loss(x, t, reduction=reduction), randn(2, 4, 3, 2), targets((2, 3, 2), 4))
    compare(lambda x, t: F(x).nll_loss(x, t, reduction=reduction), randn(4), np.array(2))


@requires_torch
def test_nll_loss_rejects_weight_that_requires_grad():
    compare_raises(lambda x, t, w: F(x).nll_loss(x, t, weight=w.requires_grad_()), randn(3, 4),
                   np.array([0, 1, 2]), np.ones(4, np.float32))


# ---- binary cross-entropy --------------------------------------------------------------------

def probs(*shape, seed=0):
    return np.random.default_rng(seed).uniform(0.05, 0.95, shape).astype(np.float32)


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('weighted', (False, True))
def test_binary_cross_entropy(reduction, weighted):
    w = np.array([0.5, 2.0, 1.0], np.float32)
    compare(lambda x, y: F(x).binary_cross_entropy(x, y, weight=const(x, w) if weighted else None,
                                                   reduction=reduction),
            probs(4, 3), probs(4, 3, seed=1), second_order=True)


@requires_torch
def test_binary_cross_entropy_clamps_log_at_minus_100():
    x = np.array([0.0, 1.0, 0.5, 1.0], np.float32)
    y = np.array([1.0, 0.0, 0.5, 1.0], np.float32)
    compare(lambda x, y: F(x).binary_cross_entropy(x, y, reduction='none'), x, y, grad=False)


@requires_torch
def test_binary_cross_entropy_errors():
    err = compare_raises(lambda x, y: F(x).binary_cross_entropy(x, y), np.array([1.5], np.float32),
                         np.array([1.0], np.float32))
    assert str(err) == "all elements of input should be between 0 and 1"
    compare_raises(lambda x, y: F(x).binary_cross_entropy(x, y), probs(3), probs(3, 1))
    compare_raises(lambda x, y: F(x).binary_cross_entropy(x, y, reduction='bad'), probs(3), probs(3))
    compare_raises(lambda x, y: F(x).binary_cross_entropy(x, y), probs(3), probs(3).astype(np.float64))


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('weighted', (False, True))
@pytest.mark.parametrize('pos', (False, True))
def test_binary_cross_entropy_with_logits(reduction, weighted, pos):
    w = np.array([0.5, 2.0, 1.0], np.float32)
    pw = np.array([3.0, 0.5, 1.5], np.float32)
    compare(lambda x, y: F(x).binary_cross_entropy_with_logits(
                x, y, weight=const(x, w) if weighted else None, pos_weight=const(x, pw) if pos else None,
                reduction=reduction),
            randn(4, 3) * 3, probs(4, 3, seed=2), second_order=True)


@requires_torch
def test_binary_cross_entropy_with_logits_is_stable_for_large_logits():
    x = np.array([-200.0, -50.0, 0.5, 50.0, 200.0], np.float32)
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0], np.float32)
    e, _ = compare(lambda x, y: F(x).binary_cross_entropy_with_logits(x, y, reduction='none',
                                                                      pos_weight=const(x, np.float32([2.0]))),
                   x, y, second_order=True)
    assert np.isfinite(e.detach().numpy()).all()


@requires_torch
def test_binary_cross_entropy_with_logits_errors():
    compare_raises(lambda x, y: F(x).binary_cross_entropy_with_logits(x, y), randn(3), probs(3, 1))
    compare_raises(lambda x, y, w: F(x).binary_cross_entropy_with_logits(x, y, weight=w.requires_grad_()),
                   randn(3), probs(3), np.ones(3, np.float32))
