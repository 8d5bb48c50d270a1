"""x[key] and x[key] = v against torch: values, views, gradients (two orders), errors, autograd of setitem."""
import numpy as np
import pytest

import ember
from tests.oracle import compare, compare_raises, randn, requires_torch, torch
from tests.test_tensor import gradcheck_case, same_repr

X = randn(3, 4, 5)
IDX = np.array([2, 0, 2], np.int64)
MASK = X[:, :, 0] > 0


def m(x):
    return torch if torch is not None and isinstance(x, torch.Tensor) else ember


KEYS = {
    'int': lambda x: x[1],
    'neg_int': lambda x: x[-1, -2],
    'ints': lambda x: x[1, 2, 3],
    'slice': lambda x: x[1:, ::2],
    'slice_neg': lambda x: x[-2:, :-1],
    'slice_step': lambda x: x[::2, 1::3, ::-1 if False else 2],
    'ellipsis': lambda x: x[..., 1],
    'ellipsis_mid': lambda x: x[0, ..., 1:3],
    'none': lambda x: x[None, 1, :, None],
    'list': lambda x: x[[0, 2, 2]],
    'list_2d': lambda x: x[[0, 1], [1, 3]],
    'tensor_idx': lambda x: x[m(x).tensor([2, 0, 2])],
    'tensor_idx_2d': lambda x: x[:, m(x).tensor([[0, 1], [3, 3]])],
    'tensor_idx_neg': lambda x: x[m(x).tensor([-1, 0])],
    'mixed_sep': lambda x: x[m(x).tensor([0, 1]), :, m(x).tensor([1, 4])],
    'mixed_adj': lambda x: x[1:, m(x).tensor([0, 1]), m(x).tensor([1, 4])],
    'mask': lambda x: x[x > 0],
    'mask_2d': lambda x: x[x[:, :, 0] > 0],
    'mask_dim1': lambda x: x[:, x[0, :, 0] > 0],
    'bool_scalar': lambda x: x[True],
    'empty_list': lambda x: x[[]],
    'tensor0d': lambda x: x[m(x).tensor(1)],
}


@requires_torch
@pytest.mark.parametrize('name', sorted(KEYS))
def test_getitem_matches_torch(name):
    fn = KEYS[name]
    compare(lambda x: fn(x) ** 2, X, second_order=True)


@requires_torch
@pytest.mark.parametrize('name', ['int', 'ints', 'slice', 'ellipsis', 'none', 'list', 'mask'])
def test_getitem_grad_fn_names(name):
    e = ember.zeros(3, 4, 5, requires_grad=True)
    t = torch.zeros(3, 4, 5, requires_grad=True)
    assert KEYS[name](e).grad_fn.name() == KEYS[name](t).grad_fn.name()


def test_basic_indexing_gives_views():
    x = ember.zeros(3, 4)
    row, col, block = x[1], x[:, 2], x[1:, ::2]
    x += 1
    assert row.tolist() == [1.0] * 4 and col.tolist() == [1.0] * 3 and block.sum().item() == 4
    advanced = x[[0, 1]]
    x.zero_()
    assert advanced.sum().item() == 8


@requires_torch
@pytest.mark.parametrize('key', [(3,), (0, 4), (-4,), (0, 0, 5), (slice(None), [0, 4]), ([3],), (0, 0, 0, 0)])
def test_out_of_range_raises_index_error(key):
    def fn(x):
        k = tuple(m(x).tensor(j) if isinstance(j, list) else j for j in key)
        return x[k]
    assert isinstance(compare_raises(fn, X), IndexError)


@requires_torch
def test_bad_index_types_raise():
    compare_raises(lambda x: x[m(x).tensor([0.5])], X)
    compare_raises(lambda x: x[x[:2] > 0], X)
    compare_raises(lambda x: x['a'], X)


SETS = {
    'scalar': lambda y, v: y.__setitem__(0, 1.5),
    'slice_scalar': lambda y, v: y.__setitem__((slice(1, None), 2), -1),
    'tensor': lambda y, v: y.__setitem__((1, slice(None), 0), v[0, :, 0]),
    'broadcast': lambda y, v: y.__setitem__(slice(None), v[0, 0]),
    'mask_scalar': lambda y, v: y.__setitem__(y > 0, 0.0),
    'mask_tensor': lambda y, v: y.__setitem__(y[:, :, 0] > 0, v[0, 0] * 3),
    'index_tensor': lambda y, v: y.__setitem__(m(y).tensor([2, 0]), v[:2]),
    'ellipsis': lambda y, v: y.__setitem__((Ellipsis, 1), v[:, :, 0]),
}


