"""Elementwise functions of one tensor against torch: values, dtypes, 1st/2nd gradients, gradcheck."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.oracle import compare, compare_raises, randn, requires_torch, torch

X = randn(3, 4)
UNIT = np.clip(randn(3, 4, seed=1) * 0.4, -0.9, 0.9)   # inside (-1, 1) for asin/acos
POS = np.abs(randn(3, 4, seed=2)) + 0.3

# name -> domain of the test input
SMOOTH = {
    'exp': X, 'exp2': X, 'expm1': X, 'log': POS, 'log2': POS, 'log10': POS, 'log1p': POS, 'sqrt': POS,
    'rsqrt': POS, 'sin': X, 'cos': X, 'tan': UNIT, 'asin': UNIT, 'acos': UNIT, 'atan': X, 'sinh': X,
    'cosh': X, 'tanh': X, 'sigmoid': X, 'reciprocal': POS, 'erf': X, 'neg': X, 'relu': X, 'abs': X,
}
PIECEWISE = ('floor', 'ceil', 'trunc', 'round', 'sign', 'frac')


@requires_torch
@pytest.mark.parametrize('name', SMOOTH)
def test_unary_values_and_grads(name):
    second = name not in ('relu', 'abs', 'neg')  # torch gives ZeroTensors the oracle cannot read
    compare(lambda x: getattr(x, name)(), SMOOTH[name], second_order=second)
    compare(lambda x: getattr(x.__class__.__module__.startswith('torch') and torch or ember, name)(x),
            SMOOTH[name], grad=False)


@pytest.mark.parametrize('name', SMOOTH)
def test_unary_gradcheck(name):
    x = ember.tensor(SMOOTH[name].astype(np.float64), requires_grad=True)
    fn = lambda t: getattr(t, name)()
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


@requires_torch
@pytest.mark.parametrize('name', PIECEWISE)
def test_piecewise_constant(name):
    compare(lambda x: getattr(x, name)(), X * 3)
    if name == 'frac':
        compare_raises(lambda x: x.frac(), np.array([-2, 0, 3]))
    else:
        compare(lambda x: getattr(x, name)(), np.array([-2, 0, 3]))


@requires_torch
@pytest.mark.parametrize('name', ['exp', 'sqrt', 'sin', 'sigmoid', 'tanh', 'log', 'reciprocal', 'erf'])
def test_integer_input_gives_float(name):
    compare(lambda x: getattr(x, name)(), np.array([1, 2, 3]))
    compare(lambda x: getattr(x, name)(), np.array([True, False]))


@requires_torch
@pytest.mark.parametrize('name', ['abs', 'neg', 'relu', 'sign'])
def test_integer_input_stays_integer(name):
    compare(lambda x: getattr(x, name)(), np.array([-2, 0, 3], dtype=np.int32))


@requires_torch
def test_special_values():
    v = np.array([0., -0., np.inf, -np.inf, np.nan, -1., 1e30, -1e30], dtype=np.float32)
    for name in ('exp', 'log', 'sqrt', 'sigmoid', 'tanh', 'relu', 'sign', 'reciprocal', 'abs'):
        compare(lambda x: getattr(x, name)(), v, grad=False)


@requires_torch
def test_round_decimals_and_half_to_even():
    compare(lambda x: x.round(), np.array([0.5, 1.5, 2.5, -0.5, -1.5], dtype=np.float32))
    compare(lambda x: x.round(decimals=2), X * 10)


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda x: x.clamp(-0.5, 0.5), lambda x: x.clamp(min=0.1), lambda x: x.clamp(max=-0.1),
    lambda x: x.clamp(0.5, -0.5), lambda x: x.clip(-0.2, 0.3),
    lambda x: x.clamp(min=x.new_zeros(4) - 0.3, max=x.new_ones(4) * 0.2),
])
def test_clamp(fn):
    compare(fn, X, second_order=True)


@requires_torch
def test_clamp_gradient_at_the_bounds_passes_through():
    compare(lambda x: x.clamp(0.0, 1.0), np.array([0., 0.5, 1., 2., -1.], dtype=np.float32))


@requires_torch
def test_clamp_dtypes_and_errors():
    compare(lambda x: x.clamp(0, 2), np.array([-1, 1, 5]))
    compare(lambda x: x.clamp(0.5, 2), np.array([-1, 1, 5]))
    compare_raises(lambda x: x.clamp(), X)


@requires_torch
@pytest.mark.parametrize('name', ['exp', 'log', 'sqrt', 'sin', 'tanh', 'sigmoid', 'relu', 'abs', 'neg', 'floor',
                                  'reciprocal', 'round', 'sign', 'trunc', 'ceil', 'frac'])
def test_inplace_unary(name):
    compare(lambda x: getattr(x.clone(), name + '_')(), POS, second_order=name in ('exp', 'log', 'sqrt', 'tanh'))


@requires_torch
def test_inplace_unary_cast_error():
    compare_raises(lambda x: x.exp_(), np.array([1, 2]))
    compare_raises(lambda x: x.sqrt_(), np.array([1, 2]))


def test_unary_grad_fn_names():
    x = ember.ones(2, requires_grad=True)
    for name, node in (('exp', 'ExpBackward0'), ('tanh', 'TanhBackward0'), ('sigmoid', 'SigmoidBackward0'),
                       ('relu', 'ReluBackward0'), ('clamp', 'ClampBackward0')):
        fn = getattr(x, name)
        y = fn(0.0) if name == 'clamp' else fn()
        assert y.grad_fn.name() == node


def test_sigmoid_is_stable_for_large_inputs():
    x = ember.tensor([-1000., 1000.], requires_grad=True)
    y = x.sigmoid()
    y.sum().backward()
    np.testing.assert_array_equal(y.detach().numpy(), [0., 1.])
    assert np.isfinite(x.grad.numpy()).all()


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda x, lo, hi: x.clamp(lo, hi), lambda x, lo, hi: x.clamp(min=lo), lambda x, lo, hi: x.clamp(max=hi),
    lambda x, lo, hi: x.clamp(hi, lo),
])
def test_clamp_with_tensor_bounds_differentiates_the_bounds(fn):
    x = np.array([[-2., -0.3, 0.], [0.4, 1., 3.]], dtype=np.float32)
    lo = np.array([-1., -0.5, 0.], dtype=np.float32)
    hi = np.array([1., 0.5, 2.], dtype=np.float32)
    compare(fn, x, lo, hi)
    compare_raises(lambda a, b: a.clamp(b, 0.5), x, lo)
    compare_raises(lambda a, b: a.clamp(-0.5, b), x, hi)


@requires_torch
def test_square():
    compare(lambda x: x.square(), X, second_order=True)
    compare(lambda x: x.square(), np.array([-2, 3]))


@pytest.mark.parametrize('fn', [lambda x: x.clamp(-0.5, 0.5), lambda x: x.clamp(min=0.1),
                                lambda x: x.nan_to_num(), lambda x: x.square()])
def test_piecewise_gradcheck(fn):
    x = ember.tensor(np.array([-1.3, -0.2, 0.3, 0.8, 2.0]), requires_grad=True)  # away from the kinks
    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))
