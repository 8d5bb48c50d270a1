"""index_select/gather/scatter/index_add/where/nonzero/tril/triu/diag against torch."""
import numpy as np
import pytest

import ember
from tests.oracle import compare, compare_raises, randn, requires_torch, torch
from tests.test_tensor import gradcheck_case, same_repr

X = randn(3, 4)
S = randn(2, 4, seed=1)
I01 = np.array([[0, 2, 1, 0], [2, 2, 0, 1]], np.int64)   # index for dim 0 of X
I1 = np.array([2, 0, 2], np.int64)
COND = X > 0


def m(x):
    return torch if torch is not None and isinstance(x, torch.Tensor) else ember


CASES = {
    'index_select0': (lambda x, i: x.index_select(0, i) ** 2, (X, I1)),
    'index_select1': (lambda x, i: m(x).index_select(x, 1, i) ** 2, (X, I1)),
    'gather0': (lambda x, i: x.gather(0, i) ** 2, (X, I01)),
    'gather1_small': (lambda x, i: m(x).gather(x, 1, i[:, :2]) ** 2, (X, I01)),
    'scatter_src': (lambda x, s, i: x.scatter(0, i[:, :1], s[:, :1]) ** 2, (X, S, I01)),
    'scatter_value': (lambda x, i: x.scatter(0, i, 1.5) ** 2, (X, I01)),
    'scatter_add': (lambda x, s, i: x.scatter_add(0, i, s) ** 2, (X, S, I01)),
    'scatter_add_fn': (lambda x, s, i: m(x).scatter_add(x, 0, i[:, :3], s[:, :3]) ** 2, (X, S, I01)),
    'index_add': (lambda x, s, i: x.index_add(0, i[0, :2], s) ** 2, (X, S, I01)),
    'index_add_alpha': (lambda x, s, i: x.index_add(0, i[0, :2], s, alpha=-2.0) ** 2, (X, S, I01)),
    'index_fill': (lambda x, i: x.index_fill(1, i, -1.0) ** 2, (X, I1)),
    'index_copy': (lambda x, s, i: x.index_copy(0, i[1, 2:], s) ** 2, (X, S, I01)),
    'take': (lambda x, i: m(x).take(x, i) ** 2, (X, I01)),
    'take_along_dim': (lambda x, i: m(x).take_along_dim(x, i, 0) ** 2, (X, I01)),
    'masked_fill': (lambda x, c: x.masked_fill(c, 2.0) ** 2, (X, COND)),
    'masked_fill_bcast': (lambda x, c: x.masked_fill(c[0], -1) ** 2, (X, COND)),
    'masked_fill_tensor': (lambda x, s, c: x.masked_fill(c, s[0, 0]) ** 2, (X, S, COND)),
    'masked_select': (lambda x, c: x.masked_select(c) ** 2, (X, COND)),
    'masked_select_bcast': (lambda x, c: m(x).masked_select(x[0], c) ** 2, (X, COND)),
    'masked_scatter': (lambda x, s, c: x.masked_scatter(c, s) ** 2, (X, randn(12, seed=4), COND)),
    'where': (lambda x, s, c: m(x).where(c, x, s[:1]) ** 2, (X, S, COND)),
    'where_scalar': (lambda x, c: m(x).where(c, x, 0.0) ** 2, (X, COND)),
    'where_scalar_first': (lambda x, c: m(x).where(c, 1, x) ** 2, (X, COND)),
    'where_method': (lambda x, s, c: x.where(c, s[1]) ** 2, (X, S, COND)),
    'tril': (lambda x: x.tril() ** 2, (X,)),
    'tril_k': (lambda x: m(x).tril(x, -1) ** 2, (X,)),
    'triu_k': (lambda x: x.triu(2) ** 2, (X,)),
    'triu_batched': (lambda x: x.reshape(2, 3, 2).triu() ** 2, (X,)),
    'diag_vec': (lambda x: m(x).diag(x[0]) ** 2, (X,)),
    'diag_vec_k': (lambda x: m(x).diag(x[0], -2) ** 2, (X,)),
    'diag_mat': (lambda x: m(x).diag(x) ** 2, (X,)),
    'diag_mat_k': (lambda x: x.diag(1) ** 2, (X,)),
    'diagonal': (lambda x: x.diagonal() ** 2, (X,)),
    'diagonal_args': (lambda x: x.reshape(2, 3, 2).diagonal(1, 2, 0) ** 2, (X,)),
    'diag_embed': (lambda x: m(x).diag_embed(x) ** 2, (X,)),
}


