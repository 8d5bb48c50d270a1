"""Comparisons, logical and bitwise ops and value tests against torch (values and dtypes)."""
import numpy as np
import pytest

import ember
from tests.oracle import compare, compare_raises, randn, requires_torch, torch

F = np.array([[1., 2., np.nan], [-np.inf, 0., 3.]], dtype=np.float32)
G = np.array([2., 2., 1.], dtype=np.float32)
I = np.array([[1, 2, 3], [4, 0, -1]])
BOOL = np.array([True, False, True])


@requires_torch
@pytest.mark.parametrize('op', ['eq', 'ne', 'lt', 'le', 'gt', 'ge'])
@pytest.mark.parametrize('other', [G, 2, 2.5, np.array(2., dtype=np.float64)])
def test_comparisons(op, other):
    wrap = lambda x: (lambda o: o if not isinstance(o, np.ndarray) else
                      (torch.from_numpy(o.copy()) if isinstance(x, torch.Tensor) else ember.from_numpy(o.copy())))
    compare(lambda x: getattr(x, op)(wrap(x)(other)), F, grad=False)
    compare(lambda x: getattr(x, op)(wrap(x)(other)), I, grad=False)


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda x: x == 2, lambda x: x != 2, lambda x: x < 2, lambda x: x <= 2, lambda x: x > 2, lambda x: x >= 2,
    lambda x: 2 < x, lambda x: 2 == x, lambda x: 2.5 >= x,
])
def test_comparison_operators(fn):
    compare(fn, F, grad=False)
    compare(fn, I, grad=False)


@requires_torch
@pytest.mark.parametrize('op', ['logical_and', 'logical_or', 'logical_xor'])
def test_logical(op):
    compare(lambda a, b: getattr(a, op)(b), I, I[::-1].copy(), grad=False)
    compare(lambda a: getattr(a, op)(a.bool()), F, grad=False)
    compare(lambda a: a.logical_not(), I, grad=False)


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda a, b: a & b, lambda a, b: a | b, lambda a, b: a ^ b, lambda a, b: ~a,
    lambda a, b: a & 1, lambda a, b: 1 | a, lambda a, b: a.bitwise_xor(b),
])
def test_bitwise(fn):
    compare(fn, I, I[::-1].copy(), grad=False)
    compare(fn, BOOL, BOOL[::-1].copy(), grad=False)
    compare(fn, np.array([3, 5], dtype=np.uint8), np.array([1, 2], dtype=np.int8), grad=False)


@requires_torch
@pytest.mark.parametrize('fn', [lambda a: a & a, lambda a: ~a, lambda a: a | 1, lambda a: a ^ True,
                                lambda a: a == a[:2], lambda a: a < a.new_ones(4), lambda a: a.isclose(a.long())])
def test_errors(fn):
    e = compare_raises(fn, G)
    assert 'numpy' not in str(e).lower()


@requires_torch
@pytest.mark.parametrize('name', ['isnan', 'isinf', 'isposinf', 'isneginf', 'isfinite'])
def test_value_tests(name):
    compare(lambda x: getattr(x, name)(), F, grad=False)
    compare(lambda x: getattr(x, name)(), I, grad=False)


@requires_torch
def test_isclose_allclose_equal():
    a = randn(3, 4)
    b = a + 1e-7
    compare(lambda x, y: x.isclose(y), a, b, grad=False)
    compare(lambda x, y: x.isclose(y, atol=0, rtol=0), a, b, grad=False)
    compare(lambda x: x.isclose(x, equal_nan=True), F, grad=False)
    compare(lambda x, y: x.allclose(y), a, b, grad=False)
    compare(lambda x, y: x.allclose(y + 1), a, b, grad=False)
    compare(lambda x, y: x.equal(y), a, a.copy(), grad=False)
    compare(lambda x, y: x.equal(y), a, b, grad=False)
    compare(lambda x: x.equal(x[:2]), a, grad=False)


@requires_torch
@pytest.mark.parametrize('op', ['eq_', 'lt_', 'ge_', 'ne_'])
def test_inplace_comparison_keeps_dtype(op):
    compare(lambda x: getattr(x.clone(), op)(1.), G, grad=False)


def test_comparisons_record_no_graph():
    x = ember.ones(3, requires_grad=True)
    assert not (x > 0).requires_grad and (x > 0).grad_fn is None
    assert (x > 0).dtype == ember.bool


def test_equality_with_non_numbers_is_false_as_torch_operators():
    x = ember.ones(2)
    assert (x == None) is False and (x != None) is True  # noqa: E711
    assert (x == 'a') is False
    assert x in [None, 'a', x]
