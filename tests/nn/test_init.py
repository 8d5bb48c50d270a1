"""nn.init: distributions and bounds against the formulas, gains and fans against torch, in-place semantics."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn import init
from tests.oracle import requires_torch, torch


def _big(*shape):
    return nn.Parameter(ember.empty(*shape))


@requires_torch
@pytest.mark.parametrize('args', [('linear',), ('conv2d',), ('sigmoid',), ('tanh',), ('relu',), ('leaky_relu',),
                                  ('leaky_relu', 0.2), ('leaky_relu', 3), ('selu',)])
def test_calculate_gain_matches_torch(args):
    assert init.calculate_gain(*args) == pytest.approx(torch.nn.init.calculate_gain(*args))


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match='Unsupported nonlinearity foo'):
        init.calculate_gain('foo')
    with pytest.raises(ValueError, match='negative_slope'):
        init.calculate_gain('leaky_relu', True)


@requires_torch
@pytest.mark.parametrize('shape', [(5, 3), (8, 4, 3), (6, 2, 3, 5)])
def test_fans_match_torch(shape):
    assert init._calculate_fan_in_and_fan_out(ember.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def test_fan_needs_two_dims():
    with pytest.raises(ValueError, match='fewer than 2 dimensions'):
        init.xavier_uniform_(ember.empty(5))
    with pytest.raises(ValueError, match='Mode fan_avg not supported'):
        init.kaiming_uniform_(ember.empty(3, 3), mode='fan_avg')


def _check_uniform(values, bound):
    assert values.min() >= -bound and values.max() <= bound
    assert values.max() > 0.98 * bound and values.min() < -0.98 * bound
    assert abs(values.std() - bound / math.sqrt(3)) < 0.03 * bound


def _check_normal(values, std, mean=0.0):
    assert abs(values.mean() - mean) < 0.03 * std + 1e-3
    assert abs(values.std() - std) < 0.03 * std


def test_uniform_normal_constant_ones_zeros():
    p = _big(200, 100)
    assert init.uniform_(p, -2, 3) is p
    v = p.detach().numpy()
    assert v.min() >= -2 and v.max() <= 3 and abs(v.mean() - 0.5) < 0.05
    init.normal_(p, 1.5, 0.5)
    _check_normal(p.detach().numpy(), 0.5, 1.5)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert init.constant_(p, 0.25).detach().numpy().min() == 0.25
    assert init.ones_(p).detach().numpy().min() == 1 and not init.zeros_(p).detach().numpy().any()


@pytest.mark.parametrize('gain', [1.0, 2.0])
def test_xavier(gain):
    p = _big(300, 200)
    fan_in, fan_out = 200, 300
    init.xavier_uniform_(p, gain=gain)
    _check_uniform(p.detach().numpy(), gain * math.sqrt(6 / (fan_in + fan_out)))
    init.xavier_normal_(p, gain=gain)
    _check_normal(p.detach().numpy(), gain * math.sqrt(2 / (fan_in + fan_out)))


@pytest.mark.parametrize('mode,nonlinearity,a', [('fan_in', 'relu', 0), ('fan_out', 'relu', 0),
                                                  ('fan_in', 'leaky_relu', math.sqrt(5)), ('fan_out', 'tanh', 0)])
def test_kaiming(mode, nonlinearity, a):
    p = _big(120, 40, 3, 3)  # conv-shaped: fan_in = 40 * 9, fan_out = 120 * 9
    fan = 40 * 9 if mode == 'fan_in' else 120 * 9
    gain = init.calculate_gain(nonlinearity, a)
    init.kaiming_uniform_(p, a=a, mode=mode, nonlinearity=nonlinearity)
    _check_uniform(p.detach().numpy(), gain * math.sqrt(3 / fan))
    init.kaiming_normal_(p, a=a, mode=mode, nonlinearity=nonlinearity)
    _check_normal(p.detach().numpy(), gain / math.sqrt(fan))


def test_kaiming_on_empty_tensor_warns_and_is_noop():
    with pytest.warns(UserWarning, match='no-op'):
        init.kaiming_uniform_(ember.empty(0, 3))


def test_trunc_normal_bounds_and_moments():
    p = _big(300, 300)
    init.trunc_normal_(p, mean=1.0, std=2.0, a=-1.0, b=5.0)
    v = p.detach().numpy()
    assert v.min() >= -1 and v.max() <= 5
    # the truncated normal's moments, from the standard formulas
    truncnorm = pytest.importorskip('scipy.stats').truncnorm
    dist = truncnorm((-1 - 1) / 2, (5 - 1) / 2, loc=1, scale=2)
    assert abs(v.mean() - dist.mean()) < 0.02 and abs(v.std() - dist.std()) < 0.02


@pytest.mark.parametrize('shape', [(6, 4), (4, 6), (5, 2, 3)])
def test_orthogonal(shape):
    p = _big(*shape)
    init.orthogonal_(p, gain=2.0)
    m = p.detach().numpy().reshape(shape[0], -1)
    small = min(m.shape)
    gram = m @ m.T if m.shape[0] == small else m.T @ m
    np.testing.assert_allclose(gram, 4 * np.eye(small), atol=1e-5)
    with pytest.raises(ValueError, match='2 or more dimensions'):
        init.orthogonal_(ember.empty(3))


@requires_torch
def test_eye_and_dirac_match_torch():
    np.testing.assert_array_equal(init.eye_(ember.empty(3, 5)).numpy(), torch.nn.init.eye_(torch.empty(3, 5)).numpy())
    for shape, groups in (((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((4, 4, 1, 3, 3), 1)):
        np.testing.assert_array_equal(init.dirac_(ember.empty(*shape), groups).numpy(),
                                      torch.nn.init.dirac_(torch.empty(*shape), groups).numpy())
    with pytest.raises(ValueError, match='Only tensors with 2 dimensions'):
        init.eye_(ember.empty(2, 2, 2))
    with pytest.raises(ValueError, match='3, 4, or 5 dimensions'):
        init.dirac_(ember.empty(2, 2))


def test_sparse_zeroes_each_column():
    p = _big(20, 30)
    init.sparse_(p, sparsity=0.3, std=0.5)
    zeros_per_column = (p.detach().numpy() == 0).sum(0)
    assert (zeros_per_column == 6).all()


def test_generator_makes_draws_reproducible_and_writes_in_place():
    p = _big(4, 4)
    data = p._data
    init.normal_(p, generator=ember.Generator().manual_seed(1))
    first = p.detach().numpy().copy()
    init.normal_(p, generator=ember.Generator().manual_seed(1))
    np.testing.assert_array_equal(first, p.detach().numpy())
    assert p._data is data  # the same memory, filled in place
    version = p._version[0]
    init.xavier_uniform_(p)
    assert p._version[0] > version


def test_init_keeps_dtype():
    p = nn.Parameter(ember.empty(3, 3, dtype=ember.float64))
    init.kaiming_normal_(p)
    assert p.dtype == ember.float64