@requires_torch
@pytest.mark.parametrize('name', sorted(CASES))
def test_selection_matches_torch(name):
    fn, inputs = CASES[name]
    compare(fn, *inputs, second_order=True)


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda x: m(x).nonzero(x > 0),
    lambda x: m(x).nonzero(x > 0, as_tuple=True),
    lambda x: m(x).where(x > 0),
    lambda x: m(x).argwhere(x > 0),
    lambda x: m(x).nonzero(x.sum() > 0),
    lambda x: m(x).nonzero(x.sum() > 0, as_tuple=True),
    lambda x: m(x).where(x > 0, 1, 0),
    lambda x: m(x).where(x > 0, 1.0, 0),
    lambda x: m(x).where(x > 0, x.double(), 0),
    lambda x: m(x).where(x > 0, x.long(), 2.5),
    lambda x: x.scatter(0, m(x).tensor([[0, 2, 1, 0]]), x[:1] * 2, reduce='add'),
    lambda x: x.scatter(0, m(x).tensor([[0, 2, 1, 0]]), 3.0, reduce='multiply'),
])
def test_nonzero_and_where_dtypes(fn):
    compare(fn, X, grad=False)


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda x, i: x.index_select(0, i.reshape(2, 4)),
    lambda x, i: x.index_select(0, i.double()),
    lambda x, i: x.index_select(0, i + 5),
    lambda x, i: x.gather(0, i[0]),
    lambda x, i: x.gather(0, i + 5),
    lambda x, i: x.gather(0, i.double()),
    lambda x, i: x.scatter(0, i, x.double()),
    lambda x, i: x.scatter_add(0, i, x[:1, :1]),
    lambda x, i: x.index_add(0, i[0, :2], x[:2, :2]),
    lambda x, i: x.masked_fill(i, 1.0),
    lambda x, i: x.masked_fill(x[:2] > 0, 1.0),
    lambda x, i: x.masked_fill(x > 0, x[0]),
    lambda x, i: x.masked_select(i),
    lambda x, i: m(x).where(i, x, x),
    lambda x, i: m(x).where(x[:2] > 0, x, x),
    lambda x, i: x[0].tril(),
    lambda x, i: x.unsqueeze(0).diag(),
    lambda x, i: x.diagonal(0, 1, 1),
])
def test_selection_errors_match_torch(fn):
    compare_raises(fn, X, I01)


@requires_torch
def test_grad_fn_names():
    e, t = ember.zeros(3, 4, requires_grad=True), torch.zeros(3, 4, requires_grad=True)
    ie, it = ember.tensor([[0, 1]]), torch.tensor([[0, 1]])
    for f in (lambda x, i: x.index_select(0, i[0]), lambda x, i: x.gather(0, i), lambda x, i: x.tril(),
              lambda x, i: x.masked_fill(x > 0, 1.0), lambda x, i: x.masked_select(x > 0),
              lambda x, i: x.diagonal(), lambda x, i: x.index_add(0, i[0], x[:2]),
              lambda x, i: x.scatter_add(0, i, x)):
        assert f(e, ie).grad_fn.name() == f(t, it).grad_fn.name()


def test_diagonal_is_a_writable_view():
    x = ember.zeros(3, 3)
    d = x.diagonal()
    d.fill_(1)
    assert x.tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]


@pytest.mark.parametrize('name', sorted(CASES))
def test_selection_gradcheck(name):
    fn, inputs = CASES[name]
    gradcheck_case(fn, inputs)


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda m: m.tril_indices(3, 3), lambda m: m.tril_indices(3, 4, -1), lambda m: m.triu_indices(2, 3, 1),
    lambda m: m.triu_indices(4, 2, dtype=m.int32), lambda m: m.zeros(3, 3).fill_diagonal_(2),
    lambda m: m.zeros(5, 2).fill_diagonal_(1, wrap=True), lambda m: m.zeros(5, 2).fill_diagonal_(1),
    lambda m: m.zeros(2, 3).fill_diagonal_(1), lambda m: m.zeros(2, 2, 2).fill_diagonal_(3),
    lambda m: m.zeros(2, 3, 2).fill_diagonal_(3), lambda m: m.zeros(3).fill_diagonal_(1),
])
def test_triangle_indices_and_fill_diagonal(fn):
    same_repr(fn)
