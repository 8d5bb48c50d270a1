"""Random sampling: shapes/dtypes/errors against torch, reproducibility with seeds and generators, statistics."""
import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, torch
from tests.test_tensor import same_repr

META = [
    lambda m: m.rand(2, 3).shape, lambda m: m.rand(2, 3).dtype, lambda m: m.rand((4,), dtype=m.float64).dtype,
    lambda m: m.rand(size=(2,)).shape, lambda m: m.randn(2, dtype=m.float64).dtype, lambda m: m.randn(()).shape,
    lambda m: m.randint(3, 10, (4,)).dtype, lambda m: m.randint(3, 10, (4,), dtype=m.int32).dtype,
    lambda m: m.randint(10, (2, 2)).shape, lambda m: m.randint(5, 3, (2,)), lambda m: m.randint(0, 1, (3,)),
    lambda m: m.randperm(5).sort().values, lambda m: m.randperm(5).dtype, lambda m: m.randperm(0),
    lambda m: m.randperm(-1), lambda m: m.rand_like(m.ones(2, dtype=m.float64)).dtype,
    lambda m: m.randn_like(m.ones(2, 3)).shape, lambda m: m.randint_like(m.ones(2, 3), 5).dtype,
    lambda m: m.randint_like(m.ones(2, 3), 3, 5).shape, lambda m: m.rand(2, requires_grad=True).requires_grad,
    lambda m: m.normal(0., 1., (2, 3)).shape, lambda m: m.normal(m.zeros(2, 3), 1.).shape,
    lambda m: m.normal(0., m.ones(4)).shape, lambda m: m.normal(m.zeros(2, 1), m.ones(2, 1)).shape,
    lambda m: m.normal(m.zeros(3, dtype=m.float64), m.ones(3, dtype=m.float64)).dtype,
    lambda m: m.normal(0., -1., (2,)), lambda m: m.normal(m.zeros(2), -1.),
    lambda m: m.bernoulli(m.full((3,), 0.5)).dtype, lambda m: m.bernoulli(m.zeros(3)),
    lambda m: m.bernoulli(m.ones(3)), lambda m: m.bernoulli(m.ones(3), 0.0), lambda m: m.bernoulli(m.full((3,), 2.)),
    lambda m: m.zeros(3).bernoulli(), lambda m: m.zeros(3).uniform_(5, 6).ge(5).all(),
    lambda m: m.zeros(3).normal_(2, 0), lambda m: m.zeros(3, dtype=m.int64).random_(0, 1),
    lambda m: m.zeros(3).random_(1, 2), lambda m: m.zeros(3).random_(5).lt(5).all(),
    lambda m: m.zeros(3).bernoulli_(1.),
    lambda m: m.zeros(3).bernoulli_(m.zeros(3)), lambda m: m.zeros(3).exponential_().gt(0).all(),
    lambda m: m.zeros(3, requires_grad=True).uniform_(), lambda m: m.zeros(3, requires_grad=True).normal_(),
    lambda m: m.zeros(3).uniform_(2, 1), lambda m: m.get_rng_state().dtype,
    lambda m: m.multinomial(m.tensor([0., 1.]), 3, True), lambda m: m.multinomial(m.tensor([0., 1.]), 3),
    lambda m: m.multinomial(m.tensor([[0., 1.], [1., 0.]]), 1), lambda m: m.tensor([0., 1.]).multinomial(2).sort()[0],
    lambda m: m.randn(2, generator=m.Generator().manual_seed(0)).shape,
    lambda m: m.Generator().manual_seed(3).initial_seed(),
]


@requires_torch
@pytest.mark.parametrize('fn', META)
def test_shapes_dtypes_and_errors_match_torch(fn):
    same_repr(fn)


@pytest.mark.parametrize('sample', [
    lambda g: ember.rand(5, generator=g), lambda g: ember.randn(5, generator=g),
    lambda g: ember.randint(0, 100, (5,), generator=g), lambda g: ember.randperm(10, generator=g),
    lambda g: ember.normal(0., 1., (5,), generator=g), lambda g: ember.zeros(5).uniform_(generator=g),
    lambda g: ember.zeros(5).normal_(generator=g), lambda g: ember.bernoulli(ember.full((5,), .5), generator=g),
])
def test_generators_reproduce_and_are_independent(sample):
    g = ember.Generator().manual_seed(7)
    a = sample(g)
    ember.rand(3)  # draws from the default generator must not affect g
    g.manual_seed(7)
    assert sample(g).tolist() == a.tolist()


@pytest.mark.parametrize('fn', [lambda: ember.rand(4), lambda: ember.randn(2, 2), lambda: ember.randint(9, (4,)),
                                lambda: ember.zeros(4).normal_(), lambda: ember.randperm(6)])
def test_manual_seed_and_rng_state(fn):
    ember.manual_seed(123)
    a = fn()
    ember.manual_seed(123)
    assert fn().tolist() == a.tolist()
    assert ember.initial_seed() == 123
    state = ember.get_rng_state()
    b = fn()
    ember.set_rng_state(state)
    assert fn().tolist() == b.tolist()
    assert fn().tolist() != b.tolist() or fn().tolist() != b.tolist()


def test_cuda_manual_seed_seeds_the_default_generator():
    ember.cuda.manual_seed_all(5)
    a = ember.rand(3)
    ember.manual_seed(5)
    assert ember.rand(3).tolist() == a.tolist()


def test_distribution_statistics():
    ember.manual_seed(0)
    u = ember.rand(20000)
    n = ember.randn(20000, dtype=ember.float64)
    assert 0 <= u.min().item() and u.max().item() < 1 and abs(u.mean().item() - 0.5) < 0.01
    assert abs(n.mean().item()) < 0.03 and abs(n.std().item() - 1) < 0.03
    shifted = ember.normal(ember.full((20000,), 3.), ember.full((20000,), 2.))
    assert abs(shifted.mean().item() - 3) < 0.06 and abs(shifted.std().item() - 2) < 0.06
    b = ember.bernoulli(ember.full((20000,), 0.25))
    assert set(b.unique().tolist()) <= {0., 1.} and abs(b.mean().item() - 0.25) < 0.02
    r = ember.randint(-3, 4, (20000,))
    assert r.min().item() == -3 and r.max().item() == 3
    e = ember.zeros(20000).exponential_(2.0)
    assert abs(e.mean().item() - 0.5) < 0.02
    assert sorted(ember.randperm(50).tolist()) == list(range(50))
    draws = ember.multinomial(ember.tensor([[1., 3.], [0., 1.]]), 20000, replacement=True).float().mean(1)
    assert abs(draws[0].item() - 0.75) < 0.02 and draws[1].item() == 1.0
    first = ember.multinomial(ember.tensor([1., 3.]).expand(20000, 2), 2)
    assert abs(first[:, 0].float().mean().item() - 0.75) < 0.02
    assert bool((first.sum(1) == 1).all())


def test_in_place_samplers_keep_identity_and_bump_version():
    x = ember.zeros(4)
    v = x._version_count
    for method in ('uniform_', 'normal_', 'random_', 'bernoulli_', 'exponential_'):
        assert getattr(x, method)() is x
    assert x._version_count == v + 5
    with ember.no_grad():
        w = ember.zeros(3, requires_grad=True).normal_()
    assert w.requires_grad and w.is_leaf


def test_fork_rng_restores_the_stream():
    ember.manual_seed(1)
    expected = ember.rand(3).tolist()
    ember.manual_seed(1)
    with ember.random.fork_rng():
        ember.randn(10)
    assert ember.rand(3).tolist() == expected
