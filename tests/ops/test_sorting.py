"""sort, argsort, topk, unique and bincount against torch (values, indices, gradients)."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.oracle import compare, compare_raises, randn, requires_torch, torch

X = randn(3, 5)
DUP = np.array([[3., 1., 2., 1., 3.], [0., -1., 5., 5., 2.]], dtype=np.float32)


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda x: x.sort(), lambda x: x.sort(0), lambda x: x.sort(descending=True), lambda x: x.sort(-1, True),
    lambda x: x.topk(2), lambda x: x.topk(2, largest=False), lambda x: x.topk(1, dim=0), lambda x: x.topk(3, 1),
    lambda x: x.topk(0),
])
def test_sort_topk_values_indices_grads(fn):
    e, _ = compare(fn, X, second_order=True)
    assert e.indices.dtype == ember.int64


@pytest.mark.parametrize('fn', [lambda x: x.sort(1).values, lambda x: x.topk(2).values,
                                lambda x: x.sort(0, descending=True)[0]])
def test_sort_topk_gradcheck(fn):
    x = ember.tensor(randn(3, 4, dtype=np.float64), requires_grad=True)
    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda x: x.sort(stable=True), lambda x: x.sort(descending=True, stable=True), lambda x: x.argsort(stable=True),
    lambda x: x.argsort(dim=1, descending=True, stable=True), lambda x: x.sort(dim=0, stable=True),
])
def test_stable_sort_with_ties(fn):
    compare(fn, DUP)
    compare(fn, DUP.astype(np.int64))


@requires_torch
def test_sort_nan_and_special_inputs():
    compare(lambda x: x.sort(), np.array([1., np.nan, -np.inf, 3.], dtype=np.float32))
    compare(lambda x: x.sort(descending=True), np.array([1., np.nan, -np.inf, 3.], dtype=np.float32))
    compare(lambda x: x.sort(), np.array(2.5, dtype=np.float32))
    compare(lambda x: x.sort(descending=True, stable=True), np.array([True, False, True]))
    compare(lambda x: x.argsort(), np.array([3, 1, 2], dtype=np.uint8))


@requires_torch
def test_sort_errors():
    compare_raises(lambda x: x.sort(2), X)
    compare_raises(lambda x: x.topk(6), X)
    compare_raises(lambda x: x.topk(-1), X)


@requires_torch
@pytest.mark.parametrize('kwargs', [{}, {'return_inverse': True}, {'return_counts': True},
                                    {'return_inverse': True, 'return_counts': True}, {'dim': 0},
                                    {'dim': 1, 'return_inverse': True, 'return_counts': True}])
def test_unique(kwargs):
    data = np.array([[3, 1, 3], [1, 2, 3], [3, 1, 3]])
    compare(lambda x: x.unique(**kwargs), data)
    if 'dim' not in kwargs:
        compare(lambda x: ember_or_torch(x).unique(x, **kwargs), DUP, grad=False)


def ember_or_torch(x):
    return ember if isinstance(x, ember.Tensor) else torch


@requires_torch
@pytest.mark.parametrize('weights', [None, np.array([.5, 1., 2., 3., .25], dtype=np.float32),
                                     np.array([.5, 1., 2., 3., .25]), np.array([1, 2, 3, 4, 5], dtype=np.int32)])
@pytest.mark.parametrize('minlength', [0, 8])
def test_bincount(weights, minlength):
    data = np.array([1, 1, 4, 0, 4])
    if weights is None:
        compare(lambda x: x.bincount(minlength=minlength), data)
    else:
        compare(lambda x, w: x.bincount(w, minlength=minlength), data, weights, grad=False)


@requires_torch
@pytest.mark.parametrize('data', [np.array([1, -1]), np.array([[1, 2]]), np.array([1., 2.], dtype=np.float32)])
def test_bincount_errors(data):
    compare_raises(lambda x: x.bincount(), data)


def test_sort_grad_fn_names():
    x = ember.ones(2, 3, requires_grad=True)
    assert x.sort().values.grad_fn.name() == 'SortBackward0'
    assert x.topk(1).values.grad_fn.name() == 'TopkBackward0'


@requires_torch
def test_default_sort_keeps_ties_in_order():
    compare(lambda x: x.sort(), DUP)
    compare(lambda x: x.argsort(dim=0), DUP)
