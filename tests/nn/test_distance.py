"""one_hot, normalize, cosine_similarity, pairwise_distance and their modules against torch."""
import math

import numpy as np
import pytest

import ember
from tests.oracle import compare, compare_raises, randn, requires_torch, torch


def lib(t):
    """The library a tensor belongs to: ``ember`` or ``torch``."""
    return ember if isinstance(t, ember.Tensor) else torch


def F(t):
    return lib(t).nn.functional


@requires_torch
@pytest.mark.parametrize('idx, n', [([0, 2, 1], -1), ([[0, 3], [1, 1]], 5), ([], 4), (2, 3)])
def test_one_hot(idx, n):
    compare(lambda x: F(x).one_hot(x, n), np.array(idx, dtype=np.int64))


@requires_torch
@pytest.mark.parametrize('idx, n, dtype', [([1, 2], -1, np.int32), ([-1, 2], -1, np.int64), ([1, 5], 3, np.int64),
                                           ([], -1, np.int64), ([1.0], -1, np.float32), ([1], 0, np.int64)])
def test_one_hot_errors(idx, n, dtype):
    compare_raises(lambda x: F(x).one_hot(x, n), np.array(idx, dtype=dtype))


@requires_torch
@pytest.mark.parametrize('p, dim', [(2.0, 1), (1.0, 0), (3.0, -1), (math.inf, 1), (0.5, 1), (1.5, 1), (0, 1)])
def test_normalize(p, dim):
    compare(lambda x: F(x).normalize(x, p=p, dim=dim), randn(3, 4, seed=1, dtype=np.float64), second_order=True)


@requires_torch
def test_normalize_zero_row_gradient_is_finite():
    x = randn(3, 4, dtype=np.float64)
    x[1] = 0
    compare(lambda x: F(x).normalize(x, eps=1e-3), x)  # torch's second order is NaN there


@requires_torch
@pytest.mark.parametrize('shapes, dim', [(((4, 5), (4, 5)), 1), (((4, 5), (5,)), 1), (((3, 1, 5), (4, 5)), -1),
                                         (((6,), (6,)), 0), (((2, 3, 4), (2, 3, 4)), 0)])
def test_cosine_similarity(shapes, dim):
    a, b = randn(*shapes[0], seed=1, dtype=np.float64), randn(*shapes[1], seed=2, dtype=np.float64)
    compare(lambda a, b: F(a).cosine_similarity(a, b, dim=dim), a, b, second_order=True)


@requires_torch
def test_cosine_similarity_zero_vector_and_mixed_dtype():
    a = randn(3, 4)
    a[0] = 0
    compare(lambda a, b: F(a).cosine_similarity(a, b), a, randn(3, 4, seed=3))
    compare(lambda a, b: F(a).cosine_similarity(a, b), randn(3, 4, dtype=np.float64), randn(3, 4, seed=3))


@requires_torch
@pytest.mark.parametrize('fn, a, b', [
    (lambda a, b: F(a).cosine_similarity(a, b), (3, 4), (2, 4)),
    (lambda a, b: F(a).cosine_similarity(a, b, dim=2), (3, 4), (3, 4)),
    (lambda a, b: F(a).pairwise_distance(a, b), (3, 4), (3, 5)),
    (lambda a, b: F(a).normalize(a, dim=2), (3, 4), (3, 4)),
])
def test_shape_errors(fn, a, b):
    compare_raises(fn, randn(*a), randn(*b))


@requires_torch
def test_integer_errors():
    ints = np.array([[1, 2]], dtype=np.int64)
    compare_raises(lambda a: F(a).normalize(a), ints)
    compare_raises(lambda a: F(a).cosine_similarity(a, a), ints)


@requires_torch
@pytest.mark.parametrize('p', [2.0, 1.0, 3.0, math.inf, -1.0, 0.0])
@pytest.mark.parametrize('shapes, keepdim', [(((4, 5), (4, 5)), False), (((4, 5), (5,)), True), (((5,), (5,)), False),
                                             (((2, 3, 5), (3, 5)), False)])
def test_pairwise_distance(p, shapes, keepdim):
    a, b = randn(*shapes[0], seed=1, dtype=np.float64), randn(*shapes[1], seed=2, dtype=np.float64)
    compare(lambda a, b: F(a).pairwise_distance(a, b, p=p, keepdim=keepdim), a, b, second_order=p not in (0, 1, math.inf))  # torch's are ZeroTensors


@requires_torch
def test_pairwise_distance_integer_inputs_give_float():
    compare(lambda a, b: F(a).pairwise_distance(a, b), np.array([[1, 2]]), np.array([[1, 3]]))


@requires_torch
def test_modules():
    a, b = randn(4, 5, seed=1), randn(4, 5, seed=2)
    compare(lambda a, b: lib(a).nn.CosineSimilarity(dim=0, eps=1e-6)(a, b), a, b)
    compare(lambda a, b: lib(a).nn.PairwiseDistance(p=1.0, keepdim=True)(a, b), a, b)
    assert repr(ember.nn.PairwiseDistance()) == 'PairwiseDistance()'


@pytest.mark.parametrize('p', [2.0, 1.0, 3.0, 0.5, math.inf, -math.inf])
@pytest.mark.parametrize('dim, keepdim', [(1, False), (0, True)])
def test_norm_primitive_gradcheck(p, dim, keepdim):
    from ember.autograd import gradcheck, gradgradcheck
    from ember.nn._functional.distance import Norm
    x = ember.from_numpy(randn(3, 4, seed=5, dtype=np.float64)).requires_grad_()
    fn = lambda x: Norm.apply(x, p=p, dim=dim, keepdim=keepdim)  # noqa: E731
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))
