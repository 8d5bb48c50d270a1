"""optim._util.axpy_: the fused in-place update the optimizers use, on every kind of array."""
import numpy as np
import pytest

from ember.optim._util import axpy_
from tests.oracle import requires_torch, torch


@pytest.mark.parametrize('dtype', [np.float32, np.float64, np.float16])
@pytest.mark.parametrize('n', [10, 10000])
def test_axpy_in_place(dtype, n):
    rng = np.random.default_rng(0)
    y, x = rng.standard_normal(n).astype(dtype), rng.standard_normal(n).astype(dtype)
    expected = y.astype(np.float64) - 0.25 * x.astype(np.float64)
    out = axpy_(y, -0.25, x)
    assert out is y and y.dtype == dtype
    np.testing.assert_allclose(y, expected, rtol=1e-3 if dtype == np.float16 else 1e-6, atol=1e-3)


def test_axpy_non_contiguous_and_alpha_one():
    rng = np.random.default_rng(1)
    base = rng.standard_normal((200, 100)).astype(np.float32)
    y, x = base.T.copy(order='F'), rng.standard_normal((100, 200)).astype(np.float32)
    expected = y + x
    axpy_(y, 1, x)
    np.testing.assert_array_equal(y, expected)
    view = np.zeros((100, 400), np.float32)[:, ::2]  # a strided view is updated through the view
    axpy_(view, 2.0, x)
    np.testing.assert_allclose(view, 2 * x)


@requires_torch
def test_axpy_rounds_like_torch_add_alpha():
    rng = np.random.default_rng(2)
    y, x = rng.standard_normal(50000).astype(np.float32), rng.standard_normal(50000).astype(np.float32)
    t = torch.from_numpy(y.copy()).add_(torch.from_numpy(x), alpha=-0.01).numpy()
    np.testing.assert_allclose(axpy_(y, -0.01, x), t, rtol=1e-6, atol=1e-7)
