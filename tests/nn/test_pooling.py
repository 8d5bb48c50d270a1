"""Pooling against torch: values, indices, gradients, second-order gradients, errors."""
import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, compare, compare_raises, randn, torch



def F(t):
    """``nn.functional`` of whichever library ``t`` belongs to."""
    return ember.nn.functional if isinstance(t, ember.Tensor) else torch.nn.functional


def check(fn, x, indices=False):
    """First-order check of ``fn`` (with indices), then second order through ``fn(x) ** 2``.

    Pooling is linear (or piecewise linear) in x, so its second derivative
    only shows when the upstream gradient depends on x; squaring does that.
    """
    compare(lambda x: fn(x, indices), x)
    compare(lambda x: fn(x, False) ** 2, x, second_order=True)


MAX2D = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1)),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, stride=3, padding=1, ceil_mode=True),
]


@requires_torch
@pytest.mark.parametrize('cfg', MAX2D, ids=str)
def test_max_pool2d(cfg):
    x = randn(2, 3, 7, 8, seed=1)
    check(lambda x, i: F(x).max_pool2d(x, **cfg, return_indices=i), x, True)


@requires_torch
def test_max_pool2d_unbatched_and_ties():
    x = np.zeros((2, 4, 4), np.float32)  # every window ties: torch takes the first maximum
    compare(lambda x: F(x).max_pool2d(x, 2, 1, return_indices=True), x)


@requires_torch
@pytest.mark.parametrize('cfg', [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
                                 dict(kernel_size=2, dilation=3)], ids=str)
def test_max_pool1d(cfg):
    check(lambda x, i: F(x).max_pool1d(x, **cfg, return_indices=i), randn(2, 3, 11, seed=2), True)


@requires_torch
def test_max_pool3d():
    check(lambda x, i: F(x).max_pool3d(x, 2, stride=(1, 2, 2), padding=1), randn(1, 2, 4, 5, 5))


AVG2D = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=(3, 2), stride=2, padding=(1, 1), ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=2, divisor_override=3),
]


@requires_torch
@pytest.mark.parametrize('cfg', AVG2D, ids=str)
def test_avg_pool2d(cfg):
    check(lambda x, i: F(x).avg_pool2d(x, **cfg), randn(2, 3, 7, 8, seed=3))


@requires_torch
@pytest.mark.parametrize('cfg', [dict(kernel_size=3), dict(kernel_size=4, stride=3, padding=2, ceil_mode=True,
                                                           count_include_pad=False)], ids=str)
def test_avg_pool1d(cfg):
    check(lambda x, i: F(x).avg_pool1d(x, **cfg), randn(2, 3, 10, seed=4))


@requires_torch
def test_avg_pool3d():
    check(lambda x, i: F(x).avg_pool3d(x, 2, padding=1), randn(1, 2, 3, 4, 5))


@requires_torch
@pytest.mark.parametrize('size', [(1, 1), (3, 4), (5, 2), 2, (None, 3), (7, 8)], ids=str)
def test_adaptive_avg_pool2d(size):
    check(lambda x, i: F(x).adaptive_avg_pool2d(x, size), randn(2, 3, 7, 8, seed=5))


@requires_torch
def test_adaptive_avg_pool1d():
    check(lambda x, i: F(x).adaptive_avg_pool1d(x, 4), randn(2, 3, 10, seed=6))


@requires_torch
@pytest.mark.parametrize('size', [(1, 1), (3, 4), (5, 3), (7, 8)], ids=str)
def test_adaptive_max_pool2d(size):
    check(lambda x, i: F(x).adaptive_max_pool2d(x, size, return_indices=i), randn(2, 3, 7, 8, seed=7), True)


@requires_torch
def test_adaptive_max_pool1d():
    check(lambda x, i: F(x).adaptive_max_pool1d(x, 3), randn(2, 3, 8, seed=8))


@requires_torch
def test_max_unpool2d():
    def fn(x, _):
        y, i = F(x).max_pool2d(x, 2, return_indices=True)
        return F(x).max_unpool2d(y, i, 2)
    check(fn, randn(2, 3, 6, 6, seed=9))


@requires_torch
def test_minus_inf_windows_with_padding():
    x = np.full((1, 2, 5, 5), -np.inf, np.float32)
    x[0, 1, 2, 2] = 1.0
    compare(lambda x: F(x).max_pool2d(x, 3, 2, 1, return_indices=True), x, grad=False)
    compare(lambda x: F(x).max_pool2d(x, 3, 2, 1, dilation=2, return_indices=True), x, grad=False)


@requires_torch
def test_overlapping_windows_accumulate():
    x = np.arange(25, dtype=np.float32).reshape(1, 1, 5, 5)  # the centre wins in many windows
    compare(lambda x: F(x).max_pool2d(x, 3, 1), x)


@requires_torch
@pytest.mark.parametrize('bad', [
    lambda F, x: F.max_pool2d(x, 2, padding=2),      # pad > half the kernel
    lambda F, x: F.max_pool2d(x, 8),                 # output would be empty
    lambda F, x: F.max_pool2d(x[0, 0, 0], 2),        # 1-D input
    lambda F, x: F.avg_pool2d(x, 3, padding=2),
    lambda F, x: F.adaptive_avg_pool2d(x[0, 0, 0], 2),
])
def test_errors(bad):
    compare_raises(lambda x: bad(F(x), x), randn(1, 2, 5, 5))


