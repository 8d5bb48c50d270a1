"""Dropout family: scaling, mask statistics, channel masks, eval-mode identity, gradients, errors."""
import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from tests.oracle import compare_raises, requires_torch, torch


def test_dropout_zeroes_about_p_and_scales_the_rest():
    x = ember.ones(200, 100)
    y = F.dropout(x, p=0.3).numpy()
    kept = y != 0
    assert abs(1 - kept.mean() - 0.3) < 0.02
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)


def test_dropout_gradient_is_the_same_mask_scaled():
    x = ember.randn(50, 40, requires_grad=True)
    y = F.dropout(x, p=0.5)
    y.sum().backward()
    mask = (y.detach().numpy() != 0)
    np.testing.assert_allclose(x.grad.numpy(), mask * 2.0)


def test_eval_mode_and_p_zero_are_identity_and_p_one_zeroes():
    x = ember.randn(4, 5, requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    y = F.dropout(x, 1.0)
    assert not y.detach().numpy().any() and y.requires_grad
    m = nn.Dropout(0.9).eval()
    assert m(x) is x
    m.train()
    assert (m(x).detach().numpy() == 0).mean() > 0.5


@pytest.mark.parametrize('fn,shape,noise_dims', [
    (F.dropout1d, (8, 6, 20), 2), (F.dropout1d, (6, 20), 1),
    (F.dropout2d, (8, 6, 5, 4), 2), (F.dropout3d, (4, 6, 3, 3, 3), 2), (F.dropout3d, (6, 3, 3, 3), 1)])
def test_channel_dropout_drops_whole_channels(fn, shape, noise_dims):
    y = fn(ember.ones(*shape), 0.5).numpy()
    per_channel = y.reshape(shape[:noise_dims] + (-1,))
    # every (sample, channel) slice is either all dropped or all kept (scaled by 2)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert 0 < (per_channel == 0).all(-1).mean() < 1


def test_dropout2d_3d_input_warns_and_is_channelwise():
    with pytest.warns(UserWarning, match='dropout2d'):
        y = F.dropout2d(ember.ones(8, 6, 10), 0.5).numpy()
    assert np.all((y == 0).all(-1) | (y == 2).all(-1))


def test_inplace_dropout_writes_into_input():
    x = ember.ones(10, 10)
    y = x * 1
    out = F.dropout(y, 0.5, inplace=True)
    assert out is y and (y.numpy() == 0).any()
    leaf = ember.ones(3, requires_grad=True)
    z = leaf * 1
    nn.Dropout(0.5, inplace=True)(z).sum().backward()
    assert leaf.grad is not None


def test_alpha_dropout_keeps_mean_and_variance():
    x = ember.randn(400, 250)
    y = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.03 and abs(y.std() - 1) < 0.03
    assert F.alpha_dropout(x, 0.2) is x  # training defaults to False, as torch
    y = F.feature_alpha_dropout(ember.randn(40, 30, 50), 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.05 and abs(y.std() - 1) < 0.05


@requires_torch
def test_invalid_p_raises_value_error_like_torch():
    x = np.ones(3, np.float32)
    for p in (-0.1, 1.5):
        compare_raises(lambda t: (ember if isinstance(t, ember.Tensor) else torch).nn.functional.dropout(t, p), x)
        with pytest.raises(ValueError, match='dropout probability has to be between 0 and 1, but got'):
            nn.Dropout(p)
    compare_raises(lambda t: (ember if isinstance(t, ember.Tensor) else torch).nn.functional.dropout1d(t, 0.5),
                   np.ones((2, 2, 2, 2), np.float32))


@requires_torch
def test_reprs_match_torch():
    for name in ('Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d', 'AlphaDropout', 'FeatureAlphaDropout'):
        assert repr(getattr(nn, name)(0.2, inplace=True)) == repr(getattr(torch.nn, name)(0.2, inplace=True))


def test_dropout_keeps_dtype_and_seed_reproducibility():
    x = ember.ones(20, dtype=ember.float64)
    ember.manual_seed(3)
    a = F.dropout(x, 0.5)
    ember.manual_seed(3)
    b = F.dropout(x, 0.5)
    assert a.dtype == ember.float64 and np.array_equal(a.numpy(), b.numpy())
