"""softmax / log_softmax against torch: values, stability, dtype argument, 1st/2nd gradients."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.oracle import compare, compare_raises, randn, requires_torch, torch

X = randn(2, 3, 4)


def lib(x):
    return ember if isinstance(x, ember.Tensor) else torch


@requires_torch
@pytest.mark.parametrize('name', ['softmax', 'log_softmax'])
@pytest.mark.parametrize('dim', [0, 1, -1])
def test_values_and_grads(name, dim):
    compare(lambda x: getattr(x, name)(dim), X, second_order=True)
    compare(lambda x: getattr(lib(x), name)(x, dim=dim), X, second_order=True)


@pytest.mark.parametrize('name', ['softmax', 'log_softmax'])
def test_gradcheck(name):
    x = ember.tensor(randn(3, 4, dtype=np.float64), requires_grad=True)
    fn = lambda t: getattr(t, name)(1)
    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))


@requires_torch
@pytest.mark.parametrize('name', ['softmax', 'log_softmax'])
def test_stability_and_special_rows(name):
    big = np.array([[1000., 1001., 999.], [-1000., -1000., -1000.], [-np.inf, 0., 1.]], dtype=np.float32)
    compare(lambda x: getattr(x, name)(1), big)


@requires_torch
@pytest.mark.parametrize('name', ['softmax', 'log_softmax'])
def test_dtype_argument_and_integer_inputs(name):
    compare(lambda x: getattr(x, name)(1, dtype=lib(x).float64), X)
    compare(lambda x: getattr(x, name)(0, dtype=lib(x).float32), np.array([[1, 2], [3, 4]]))
    compare_raises(lambda x: getattr(x, name)(0), np.array([[1, 2], [3, 4]]))
    compare_raises(lambda x: getattr(x, name)(3), X)


@requires_torch
def test_zero_dim_and_empty():
    compare(lambda x: x.softmax(0), np.array(3., dtype=np.float32))
    compare(lambda x: x.log_softmax(-1), np.array(3., dtype=np.float32))


def test_grad_fn_names():
    x = ember.ones(2, 3, requires_grad=True)
    assert x.softmax(1).grad_fn.name() == 'SoftmaxBackward0'
    assert x.log_softmax(1).grad_fn.name() == 'LogSoftmaxBackward0'
