"""mse, l1, smooth_l1, huber, kl_div, poisson_nll and gaussian_nll against torch."""
import warnings

import numpy as np
import pytest

import ember
from tests.oracle import compare, compare_raises, randn, requires_torch, torch
from tests.nn.test_loss_classification import F, REDUCTIONS, const


def second_order_is_zero(fn, *arrays):
    """Where torch's second derivative is a ZeroTensor (l1), which the oracle cannot read, check ember's is 0."""
    xs = [ember.from_numpy(a.copy()).requires_grad_() for a in arrays]
    out = fn(*xs)
    gs = ember.autograd.grad(out, xs, ember.ones_like(out), create_graph=True)
    ggs = ember.autograd.grad(sum((g * g).sum() for g in gs), xs, allow_unused=True)
    assert all(gg is None or not gg.detach().numpy().any() for gg in ggs)


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('name', ('mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss'))
def test_regression_losses(name, reduction):
    # the target requires grad as well: torch differentiates all four with respect to it
    fn = lambda x, y: getattr(F(x), name)(x, y, reduction=reduction)
    x, y = randn(4, 5) * 2, randn(4, 5, seed=1)
    compare(fn, x, y, second_order=name != 'l1_loss')
    if name == 'l1_loss':
        second_order_is_zero(fn, x, y)


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('beta', (0.0, 0.5, 2.0))
def test_smooth_l1_beta_and_huber_delta(reduction, beta):
    x, y = randn(3, 4) * 2, randn(3, 4, seed=1)
    compare(lambda x, y: F(x).smooth_l1_loss(x, y, reduction=reduction, beta=beta), x, y, second_order=beta > 0)
    if beta:
        compare(lambda x, y: F(x).huber_loss(x, y, reduction=reduction, delta=beta), x, y, second_order=True)


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('name', ('mse_loss', 'l1_loss', 'huber_loss'))
def test_elementwise_weight(name, reduction):
    w = np.random.default_rng(5).uniform(0.1, 2, (3, 4)).astype(np.float32)
    compare(lambda x, y: getattr(F(x), name)(x, y, reduction=reduction, weight=const(x, w)), randn(3, 4),
            randn(3, 4, seed=1), second_order=name != 'l1_loss')


