"""The NumPy bridge both ways, for every dtype and for non-contiguous arrays."""
import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, torch
from tests.test_tensor import same_repr

DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16, np.float32, np.float64,
          np.complex64, np.complex128]


def _array(dt, shape=(3, 4)):
    a = np.arange(np.prod(shape)).reshape(shape) % 5
    return (a > 2 if dt is np.bool_ else a).astype(dt)


@pytest.mark.parametrize('dt', DTYPES)
def test_from_numpy_shares_memory_both_ways(dt):
    a = _array(dt)
    t = ember.from_numpy(a)
    assert t.dtype.np == np.dtype(dt) and t.shape == a.shape
    back = t.numpy()
    assert back.dtype == a.dtype and np.shares_memory(back, a)
    t[0, 0] = 1
    assert a[0, 0] == 1
    a[1, 1] = 0
    assert t[1, 1].item() == 0


@pytest.mark.parametrize('dt', DTYPES)
@pytest.mark.parametrize('view', [lambda a: a.T, lambda a: a[:, ::2], lambda a: a[1:, 1:3], lambda a: a[None, :, 1]])
def test_non_contiguous_arrays(dt, view):
    a = _array(dt)
    v = view(a)
    t = ember.from_numpy(v)
    np.testing.assert_array_equal(t.numpy(), v)
    assert t.stride() == tuple(s // v.itemsize for s in v.strides)
    assert t.is_contiguous() == v.flags.c_contiguous
    copy = ember.tensor(v)
    np.testing.assert_array_equal(copy.numpy(), v)
    assert not np.shares_memory(copy.numpy(), a)
    np.testing.assert_array_equal((t.contiguous() * 1).numpy(), v * 1)
    np.testing.assert_array_equal(np.asarray(t), v)


@pytest.mark.parametrize('dt', DTYPES)
def test_tensor_to_numpy_keeps_dtype(dt):
    t = ember.tensor(_array(dt))
    assert t.numpy().dtype == np.dtype(dt)
    assert np.array(t).dtype == np.dtype(dt)
    assert t.t().numpy().strides == t.numpy().T.strides


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda m: m.from_numpy(np.arange(6.)[::-1]), lambda m: m.as_tensor(np.arange(6.)[::-1]),
    lambda m: m.from_numpy(np.zeros(3, dtype=object)), lambda m: m.from_numpy(np.array(3.)),
    lambda m: m.from_numpy(np.arange(6.).reshape(2, 3).T).stride(), lambda m: m.from_numpy([1.0]),
    lambda m: m.tensor([1., 2.], requires_grad=True).numpy(), lambda m: m.zeros(2, 3).t().numpy().strides,
    lambda m: m.as_tensor(np.arange(3), dtype=m.float32), lambda m: m.from_numpy(np.zeros((0, 2))),
])
def test_bridge_matches_torch(fn):
    same_repr(fn)


def test_np_array_copies_and_np_asarray_shares():
    t = ember.tensor([1., 2.])
    a = np.array(t)
    a[0] = 5
    assert t.tolist() == [1., 2.]
    b = np.asarray(t)
    b[0] = 7
    assert t.tolist() == [7., 2.]
    assert np.array(t, dtype=np.int64).dtype == np.int64


def test_as_tensor_and_asarray_share_memory_when_they_can():
    a = np.arange(4, dtype=np.int32)
    for t in (ember.as_tensor(a), ember.asarray(a), ember.as_tensor(a, dtype=ember.int32, device='cpu')):
        assert np.shares_memory(t.numpy(), a)
    assert not np.shares_memory(ember.as_tensor(a, dtype=ember.int64).numpy(), a)


def test_numpy_results_of_ops_are_plain_arrays():
    t = ember.tensor([[1., 2.], [3., 4.]])
    assert type((t @ t).numpy()) is np.ndarray
    assert t.sum().numpy().shape == () and float(t.sum().numpy()) == 10.0
