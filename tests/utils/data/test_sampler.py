"""Samplers: deterministic outputs compared with torch, random ones checked for their contract."""
import pytest

import ember
from ember.utils.data import (BatchSampler, DistributedSampler, RandomSampler, SequentialSampler,
                              SubsetRandomSampler, WeightedRandomSampler)
from tests.oracle import requires_torch, torch


def test_sequential():
    assert list(SequentialSampler(range(5))) == [0, 1, 2, 3, 4]
    assert len(SequentialSampler(range(5))) == 5


@requires_torch
@pytest.mark.parametrize("n,bs,drop", [(10, 3, False), (10, 3, True), (9, 3, True), (1, 4, False), (0, 2, False)])
def test_batch_sampler_matches_torch(n, bs, drop):
    mine = BatchSampler(SequentialSampler(range(n)), bs, drop)
    theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(n)), bs, drop)
    assert list(mine) == list(theirs) and len(mine) == len(theirs)


@requires_torch
@pytest.mark.parametrize("n,reps,drop", [(10, 3, False), (10, 3, True), (5, 2, False), (2, 4, False),
                                         (11, 4, True), (12, 4, True)])
def test_distributed_sampler_unshuffled_matches_torch(n, reps, drop):
    for rank in range(reps):
        mine = DistributedSampler(range(n), reps, rank, shuffle=False, drop_last=drop)
        theirs = torch.utils.data.DistributedSampler(range(n), reps, rank, shuffle=False, drop_last=drop)
        assert list(mine) == list(theirs) and len(mine) == len(theirs)


def test_distributed_sampler_shuffle_covers_and_depends_on_epoch():
    samplers = [DistributedSampler(range(10), 2, r, shuffle=True, seed=3) for r in range(2)]
    first = [list(s) for s in samplers]
    assert sorted(first[0] + first[1]) == list(range(10))
    assert [list(s) for s in samplers] == first  # same epoch, same order
    for s in samplers:
        s.set_epoch(1)
    assert [list(s) for s in samplers] != first


def test_distributed_sampler_bad_rank():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(RuntimeError, match="process group"):
        DistributedSampler(range(4))


def test_random_sampler_permutation_and_generator():
    s = RandomSampler(range(10), generator=ember.Generator().manual_seed(5))
    a = list(s)
    assert sorted(a) == list(range(10))
    b = list(RandomSampler(range(10), generator=ember.Generator().manual_seed(5)))
    assert a == b
    ember.manual_seed(1)
    c = list(RandomSampler(range(10)))
    ember.manual_seed(1)
    assert list(RandomSampler(range(10))) == c


def test_random_sampler_num_samples_and_replacement():
    s = RandomSampler(range(4), num_samples=10)
    out = list(s)
    assert len(out) == 10 == len(s)
    assert sorted(out[:8]) == [0, 0, 1, 1, 2, 2, 3, 3]
    r = list(RandomSampler(range(3), replacement=True, num_samples=50))
    assert len(r) == 50 and set(r) <= {0, 1, 2}


@requires_torch
def test_random_sampler_errors_match_torch():
    for kwargs in ({'num_samples': 0}, {'num_samples': -1}):
        with pytest.raises(ValueError) as e:
            torch.utils.data.RandomSampler(range(3), **kwargs)
        with pytest.raises(ValueError) as m:
            RandomSampler(range(3), **kwargs)
        assert str(m.value) == str(e.value)
    with pytest.raises(TypeError):
        RandomSampler(range(3), replacement=1)


def test_subset_random_sampler():
    idx = [10, 20, 30, 40]
    out = list(SubsetRandomSampler(idx))
    assert sorted(out) == idx and len(SubsetRandomSampler(idx)) == 4


def test_weighted_random_sampler():
    out = list(WeightedRandomSampler([0.0, 1.0, 0.0], 20))
    assert out == [1] * 20
    no_repl = list(WeightedRandomSampler([1, 1, 1, 1], 4, replacement=False))
    assert sorted(no_repl) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        WeightedRandomSampler([[1.0, 2.0]], 2)


@requires_torch
def test_batch_sampler_errors_match_torch():
    for bs, drop in ((0, False), (True, False), (2, 1)):
        with pytest.raises(ValueError) as e:
            torch.utils.data.BatchSampler(range(3), bs, drop)
        with pytest.raises(ValueError) as m:
            BatchSampler(range(3), bs, drop)
        assert str(m.value) == str(e.value)
