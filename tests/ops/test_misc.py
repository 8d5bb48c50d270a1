"""addcmul, addcdiv, lerp, nan_to_num against torch, and their in-place forms."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.oracle import compare, compare_raises, randn, requires_torch, torch

A, B, C = randn(3, 4), randn(3, 4, seed=1), np.abs(randn(4, seed=2)) + 0.5

FUSED = {
    'addcmul': lambda a, b, c: a.addcmul(b, c), 'addcmul_value': lambda a, b, c: a.addcmul(b, c, value=-0.5),
    'addcdiv': lambda a, b, c: a.addcdiv(b, c), 'addcdiv_value': lambda a, b, c: a.addcdiv(b, c, value=2),
    'lerp': lambda a, b, c: a.lerp(b, 0.3), 'lerp_tensor': lambda a, b, c: a.lerp(b, c),
}


@requires_torch
@pytest.mark.parametrize('name', FUSED)
def test_fused_values_and_grads(name):
    compare(FUSED[name], A, B, C, second_order=True)


@pytest.mark.parametrize('name', FUSED)
def test_fused_gradcheck(name):
    args = [ember.tensor(x.astype(np.float64), requires_grad=True) for x in (A, B, C)]
    assert gradcheck(FUSED[name], args) and gradgradcheck(FUSED[name], args)


@requires_torch
@pytest.mark.parametrize('name', ['addcmul', 'addcdiv', 'lerp'])
def test_inplace_forms(name):
    args = {'addcmul': (B, C), 'addcdiv': (B, C), 'lerp': (B, 0.25)}[name]

    def fn(a, b):
        other = args[1] if not isinstance(args[1], np.ndarray) else \
            (ember if isinstance(a, ember.Tensor) else torch).from_numpy(args[1].copy())
        return getattr(a.clone(), name + '_')(b, other)
    compare(fn, A, args[0], second_order=True)


def test_inplace_under_no_grad_writes_in_place():
    p = ember.ones(3)
    before = id(p._data)
    with ember.no_grad():
        p.addcdiv_(ember.ones(3), ember.full((3,), 2.), value=-1)
        p.lerp_(ember.zeros(3), 0.5)
    assert id(p._data) == before
    np.testing.assert_allclose(p.numpy(), [0.25] * 3)


@requires_torch
def test_promotion_and_errors():
    compare(lambda a, b: a.addcmul(b, b), A, B.astype(np.float64))
    compare(lambda a: a.addcmul(a, a, value=2), np.array([1, 2, 3]))
    compare_raises(lambda a: a.addcdiv(a, a), np.array([1, 2, 3]))
    compare_raises(lambda a, b: a.lerp(b, 0.5), A, B.astype(np.float64))
    compare_raises(lambda a, b: a.addcmul(b, b), A, randn(5))


@requires_torch
@pytest.mark.parametrize('kwargs', [{}, {'nan': 1.5}, {'posinf': 9., 'neginf': -9.}, {'nan': 0., 'posinf': 1.}])
def test_nan_to_num(kwargs):
    v = np.array([np.nan, np.inf, -np.inf, 1.5, -2.], dtype=np.float32)
    compare(lambda x: x.nan_to_num(**kwargs), v, second_order=True)
    compare(lambda x: x.nan_to_num(**kwargs), v.astype(np.float64))
    compare(lambda x: x.clone().nan_to_num_(**kwargs), v)
    compare(lambda x: x.nan_to_num(**kwargs), np.array([1, 2]))


def test_grad_fn_names():
    x = ember.ones(2, requires_grad=True)
    assert x.addcmul(x, x).grad_fn.name() == 'AddcmulBackward0'
    assert x.addcdiv(x, x).grad_fn.name() == 'AddcdivBackward0'
    assert x.lerp(x, 0.5).grad_fn.name() == 'LerpBackward0'
    assert x.lerp(x, x).grad_fn.name() == 'LerpBackward1'
    assert x.nan_to_num().grad_fn.name() == 'NanToNumBackward0'
