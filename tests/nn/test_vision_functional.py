"""F.pad, F.interpolate, F.unfold/F.fold, F.pixel_shuffle against torch."""
import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, compare, compare_raises, randn, torch



def F(t):
    """``nn.functional`` of whichever library ``t`` belongs to."""
    return ember.nn.functional if isinstance(t, ember.Tensor) else torch.nn.functional


def square(fn):
    """``fn(x) ** 2``: makes the upstream gradient depend on x so that second order is non-trivial."""
    return lambda x: fn(x) ** 2


@requires_torch
@pytest.mark.parametrize('pad,mode,shape', [
    ((1, 2), 'constant', (2, 3, 5)),
    ((1, 2, 0, 3), 'constant', (2, 3, 4, 5)),
    ((-1, 2, 1, -2), 'constant', (2, 3, 4, 5)),
    ((2, 1), 'reflect', (2, 3, 5)),
    ((2, 1, 1, 3), 'reflect', (2, 3, 4, 5)),
    ((2, 1, 1, 3), 'replicate', (2, 3, 4, 5)),
    ((3, 0), 'replicate', (2, 3, 4)),
    ((2, 1, 1, 3), 'circular', (2, 3, 4, 5)),
    ((1, 1, 1, 1, 1, 1), 'replicate', (1, 2, 3, 4, 3)),
], ids=str)
def test_pad(pad, mode, shape):
    fn = lambda x: F(x).pad(x, pad, mode=mode)
    compare(fn, randn(*shape, seed=1))
    compare(square(fn), randn(*shape, seed=1), second_order=True)


@requires_torch
def test_pad_value():
    compare(lambda x: F(x).pad(x, (1, 1), value=3.5), randn(2, 3))


@requires_torch
@pytest.mark.parametrize('kw,shape', [
    (dict(scale_factor=2), (1, 2, 3, 4)),
    (dict(size=(5, 7)), (1, 2, 3, 4)),
    (dict(size=(2, 3)), (1, 2, 5, 7)),
    (dict(scale_factor=1.7), (2, 1, 5, 3)),
    (dict(scale_factor=2, mode='nearest-exact'), (1, 2, 3, 4)),
    (dict(size=(5, 7), mode='nearest-exact'), (1, 2, 3, 4)),
    (dict(scale_factor=2, mode='bilinear'), (1, 2, 3, 4)),
    (dict(scale_factor=2, mode='bilinear', align_corners=True), (1, 2, 3, 4)),
    (dict(size=(4, 9), mode='bilinear'), (2, 2, 6, 4)),
    (dict(size=(4, 9), mode='bilinear', align_corners=True), (2, 2, 6, 4)),
    (dict(scale_factor=(0.5, 1.5), mode='bilinear'), (1, 2, 6, 4)),
    (dict(size=(5, 6), mode='bicubic'), (1, 2, 4, 4)),
    (dict(size=(5, 6), mode='bicubic', align_corners=True), (1, 2, 4, 4)),
    (dict(size=7, mode='linear'), (2, 3, 4)),
    (dict(scale_factor=3), (2, 3, 4)),
    (dict(size=(3, 2), mode='area'), (1, 2, 7, 5)),
    (dict(scale_factor=2, mode='trilinear'), (1, 1, 2, 3, 2)),
    (dict(scale_factor=1.5, mode='bilinear', recompute_scale_factor=True), (1, 2, 5, 5)),
], ids=str)
def test_interpolate(kw, shape):
    fn = lambda x: F(x).interpolate(x, **kw)
    compare(fn, randn(*shape, seed=2))
    compare(square(fn), randn(*shape, seed=2), second_order=True)


@requires_torch
@pytest.mark.parametrize('kw', [dict(kernel_size=2), dict(kernel_size=(2, 3), stride=2, padding=1, dilation=(1, 2))],
                         ids=str)
def test_unfold_fold(kw):
    x = randn(2, 3, 6, 7, seed=3)
    compare(lambda x: F(x).unfold(x, **kw), x, second_order=True)
    cols = F(torch.tensor(x)).unfold(torch.tensor(x), **kw).numpy()
    compare(lambda c: F(c).fold(c, (6, 7), **kw), cols, second_order=True)
    compare(square(lambda c: F(c).fold(c, (6, 7), **kw)), cols, second_order=True)


@requires_torch
@pytest.mark.parametrize('align', [False, True])
def test_affine_grid_and_grid_sample(align):
    theta = np.array([[[0.9, -0.3, 0.1], [0.2, 1.1, -0.2]], [[1.3, 0.1, 0.3], [-0.2, 0.7, 0.05]]], np.float32)
    compare(lambda t: F(t).affine_grid(t, (2, 3, 4, 5), align_corners=align), theta)
    x = randn(2, 3, 4, 5, seed=5)
    grid = np.random.default_rng(6).uniform(-1.3, 1.3, (2, 3, 6, 2)).astype(np.float32)
    for pad in ('zeros', 'border'):
        compare(lambda x, g: F(x).grid_sample(x, g, padding_mode=pad, align_corners=align), x, grid, atol=1e-4)
        # nearest has no gradient in the grid (torch returns zeros, ember none): keep the grid constant
        as_lib = lambda x: ember.tensor(grid) if isinstance(x, ember.Tensor) else torch.tensor(grid)
        compare(lambda x: F(x).grid_sample(x, as_lib(x), mode='nearest', padding_mode=pad, align_corners=align), x)
    # the spatial-transformer pattern: gradients reach theta through the grid
    compare(lambda x, t: F(x).grid_sample(x, F(x).affine_grid(t, (2, 3, 4, 5), align_corners=align),
                                          align_corners=align), x, theta, atol=1e-4)


@requires_torch
def test_pixel_shuffle():
    compare(lambda x: F(x).pixel_shuffle(x, 2), randn(2, 8, 3, 4))
    compare(lambda x: F(x).pixel_unshuffle(x, 2), randn(2, 2, 4, 6))


@requires_torch
@pytest.mark.parametrize('bad', [
    lambda F, x: F.pad(x, (1,)),
    lambda F, x: F.pad(x, (5, 5), mode='reflect'),            # 4-D input needs 4 pads
    lambda F, x: F.pad(x, (5, 5, 1, 1), mode='reflect'),      # larger than the input
    lambda F, x: F.interpolate(x, size=3, scale_factor=2),
    lambda F, x: F.interpolate(x, scale_factor=2, mode='nearest', align_corners=True),
    lambda F, x: F.fold(x.flatten(2), (5, 5), 3),
])
def test_errors(bad):
    compare_raises(lambda x: bad(F(x), x), randn(1, 2, 4, 4))


def test_gradcheck_resampling():
    """Central differences in float64 (runs without torch) for pad, interpolate and unfold/fold."""
    from ember.autograd import gradcheck, gradgradcheck
    Fe = ember.nn.functional
    x = ember.tensor(np.random.default_rng(0).standard_normal((1, 2, 4, 5)), dtype=ember.float64,
                     requires_grad=True)
    for fn in (lambda x: Fe.pad(x, (1, 2, 2, 1), mode='reflect'), lambda x: Fe.pad(x, (1, -1, 2, 0), value=1.0),
               lambda x: Fe.interpolate(x, scale_factor=2, mode='bilinear'),
               lambda x: Fe.interpolate(x, size=(3, 7), mode='bicubic', align_corners=True),
               lambda x: Fe.fold(Fe.unfold(x, 2, padding=1, stride=(1, 2)), (4, 5), 2, padding=1, stride=(1, 2))):
        assert gradcheck(fn, (x,))
        assert gradgradcheck(lambda x: fn(x) ** 2, (x,))