MODULES = [
    ('MaxPool1d', (3,), dict(stride=2, padding=1), (2, 3, 9)),
    ('MaxPool2d', (2,), dict(), (2, 3, 6, 6)),
    ('MaxPool2d', (3,), dict(stride=2, ceil_mode=True, return_indices=True), (2, 3, 7, 7)),
    ('MaxPool3d', (2,), dict(), (1, 2, 4, 4, 4)),
    ('AvgPool1d', (3,), dict(), (2, 3, 9)),
    ('AvgPool2d', (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 7, 7)),
    ('AvgPool3d', (2,), dict(), (1, 2, 4, 4, 4)),
    ('AdaptiveAvgPool1d', (4,), dict(), (2, 3, 9)),
    ('AdaptiveAvgPool2d', ((2, 3),), dict(), (2, 3, 7, 7)),
    ('AdaptiveAvgPool3d', (2,), dict(), (1, 2, 4, 5, 3)),
    ('AdaptiveMaxPool1d', (4,), dict(), (2, 3, 9)),
    ('AdaptiveMaxPool2d', ((2, 3),), dict(return_indices=True), (2, 3, 7, 7)),
    ('AdaptiveMaxPool3d', ((2, 3, 2),), dict(return_indices=True), (1, 2, 5, 4, 3)),
    ('LPPool2d', (2, 2), dict(), (2, 3, 6, 6)),
    ('LPPool1d', (3, 3), dict(stride=2), (2, 3, 9)),
]


@requires_torch
@pytest.mark.parametrize('name,args,kw,shape', MODULES, ids=[f"{m[0]}-{m[2]}" for m in MODULES])
def test_module(name, args, kw, shape):
    e, t = getattr(ember.nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(e) == repr(t)
    x = np.abs(randn(*shape, seed=3)) + 0.1 if name.startswith('LP') else randn(*shape, seed=3)
    compare(lambda x: (e if isinstance(x, ember.Tensor) else t)(x), x, atol=1e-4)


@requires_torch
def test_max_unpool_module():
    def fn(x):
        nn = ember.nn if isinstance(x, ember.Tensor) else torch.nn
        y, i = nn.MaxPool2d(2, return_indices=True)(x)
        return nn.MaxUnpool2d(2)(y, i, output_size=x.shape)
    compare(fn, randn(2, 3, 5, 5, seed=4))

    def fn3(x):
        nn = ember.nn if isinstance(x, ember.Tensor) else torch.nn
        y, i = nn.MaxPool3d(2, return_indices=True)(x)
        return nn.MaxUnpool3d(2)(y, i)
    compare(fn3, randn(1, 2, 4, 4, 6, seed=5))


def test_gradcheck_pooling():
    """Central differences in float64 (runs without torch); squaring makes second order non-trivial."""
    from ember.autograd import gradcheck, gradgradcheck
    Fe = ember.nn.functional
    x = ember.tensor(np.random.default_rng(0).standard_normal((2, 2, 6, 5)), dtype=ember.float64, requires_grad=True)
    for fn in (lambda x: Fe.max_pool2d(x, 3, 2, 1), lambda x: Fe.max_pool2d(x, 2, 1),
               lambda x: Fe.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
               lambda x: Fe.adaptive_avg_pool2d(x, (4, 3)), lambda x: Fe.adaptive_max_pool2d(x, (4, 3))):
        assert gradcheck(fn, (x,))
        assert gradgradcheck(lambda x: fn(x) ** 2, (x,))


@requires_torch
@pytest.mark.parametrize('shape,kernel,kw', [((2, 3, 8, 8), 2, {}), ((2, 3, 7, 9), 2, {}),
                                             ((2, 3, 7, 9), 2, {'ceil_mode': True}), ((2, 3, 6, 6), (2, 3), {}),
                                             ((1, 2, 6), 2, {}), ((1, 2, 4, 6, 6), 2, {})])
def test_max_pool_tiling_windows_with_ties_and_nans(shape, kernel, kw):
    """stride == kernel takes a reshape-and-argmax path: same values, indices and gradients as torch."""
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    x[0, 0].flat[:4] = 1.0  # ties: the first maximum wins
    for nan in (False, True):
        if nan:  # two NaNs in one window: torch keeps the last
            x[0, 1].flat[:2] = np.nan
        d = len(shape) - 2
        fe, ft = (getattr(m.nn.functional, f'max_pool{d}d') for m in (ember, torch))
        xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        (ve, ie), (vt, it) = fe(xe, kernel, return_indices=True, **kw), ft(xt, kernel, return_indices=True, **kw)
        np.testing.assert_array_equal(ve.detach().numpy(), vt.detach().numpy())
        np.testing.assert_array_equal(ie.numpy(), it.numpy())
        g = np.random.default_rng(1).standard_normal(tuple(vt.shape)).astype(np.float32)
        ve.backward(ember.tensor(g))
        vt.backward(torch.tensor(g))
        np.testing.assert_array_equal(xe.grad.numpy(), xt.grad.numpy())
