"""default_collate / default_convert against torch's on the same samples."""
import collections

import numpy as np
import pytest

import ember
from ember.utils.data import default_collate, default_convert
from tests.oracle import requires_torch, torch

Point = collections.namedtuple('Point', 'x y')


def _same(mine, theirs):
    """Structure, types, dtypes and values of an ember collate result equal torch's."""
    if torch.is_tensor(theirs):
        assert isinstance(mine, ember.Tensor), f"{type(mine)} vs Tensor"
        assert mine.dtype.name == str(theirs.dtype).replace('torch.', '')
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    elif isinstance(theirs, dict):
        assert type(mine) is type(theirs) and list(mine) == list(theirs)
        for k in theirs:
            _same(mine[k], theirs[k])
    elif isinstance(theirs, (list, tuple)):
        assert type(mine) is type(theirs) and len(mine) == len(theirs)
        for a, b in zip(mine, theirs):
            _same(a, b)
    else:
        assert mine == theirs


def _batches():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    return [
        [1, 2, 3],
        [1.5, 2.5],
        [True, False],
        ['a', 'bc'],
        [np.float64(1.0), np.float64(2.0)],
        [np.int32(3), np.int32(4)],
        [a, a + 1],
        [np.arange(3, dtype=np.uint8), np.arange(3, dtype=np.uint8)],
        [(0, 'a', 1.0), (1, 'b', 2.0)],
        [[0, 1], [2, 3]],
        [{'x': 1, 'y': [1.0, 2.0]}, {'x': 2, 'y': [3.0, 4.0]}],
        [Point(1, 2.0), Point(3, 4.0)],
        [{'img': a, 'meta': {'id': 1, 'name': 'p'}}, {'img': a * 2, 'meta': {'id': 2, 'name': 'q'}}],
    ]


@requires_torch
@pytest.mark.parametrize("i", range(len(_batches())))
def test_default_collate_matches_torch(i):
    batch = _batches()[i]
    _same(default_collate(batch), torch.utils.data.default_collate(batch))


@requires_torch
def test_collate_tensors_stack():
    e = [ember.tensor([[1, 2]]), ember.tensor([[3, 4]])]
    t = [torch.tensor([[1, 2]]), torch.tensor([[3, 4]])]
    _same(default_collate(e), torch.utils.data.default_collate(t))


@requires_torch
@pytest.mark.parametrize("i", range(len(_batches())))
def test_default_convert_matches_torch(i):
    sample = _batches()[i]
    _same(default_convert(sample), torch.utils.data.default_convert(sample))


@requires_torch
def test_collate_errors_match_torch():
    bad = [[object(), object()], [np.array(['a']), np.array(['b'])]]
    for batch in bad:
        with pytest.raises(TypeError) as e:
            torch.utils.data.default_collate(batch)
        with pytest.raises(TypeError) as m:
            default_collate(batch)
        assert str(m.value).replace('ember', 'torch') == str(e.value)
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        default_collate([ember.zeros(2), ember.zeros(3)])
