"""Datasets and random_split, against torch.utils.data where deterministic."""
import numpy as np
import pytest

import ember
from ember.utils.data import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset,
                              TensorDataset, random_split)
from tests.oracle import requires_torch, torch


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return i * i

    def __len__(self):
        return self.n


class Count(IterableDataset):
    def __init__(self, start, stop):
        self.start, self.stop = start, stop

    def __iter__(self):
        return iter(range(self.start, self.stop))

    def __len__(self):
        return self.stop - self.start


def test_tensor_dataset_items_and_length():
    x, y = ember.arange(12).reshape(6, 2), ember.arange(6) * 10
    ds = TensorDataset(x, y)
    assert len(ds) == 6
    a, b = ds[2]
    assert a.tolist() == [4, 5] and b.item() == 20


def test_tensor_dataset_size_mismatch():
    with pytest.raises(AssertionError, match="Size mismatch"):
        TensorDataset(ember.zeros(3), ember.zeros(4))


def test_add_gives_concat_and_chain():
    c = Squares(3) + Squares(2)
    assert isinstance(c, ConcatDataset) and len(c) == 5
    assert [c[i] for i in range(5)] == [0, 1, 4, 0, 1]
    assert c[-1] == 1 and c.cumulative_sizes == [3, 5]
    with pytest.raises(IndexError):
        c[5]
    chain = Count(0, 2) + Count(5, 7)
    assert isinstance(chain, ChainDataset) and list(chain) == [0, 1, 5, 6] and len(chain) == 4


def test_concat_rejects_iterable_and_empty():
    with pytest.raises(AssertionError):
        ConcatDataset([Count(0, 3)])
    with pytest.raises(AssertionError):
        ConcatDataset([])


def test_subset_and_stack_dataset():
    s = Subset(Squares(10), [3, 1, 4])
    assert len(s) == 3 and [s[i] for i in range(3)] == [9, 1, 16]
    st = StackDataset(Squares(3), Squares(3))
    assert st[2] == (4, 4) and len(st) == 3
    sd = StackDataset(a=Squares(3), b=Squares(3))
    assert sd[1] == {'a': 1, 'b': 1}
    with pytest.raises(ValueError):
        StackDataset(Squares(3), Squares(4))
    with pytest.raises(ValueError):
        StackDataset(Squares(3), b=Squares(3))


def test_random_split_lengths_partition():
    g = ember.Generator().manual_seed(0)
    parts = random_split(range(20), [12, 5, 3], generator=g)
    assert [len(p) for p in parts] == [12, 5, 3]
    seen = sorted(i for p in parts for i in p.indices)
    assert seen == list(range(20))
    again = random_split(range(20), [12, 5, 3], generator=ember.Generator().manual_seed(0))
    assert [p.indices for p in again] == [p.indices for p in parts]


@requires_torch
@pytest.mark.parametrize("n,fracs", [(10, [0.8, 0.1, 0.1]), (7, [0.8, 0.1, 0.1]), (13, [0.5, 0.5]),
                                     (101, [0.3, 0.3, 0.4]), (3, [0.25, 0.25, 0.25, 0.25])])
def test_random_split_fraction_lengths_match_torch(n, fracs):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        mine = [len(p) for p in random_split(range(n), fracs)]
        theirs = [len(p) for p in torch.utils.data.random_split(range(n), fracs)]
    assert mine == theirs


def test_random_split_bad_lengths():
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(range(10), [0.5, 0.4])
    with pytest.raises(ValueError, match="not between 0 and 1"):
        random_split(range(10), [1.5, -0.5])


def test_random_split_zero_length_warns():
    with pytest.warns(UserWarning) as record:
        random_split(range(2), [0.9, 0.05, 0.05])
    assert [str(w.message) for w in record] == [
        f"Length of split at index {i} is 0. This might result in an empty dataset." for i in (1, 2)]


def test_dataset_base_getitem_not_implemented():
    with pytest.raises(NotImplementedError):
        Dataset()[0]
    with pytest.raises(NotImplementedError):
        iter(IterableDataset())


def test_tensor_dataset_numpy_shared():
    arr = np.arange(6.0).reshape(3, 2)
    ds = TensorDataset(ember.from_numpy(arr))
    assert ds[1][0].tolist() == [2.0, 3.0]
