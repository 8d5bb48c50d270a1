"""cat/stack/split/chunk/unbind and friends against torch."""
import numpy as np
import pytest

import ember
from tests.oracle import compare, compare_raises, randn, requires_torch, torch
from tests.test_tensor import gradcheck_case

A, B = randn(2, 3, seed=1), randn(2, 3, seed=2)
C = randn(4, 3, seed=3)

CASES = {
    'cat0': (lambda a, b: torch_or_ember(a).cat([a, b]) * 2, (A, B)),
    'cat1': (lambda a, b: torch_or_ember(a).cat([a, b, a], dim=1) ** 2, (A, B)),
    'cat_neg': (lambda a, c: torch_or_ember(a).cat((a, c), -2) ** 2, (A, C)),
    'concat': (lambda a, b: torch_or_ember(a).concat([a, b], 1) ** 2, (A, B)),
    'stack0': (lambda a, b: torch_or_ember(a).stack([a, b]) ** 2, (A, B)),
    'stack_last': (lambda a, b: torch_or_ember(a).stack([a, b], -1) ** 2, (A, B)),
    'hstack': (lambda a, b: torch_or_ember(a).hstack([a, b]) ** 2, (A, B)),
    'vstack': (lambda a, b: torch_or_ember(a).vstack([a[0], b[1]]) ** 2, (A, B)),
    'dstack': (lambda a, b: torch_or_ember(a).dstack([a, b]) ** 2, (A, B)),
    'column_stack': (lambda a, b: torch_or_ember(a).column_stack([a[0], b[1]]) ** 2, (A, B)),
    'split_int': (lambda c: [p ** 2 for p in c.split(3)], (C,)),
    'split_dim': (lambda a: [p ** 2 for p in a.split(2, dim=1)], (A,)),
    'split_list': (lambda c: [p ** 2 for p in c.split([1, 3])], (C,)),
    'split_fn': (lambda c: [p ** 2 for p in torch_or_ember(c).split(c, [2, 0, 2])], (C,)),
    'split_partial_use': (lambda c: c.split(2)[1] ** 2, (C,)),
    'chunk': (lambda c: [p ** 2 for p in c.chunk(3)], (C,)),
    'chunk_dim': (lambda a: [p ** 2 for p in a.chunk(2, 1)], (A,)),
    'tensor_split': (lambda c: [p ** 2 for p in c.tensor_split(3)], (C,)),
    'tensor_split_idx': (lambda c: [p ** 2 for p in c.tensor_split([1, 3], 0)], (C,)),
    'unbind': (lambda a: [p ** 2 for p in a.unbind(1)], (A,)),
    'unbind_one': (lambda a: a.unbind()[1] ** 2, (A,)),
    'repeat_interleave': (lambda a: a.repeat_interleave(2) ** 2, (A,)),
    'repeat_interleave_dim': (lambda a: a.repeat_interleave(3, dim=1) ** 2, (A,)),
    'repeat_interleave_counts': (lambda a: a.repeat_interleave(a.new_tensor([1, 3]).long(), dim=0) ** 2, (A,)),
    'broadcast_tensors': (lambda a, c: [t ** 2 for t in torch_or_ember(a).broadcast_tensors(a[:1], c[:, None, 0])],
                          (A, C)),
    'meshgrid_ij': (lambda a, b: [t ** 2 for t in torch_or_ember(a).meshgrid(a[0], b[1], indexing='ij')], (A, B)),
    'meshgrid_xy': (lambda a, b: [t ** 2 for t in torch_or_ember(a).meshgrid(a[0], b[1, :2], indexing='xy')],
                    (A, B)),
    'cartesian_prod': (lambda a, b: torch_or_ember(a).cartesian_prod(a[0], b[1]) ** 2, (A, B)),
    'hsplit': (lambda a: [p ** 2 for p in a.hsplit(3)], (A,)),
    'vsplit': (lambda c: [p ** 2 for p in c.vsplit([1, 3])], (C,)),
    'split_with_sizes': (lambda c: [p ** 2 for p in c.split_with_sizes([3, 1])], (C,)),
}


def torch_or_ember(x):
    return torch if torch is not None and isinstance(x, torch.Tensor) else ember


@requires_torch
@pytest.mark.parametrize('name', sorted(CASES))
def test_joining_matches_torch(name):
    fn, inputs = CASES[name]
    compare(fn, *inputs, second_order=True)


@requires_torch
def test_cat_promotes_and_skips_legacy_empty():
    compare(lambda a, b: torch_or_ember(a).cat([a, b.double()], 1), A, B)
    compare(lambda a, b: torch_or_ember(a).cat([a, b.long()], 1), A, B.astype(np.int64))
    compare(lambda a: torch_or_ember(a).cat([a, a.new_zeros(0)]) * 3, A)
    compare(lambda a: torch_or_ember(a).stack([a, a.new_ones(2, 3, dtype=torch_or_ember(a).int32)]), A)


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda m, a, b: m.cat([]),
    lambda m, a, b: m.cat([a, b.t()]),
    lambda m, a, b: m.cat([a, b[0]]),
    lambda m, a, b: m.cat([a, b], dim=2),
    lambda m, a, b: m.cat([a.sum(), b.sum()]),
    lambda m, a, b: m.cat(a),
    lambda m, a, b: m.stack([]),
    lambda m, a, b: m.stack([a, b.t()]),
    lambda m, a, b: m.stack([a, b], 3),
    lambda m, a, b: a.split([1, 1], 1),
    lambda m, a, b: a.chunk(0),
    lambda m, a, b: a.unbind(2),
    lambda m, a, b: a.sum().split(1),
])
def test_joining_errors_match_torch(fn):
    compare_raises(lambda a, b: fn(torch_or_ember(a), a, b), A, B)


def test_split_pieces_are_views():
    x = ember.zeros(4, 3)
    parts = x.split(2) + x.chunk(2, 1) + x.unbind(0)
    x.add_(1)
    for p in parts:
        assert bool((p == 1).all())
        assert p._base is x


@requires_torch
def test_grad_fn_names():
    e = ember.zeros(4, 3, requires_grad=True)
    t = torch.zeros(4, 3, requires_grad=True)
    for f in (lambda m, x: m.cat([x, x]), lambda m, x: m.stack([x, x]), lambda m, x: x.split(2)[0],
              lambda m, x: x.split([1, 3])[0], lambda m, x: x.chunk(2)[1], lambda m, x: x.unbind()[0]):
        assert f(ember, e).grad_fn.name() == f(torch, t).grad_fn.name()


@pytest.mark.parametrize('name', sorted(CASES))
def test_joining_gradcheck(name):
    fn, inputs = CASES[name]
    gradcheck_case(fn, inputs)


@requires_torch
def test_broadcast_shapes_matches_torch():
    for shapes in [((2, 1), (3,)), ((1,), (4, 1, 1), (5,)), (3, (2, 3))]:
        assert ember.broadcast_shapes(*shapes) == torch.broadcast_shapes(*shapes)
    with pytest.raises(RuntimeError):
        ember.broadcast_shapes((2,), (3,))
