"""Printing: ember's repr must equal torch's with 'torch.' replaced by 'ember.'."""
import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, torch

CASES = [
    ([1., 2., 3.], None), ([1, 2, 3], 'int32'), (2.5, None), (3, None), (True, None),
    ([True, False], None), ([1.5, -2.25, 1e-5], None), ([1e10, 1.0], None), ([123456789.0, 1.0], None),
    ([0.0, 0.0], None), ([float('inf'), float('nan'), 1.0], None), ([float('inf'), 2.0], None),
    ([-0.5, 100.0], None), ([1.0, 2.0], 'float64'), ([1.0, 2.0], 'float16'), ([1, -100], 'int8'),
    ([255, 0], 'uint8'), ([[1.0, 2.0], [3.0, 4.0]], None), ([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], None),
    ([], None), ([[]], None), (1e-8, None), (-3.0, None), ([0.1234567, 12345.678], None),
]


def _pair(data, dtype):
    e = ember.tensor(data, dtype=getattr(ember, dtype) if dtype else None)
    t = torch.tensor(data, dtype=getattr(torch, dtype) if dtype else None)
    return e, t


def _same(e, t):
    assert repr(e) == repr(t).replace('torch.', 'ember.')


@requires_torch
@pytest.mark.parametrize('data,dtype', CASES)
def test_repr_matches_torch(data, dtype):
    _same(*_pair(data, dtype))


@requires_torch
@pytest.mark.parametrize('shape', [(1001,), (40, 40), (5, 300), (3, 4, 100), (2000, 1), (7,), (30,)])
def test_repr_long_and_summarised(shape):
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32) * 10
    _same(ember.from_numpy(a), torch.from_numpy(a))
    b = (a * 100).astype(np.int64)
    _same(ember.from_numpy(b), torch.from_numpy(b))


@requires_torch
@pytest.mark.parametrize('shape', [(0,), (0, 3), (2, 0, 1)])
@pytest.mark.parametrize('dtype', ['float32', 'int64', 'int32', 'bool', 'float64'])
def test_repr_empty(shape, dtype):
    _same(ember.zeros(shape, dtype=getattr(ember, dtype)), torch.zeros(shape, dtype=getattr(torch, dtype)))


@requires_torch
def test_repr_autograd_suffixes():
    a = np.array([1.0, 2.0], np.float32)
    e, t = ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    _same(e, t)
    _same(e * 2, t * 2)
    _same((e * 2).sum(), (t * 2).sum())
    _same(e[0], t[0])


@requires_torch
def test_repr_default_dtype_float64():
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        _same(ember.tensor([1.5, 2.0]), torch.tensor([1.5, 2.0]))
        _same(ember.tensor([1.5], dtype=ember.float32), torch.tensor([1.5], dtype=torch.float32))
    finally:
        torch.set_default_dtype(torch.float32)


@requires_torch
@pytest.mark.parametrize('opts', [dict(precision=2), dict(sci_mode=True), dict(sci_mode=False),
                                  dict(threshold=5), dict(edgeitems=1, threshold=3), dict(linewidth=20),
                                  dict(profile='short'), dict(edgeitems=0, threshold=3)])
def test_set_printoptions(opts):
    data = [[1.123456, 22.5, -0.001], [4.0, 5.0, 6.0], [7.0, 8.0, 1e-3]]
    ember.set_printoptions(**opts)
    torch.set_printoptions(**opts)
    try:
        _same(ember.tensor(data), torch.tensor(data))
        _same(ember.arange(10), torch.arange(10))
    finally:
        ember.set_printoptions(profile='default')
        torch.set_printoptions(profile='default')


@requires_torch
def test_str_and_format():
    e, t = ember.tensor(2.0), torch.tensor(2.0)
    assert str(e) == str(t)
    assert '{:+.2f}'.format(e) == '{:+.2f}'.format(t) == '+2.00'
    assert f"{ember.tensor(3)}" == f"{torch.tensor(3)}"
    _same(ember.tensor([1 + 2j, -3.5 - 1j]), torch.tensor([1 + 2j, -3.5 - 1j]))


@requires_torch
@pytest.mark.parametrize('make', [
    lambda m: m.arange(30, dtype=m.int32) * 1000,
    lambda m: m.arange(18, dtype=m.float64).reshape(3, 6).requires_grad_() * 1.5,
    lambda m: (m.arange(25, dtype=m.float16) - 12) / 8,
    lambda m: m.tensor([-0.0, 0.0, 1.0]),
    lambda m: m.tensor([1e-9, 1e9]),
    lambda m: m.tensor([[True, False], [False, True]]),
    lambda m: m.arange(2000).reshape(2, 1000),
    lambda m: m.zeros(2, 3, 4, 5) + 0.5,
    lambda m: m.tensor([12345678.0, 0.5]),
    lambda m: m.tensor([float('nan'), float('-inf')]),
])
def test_repr_wrapping_suffixes_and_special_values(make):
    _same(make(ember), make(torch))