@requires_torch
@pytest.mark.parametrize('name', sorted(SETS))
def test_setitem_is_recorded_by_autograd(name):
    def fn(x, v):
        y = x * 1
        SETS[name](y, v)
        return y ** 2
    compare(fn, X, randn(3, 4, 5, seed=7), second_order=True)


@requires_torch
@pytest.mark.parametrize('name', sorted(SETS))
def test_setitem_without_grad(name):
    def fn(x, v):
        y = x.clone()
        SETS[name](y, v)
        return y
    compare(fn, X, randn(3, 4, 5, seed=7), grad=False)


def test_setitem_on_views_writes_through():
    x = ember.zeros(3, 4)
    v = x[1]
    v[2] = 5
    x[0, :2] = ember.tensor([1.0, 2.0])
    assert x.tolist() == [[1, 2, 0, 0], [0, 0, 5, 0], [0, 0, 0, 0]]
    x[x > 1] = -1
    assert v.tolist() == [0, 0, -1, 0]


@requires_torch
def test_setitem_errors():
    def leaf(x):
        x.requires_grad_()
        x[0] = 1.0
    compare_raises(leaf, X)  # leaf requiring grad
    compare_raises(lambda x: x.detach().__setitem__(0, m(x).ones(3)), X)   # shape mismatch
    compare_raises(lambda x: x.detach().__setitem__(5, 1.0), X)


def test_setitem_allowed_on_leaf_under_no_grad():
    x = ember.zeros(3, requires_grad=True)
    with ember.no_grad():
        x[1] = 2.0
    assert x.tolist() == [0.0, 2.0, 0.0] and x.grad_fn is None and x.requires_grad


@pytest.mark.parametrize('name', sorted(KEYS))
def test_getitem_gradcheck(name):
    # second order is compared with torch above; numerical second derivatives of 60 inputs cost too much here
    gradcheck_case(lambda x: KEYS[name](x) ** 2, (X,), second_order=False)


@pytest.mark.parametrize('name', sorted(SETS))
def test_setitem_gradcheck(name):
    def fn(x, v):
        y = x * 1
        SETS[name](y, v)
        return y ** 2
    gradcheck_case(fn, (X, randn(3, 4, 5, seed=7)), second_order=False)


EDGE = [
    lambda m: m.tensor(X)[[True, False, True]].shape, lambda m: m.tensor(X)[np.array([1, 0])].shape,
    lambda m: m.tensor(X)[m.tensor([[0], [1]]), m.tensor([0, 2])].shape,
    lambda m: m.tensor(X)[m.tensor([1, 0]), ..., m.tensor([0, 3])].shape, lambda m: m.tensor(X)[None, ..., None].shape,
    lambda m: m.tensor(X)[1, m.tensor([True, False, True, True])].shape, lambda m: m.tensor(X)[m.tensor(True)].shape,
    lambda m: m.tensor(X)[m.tensor(False)].shape, lambda m: m.tensor(X)[m.tensor([1, 0], dtype=m.int32)].shape,
    lambda m: m.tensor(X)[1:1].shape, lambda m: m.tensor(X)[5:10].shape, lambda m: m.tensor(X)[-10:1].shape,
    lambda m: m.tensor(X)[::0], lambda m: m.tensor(X)[::-1], lambda m: m.tensor(3.)[()], lambda m: m.tensor(3.)[None],
    lambda m: m.tensor(3.)[...], lambda m: m.tensor(3.)[0], lambda m: m.tensor([1, 2, 3])[m.tensor([[0, 1], [2, 2]])],
    lambda m: m.arange(5)[m.tensor(2)], lambda m: m.arange(5)[np.int64(2)], lambda m: m.arange(5)[1.5],
    lambda m: m.arange(5)[m.tensor([], dtype=m.int64)],
]


@requires_torch
@pytest.mark.parametrize('fn', EDGE)
def test_indexing_edge_cases_match_torch(fn):
    same_repr(fn)


def _set(key, value):
    def fn(m):
        x = m.zeros(2, 3)
        x[key(m) if callable(key) else key] = value(m) if callable(value) else value
        return x
    return fn


@requires_torch
@pytest.mark.parametrize('fn', [
    _set(([0, 1], [1, 2]), lambda m: m.tensor([5., 6.])), _set((slice(None), [True, False, True]), 1),
    _set(0, lambda m: m.tensor([1.7, 2.2, 3.9])), _set((Ellipsis, 1), 7), _set(None, 3.0),
    _set((1, 1), lambda m: m.tensor(4)), _set(lambda m: m.tensor([True, False]), lambda m: m.tensor([1., 2., 3.])),
    _set(0, lambda m: m.ones(2)), _set(0, 'a'),
])
def test_setitem_values_match_torch(fn):
    same_repr(fn)
