"""Matrix products and einsum against torch: values, gradients, second-order gradients, errors."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.oracle import compare, compare_raises, randn, requires_torch, torch


def lib(x):
    return ember if isinstance(x, ember.Tensor) else torch


MATMUL_SHAPES = [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)), ((2, 3, 4), (4, 5)),
                 ((2, 3, 4), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3)), ((2, 3, 4), (4,))]


@requires_torch
@pytest.mark.parametrize('sa,sb', MATMUL_SHAPES)
def test_matmul(sa, sb):
    compare(lambda a, b: a @ b, randn(*sa), randn(*sb, seed=1), second_order=True, atol=1e-4)


@pytest.mark.parametrize('sa,sb', MATMUL_SHAPES)
def test_matmul_gradcheck(sa, sb):
    a = ember.tensor(randn(*sa, dtype=np.float64), requires_grad=True)
    b = ember.tensor(randn(*sb, seed=1, dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda x, y: x @ y, (a, b)) and gradgradcheck(lambda x, y: x @ y, (a, b))


@requires_torch
@pytest.mark.parametrize('fn,shapes', [
    (lambda a, b: a.mm(b), ((3, 4), (4, 2))), (lambda a, b: a.bmm(b), ((2, 3, 4), (2, 4, 5))),
    (lambda a, b: a.mv(b), ((3, 4), (4,))), (lambda a, b: a.dot(b), ((4,), (4,))),
    (lambda a, b: a.outer(b), ((3,), (4,))), (lambda a, b: lib(a).matmul(a, b), ((3, 4), (4, 2))),
    (lambda a, b: b.__rmatmul__(a), ((3, 4), (4, 2))),
])
def test_named_products(fn, shapes):
    compare(fn, *(randn(*s, seed=i) for i, s in enumerate(shapes)), second_order=True)


@requires_torch
def test_integer_matmul():
    compare(lambda a, b: a @ b, np.arange(6).reshape(2, 3), np.arange(6).reshape(3, 2))


@requires_torch
@pytest.mark.parametrize('fn,shapes', [
    (lambda a, b: a @ b, ((4, 3), (5, 2))), (lambda a, b: a.mm(b), ((4, 3), (5, 2))),
    (lambda a, b: a.mm(b), ((4,), (4, 2))), (lambda a, b: a.bmm(b), ((2, 3, 4), (3, 4, 5))),
    (lambda a, b: a.bmm(b), ((2, 3, 4), (2, 5, 5))), (lambda a, b: a.bmm(b), ((3, 4), (4, 5))),
    (lambda a, b: a.mv(b), ((3, 4), (5,))), (lambda a, b: a.mv(b), ((3,), (3,))),
    (lambda a, b: a.dot(b), ((3,), (4,))), (lambda a, b: a.dot(b), ((3, 1), (3,))),
    (lambda a, b: a @ b.double(), ((3, 4), (4, 2))), (lambda a, b: a @ b[0, 0], ((3, 4), (4, 2))),
    (lambda a, b: a @ b, ((3,), (4,))), (lambda a, b: a @ b, ((2, 3, 4), (3, 5, 2))),
])
def test_product_errors(fn, shapes):
    e = compare_raises(fn, *(randn(*s, seed=i) for i, s in enumerate(shapes)))
    assert 'numpy' not in str(e).lower() and 'operand' not in str(e)


def test_matmul_error_message_names_shapes():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(4x3 and 5x2\)"):
        ember.ones(4, 3) @ ember.ones(5, 2)


EINSUM = [
    ('ij,jk->ik', [(3, 4), (4, 5)]), ('ij,jk', [(3, 4), (4, 5)]), ('bij,bjk->bik', [(2, 3, 4), (2, 4, 5)]),
    ('i,i->', [(4,), (4,)]), ('i,j->ij', [(3,), (4,)]), ('ij->ji', [(3, 4)]), ('ij->', [(3, 4)]),
    ('ij->j', [(3, 4)]), ('bij,bjk,k->bi', [(2, 3, 4), (2, 4, 5), (5,)]), ('...ij,...jk->...ik', [(2, 3, 4), (4, 5)]),
    ('b...,b->...', [(2, 3, 4), (2,)]), ('ij,kj->ik', [(3, 4), (5, 4)]),
    ('bhqd,bhkd->bhqk', [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ('ii->i', [(3, 3)]), ('ii', [(3, 3)]), ('ij,ij->ij', [(3, 4), (1, 4)]),
]


@requires_torch
@pytest.mark.parametrize('eq,shapes', EINSUM)
def test_einsum(eq, shapes):
    ops = [randn(*s, seed=i) for i, s in enumerate(shapes)]
    grad = len(set(eq.split('->')[0].split(',')[0])) == len(eq.split('->')[0].split(',')[0])
    compare(lambda *xs: lib(xs[0]).einsum(eq, *xs), *ops, grad=grad, second_order=True, atol=1e-4)
    compare(lambda *xs: lib(xs[0]).einsum(eq, list(xs)), *ops, grad=False, atol=1e-4)


@pytest.mark.parametrize('eq,shapes', [e for e in EINSUM if e[0] not in ('ii->i', 'ii')])
def test_einsum_gradcheck(eq, shapes):
    ops = [ember.tensor(randn(*s, seed=i, dtype=np.float64), requires_grad=True) for i, s in enumerate(shapes)]
    fn = lambda *xs: ember.einsum(eq, *xs)
    assert gradcheck(fn, ops) and gradgradcheck(fn, ops)


@requires_torch
@pytest.mark.parametrize('eq,shapes', [('ij,jk->ik', [(3, 4), (5, 6)]), ('ij,jk->ik', [(3, 4)]),
                                       ('ijk->i', [(3, 4)]), ('ij->ik', [(3, 4)])])
def test_einsum_errors(eq, shapes):
    ops = [randn(*s, seed=i) for i, s in enumerate(shapes)]
    e = compare_raises(lambda *xs: lib(xs[0]).einsum(eq, *xs), *ops)
    assert 'numpy' not in str(e).lower()
