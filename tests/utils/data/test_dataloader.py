"""DataLoader in the main process: batching, len(), option checks, collate choice; compared with torch."""
import numpy as np
import pytest

import ember
from ember.utils.data import (BatchSampler, DataLoader, Dataset, IterableDataset, SequentialSampler, TensorDataset)
from tests.oracle import requires_torch, torch


class Items(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return np.full(2, i, dtype=np.float32), i

    def __len__(self):
        return self.n


class _StreamBody:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class Stream(_StreamBody, IterableDataset):
    pass


def torch_twin(ds):
    """The same dataset as a torch Dataset/IterableDataset (torch's DataLoader checks the base class)."""
    base = torch.utils.data.IterableDataset if isinstance(ds, IterableDataset) else torch.utils.data.Dataset
    twin = type('Twin', (type(ds).__mro__[1] if isinstance(ds, Stream) else type(ds), base), {})
    return twin(ds.n)


def test_len_epoch_arithmetic():
    ds = TensorDataset(ember.arange(80))
    assert len(DataLoader(ds, batch_size=8)) == 10
    assert len(list(DataLoader(ds, batch_size=8))) == 10
    assert len(DataLoader(ds, batch_size=7)) == 12
    assert len(DataLoader(ds, batch_size=7, drop_last=True)) == 11
    assert len(list(DataLoader(ds, batch_size=7, drop_last=True))) == 11


@requires_torch
@pytest.mark.parametrize("kwargs", [dict(batch_size=3), dict(batch_size=4, drop_last=True), dict(batch_size=None),
                                    dict(batch_sampler=BatchSampler(SequentialSampler(range(10)), 3, False))])
def test_batches_match_torch(kwargs):
    mine = list(DataLoader(Items(10), **kwargs))
    tkw = dict(kwargs)
    if 'batch_sampler' in tkw:
        tkw['batch_sampler'] = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(10)), 3, False)
    theirs = list(torch.utils.data.DataLoader(Items(10), **tkw))
    assert len(mine) == len(theirs)
    for (mx, my), (tx, ty) in zip(mine, theirs):
        np.testing.assert_array_equal(mx.numpy(), tx.numpy())
        assert str(mx.dtype).split('.')[-1] == str(tx.dtype).split('.')[-1]
        if isinstance(ty, int):
            assert my == ty
        else:
            np.testing.assert_array_equal(my.numpy(), ty.numpy())


@requires_torch
@pytest.mark.parametrize("n,bs,drop", [(10, 3, False), (10, 3, True), (10, None, False)])
def test_iterable_len_and_batches_match_torch(n, bs, drop):
    mine, theirs = DataLoader(Stream(n), batch_size=bs, drop_last=drop), \
        torch.utils.data.DataLoader(torch_twin(Stream(n)), batch_size=bs, drop_last=drop)
    assert len(mine) == len(theirs)
    a = [b.tolist() if hasattr(b, 'tolist') else b for b in mine]
    b = [b.tolist() if hasattr(b, 'tolist') else b for b in theirs]
    assert a == b


def _option_cases():
    bs = BatchSampler(SequentialSampler(range(4)), 2, False)
    return [
        (Items(4), dict(num_workers=-1)),
        (Items(4), dict(timeout=-1)),
        (Items(4), dict(prefetch_factor=2)),
        (Items(4), dict(num_workers=1, prefetch_factor=-1)),
        (Items(4), dict(persistent_workers=True)),
        (Items(4), dict(sampler=SequentialSampler(range(4)), shuffle=True)),
        (Items(4), dict(batch_sampler=bs, batch_size=2)),
        (Items(4), dict(batch_sampler=bs, shuffle=True)),
        (Items(4), dict(batch_sampler=bs, drop_last=True)),
        (Items(4), dict(batch_sampler=bs, sampler=SequentialSampler(range(4)))),
        (Items(4), dict(batch_size=None, drop_last=True)),
        (Stream(4), dict(shuffle=True)),
        (Stream(4), dict(sampler=[0, 1])),
        (Stream(4), dict(batch_sampler=[[0, 1]])),
        (Items(4), dict(multiprocessing_context='spawn')),
        (Items(4), dict(num_workers=1, multiprocessing_context='nonsense')),
    ]


def _torchify(kwargs):
    out = {}
    for k, v in kwargs.items():
        if isinstance(v, BatchSampler):
            v = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(4)), 2, False)
        elif isinstance(v, SequentialSampler):
            v = torch.utils.data.SequentialSampler(range(4))
        out[k] = v
    return out


@requires_torch
@pytest.mark.parametrize("i", range(len(_option_cases())))
def test_exclusive_options_raise_torchs_value_error(i):
    ds, kwargs = _option_cases()[i]
    tds = torch_twin(ds)
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.DataLoader(tds, **_torchify(kwargs))
    with pytest.raises(ValueError) as mine:
        DataLoader(ds, **kwargs)
    strip = lambda s: s.split(' object at ')[0].replace('torch.utils.data.sampler.', '')  # noqa: E731
    assert strip(str(mine.value)).replace('ember.utils.data.sampler.', '') == strip(str(theirs.value))


def test_attributes_frozen_after_init():
    dl = DataLoader(Items(4), batch_size=2)
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader is initialized"):
        dl.batch_size = 3
    dl.num_workers = 0  # others stay assignable


def test_shuffle_generator_reproducible_and_a_permutation():
    ds = TensorDataset(ember.arange(20))
    runs = [[b[0].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True,
                                               generator=ember.Generator().manual_seed(7))] for _ in range(2)]
    assert runs[0] == runs[1]
    assert sorted(sum(runs[0], [])) == list(range(20))
    assert sum(runs[0], []) != list(range(20))


def test_batch_size_none_uses_default_convert():
    out = list(DataLoader(Items(3), batch_size=None))
    x, y = out[1]
    assert isinstance(x, ember.Tensor) and x.tolist() == [1.0, 1.0] and y == 1


def test_custom_collate_and_pin_memory():
    dl = DataLoader(Items(5), batch_size=2, collate_fn=lambda b: [i for _, i in b], pin_memory=True)
    assert list(dl) == [[0, 1], [2, 3], [4]]