@requires_torch
def test_regression_broadcasting_warns_and_reduces_gradients():
    with pytest.warns(UserWarning, match="different to the input size"):
        compare(lambda x, y: F(x).mse_loss(x, y), randn(3, 4), randn(4, seed=1), second_order=True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        compare(lambda x, y: F(x).smooth_l1_loss(x, y), randn(3, 4), randn(1, 4, seed=1), second_order=True)
        compare(lambda x, y: F(x).huber_loss(x, y, reduction='none'), randn(3, 1), randn(4, seed=1))


@requires_torch
def test_regression_dtypes_and_errors():
    compare(lambda x, y: F(x).mse_loss(x, y), randn(3), np.ones(3, np.int64))
    compare(lambda x, y: F(x).l1_loss(x, y), randn(3, dtype=np.float64), randn(3, seed=2))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        compare_raises(lambda x, y: F(x).mse_loss(x, y), randn(3), randn(2))
        compare_raises(lambda x, y: F(x).huber_loss(x, y), randn(3), randn(2))
    compare_raises(lambda x, y: F(x).mse_loss(x, y, reduction='avg'), randn(3), randn(3))
    compare_raises(lambda x, y: F(x).mse_loss(x, y), np.ones(3, np.int64), np.ones(3, np.int64))
    compare_raises(lambda x, y: F(x).mse_loss(x, y, weight=const(x, np.ones(2, np.float32))), randn(3), randn(3))
    compare_raises(lambda x, y: F(x).smooth_l1_loss(x, y, beta=-1.0), randn(3), randn(3))
    compare_raises(lambda x, y: F(x).huber_loss(x, y, delta=0.0), randn(3), randn(3))


@requires_torch
def test_legacy_size_average_and_reduce():
    for size_average, reduce in ((False, None), (None, False), (True, True), (False, True)):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            compare(lambda x, y: F(x).mse_loss(x, y, size_average=size_average, reduce=reduce), randn(2, 3),
                    randn(2, 3, seed=1))
            compare(lambda x, t: F(x).cross_entropy(x, t, size_average=size_average, reduce=reduce), randn(4, 3),
                    np.array([0, 2, 1, 1]))


def test_smooth_l1_gradcheck():
    x = ember.from_numpy(randn(3, 4, dtype=np.float64) * 2).requires_grad_()
    y = ember.from_numpy(randn(3, 4, seed=1, dtype=np.float64)).requires_grad_()
    f = lambda x, y: ember.nn.functional.smooth_l1_loss(x, y, beta=0.7)
    assert ember.autograd.gradcheck(f, (x, y))
    assert ember.autograd.gradgradcheck(f, (x, y))


# ---- kl_div ----------------------------------------------------------------------------------

def log_probs(*shape, seed=0):
    z = randn(*shape, seed=seed)
    return (z - np.log(np.exp(z).sum(-1, keepdims=True))).astype(np.float32)


@requires_torch
@pytest.mark.parametrize('reduction', ('mean', 'sum', 'none', 'batchmean'))
@pytest.mark.parametrize('log_target', (False, True))
def test_kl_div(reduction, log_target):
    x, lt = log_probs(3, 4), log_probs(3, 4, seed=1)
    target = lt if log_target else np.exp(lt)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        compare(lambda x, y: F(x).kl_div(x, y, reduction=reduction, log_target=log_target), x, target,
                second_order=True)


@requires_torch
def test_kl_div_zero_target_and_mean_warning():
    t = np.array([[0.0, 0.5, 0.5]], np.float32)
    compare(lambda x: F(x).kl_div(x, const(x, t), reduction='sum'), log_probs(1, 3), second_order=True)
    with pytest.warns(UserWarning, match="batchmean"):
        ember.nn.functional.kl_div(ember.zeros(2, 3), ember.ones(2, 3))


# ---- poisson and gaussian nll ----------------------------------------------------------------

@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('log_input', (True, False))
@pytest.mark.parametrize('full', (False, True))
def test_poisson_nll_loss(reduction, log_input, full):
    rng = np.random.default_rng(7)
    x = rng.uniform(0.2, 3, (3, 4)).astype(np.float32)
    y = rng.uniform(0, 4, (3, 4)).astype(np.float32)
    compare(lambda x, y: F(x).poisson_nll_loss(x, y, log_input=log_input, full=full, reduction=reduction), x, y,
            second_order=True)


@requires_torch
@pytest.mark.parametrize('reduction', REDUCTIONS)
@pytest.mark.parametrize('full', (False, True))
@pytest.mark.parametrize('var_shape', ((3, 4), (3,), (3, 1), (1, 4)))
def test_gaussian_nll_loss(reduction, full, var_shape):
    var = np.random.default_rng(8).uniform(0.1, 2, var_shape).astype(np.float32)
    compare(lambda x, y, v: F(x).gaussian_nll_loss(x, y, v, full=full, reduction=reduction), randn(3, 4),
            randn(3, 4, seed=1), var, second_order=True)


@requires_torch
def test_gaussian_nll_loss_clamps_var_but_keeps_its_gradient():
    var = np.array([1e-9, 0.5, 0.0], np.float32)
    compare(lambda x, y, v: F(x).gaussian_nll_loss(x, y, v, reduction='none', eps=1e-3), randn(3),
            randn(3, seed=1), var, second_order=True, rtol=1e-3)
    compare(lambda x, y: F(x).gaussian_nll_loss(x, y, 0.5), randn(3), randn(3, seed=1), second_order=True)


@requires_torch
def test_gaussian_nll_loss_errors():
    compare_raises(lambda x, y, v: F(x).gaussian_nll_loss(x, y, v), randn(3, 4), randn(3, 4), randn(4, 3))
    compare_raises(lambda x, y, v: F(x).gaussian_nll_loss(x, y, v), randn(3), randn(3), -np.ones(3, np.float32))
    compare_raises(lambda x, y, v: F(x).gaussian_nll_loss(x, y, v, reduction='x'), randn(3), randn(3),
                   np.ones(3, np.float32))
    compare_raises(lambda x, y: F(x).gaussian_nll_loss(x, y, -1.0), randn(3), randn(3))


@requires_torch
@pytest.mark.parametrize('name', ('mse_loss', 'smooth_l1_loss', 'huber_loss', 'binary_cross_entropy_with_logits',
                                  'soft_margin_loss', 'poisson_nll_loss'))
@pytest.mark.parametrize('wide_target', (False, True))
def test_mixed_dtypes_follow_torch_and_keep_second_order(name, wide_target):
    # torch promotes most, but huber and soft_margin keep the input's dtype and bce_with_logits the target's
    x, y = randn(3, 4), np.abs(randn(3, 4, seed=1)) / 3
    x, y = (x, y.astype(np.float64)) if wide_target else (x.astype(np.float64), y)
    if name == 'soft_margin_loss':
        compare(lambda x: F(x).soft_margin_loss(x, const(x, y)), x, second_order=True)
    elif name == 'huber_loss':  # torch's own huber backward fails on mixed dtypes
        compare(lambda x, y: F(x).huber_loss(x, y), x, y, grad=False)
    else:
        compare(lambda x, y: getattr(F(x), name)(x, y), x, y, second_order=True)
