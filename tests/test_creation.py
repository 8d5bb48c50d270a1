"""Factories against torch: dtype inference, values, copy-versus-share, dtype/device/requires_grad arguments."""
import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, torch
from tests.test_tensor import same_repr

FACTORIES = [
    lambda m: m.tensor([1, 2]), lambda m: m.tensor([1., 2]), lambda m: m.tensor([True, False]),
    lambda m: m.tensor([True, 1]), lambda m: m.tensor([1, 2.5]), lambda m: m.tensor(3), lambda m: m.tensor(2.5),
    lambda m: m.tensor([]), lambda m: m.tensor([[], []]), lambda m: m.tensor([[1, 2], [3, 4]], dtype=m.float16),
    lambda m: m.tensor([1.7, -2.7], dtype=m.int32), lambda m: m.tensor(1, dtype=m.bool),
    lambda m: m.tensor([1 + 2j]).dtype, lambda m: m.tensor(float('nan')), lambda m: m.tensor(np.float64(1.5)),
    lambda m: m.tensor(np.int32(3)), lambda m: m.tensor([np.float32(1.)]), lambda m: m.tensor(np.arange(3)),
    lambda m: m.tensor(np.arange(3, dtype=np.float16)), lambda m: m.tensor([m.tensor(1.), m.tensor(2.)]),
    lambda m: m.tensor([[1, 2], [3]]), lambda m: m.tensor('a'), lambda m: m.tensor(10 ** 20),
    lambda m: m.tensor([300], dtype=m.int8), lambda m: m.tensor([1, 2], dtype=m.float64, requires_grad=True),
    lambda m: m.tensor([1, 2], requires_grad=True),
    lambda m: m.zeros(2, 3), lambda m: m.zeros((2, 3), dtype=m.int32), lambda m: m.zeros([2]), lambda m: m.zeros(()),
    lambda m: m.zeros(size=(2, 1)), lambda m: m.zeros(-1), lambda m: m.zeros(2.5), lambda m: m.ones(2, 2),
    lambda m: m.ones(2, requires_grad=True), lambda m: m.ones(2, dtype=m.int64, requires_grad=True),
    lambda m: m.empty(2, 3).shape, lambda m: m.empty((2,), dtype=m.int8).dtype,
    lambda m: m.full((2,), 3), lambda m: m.full((2,), 3.), lambda m: m.full((2,), True), lambda m: m.full(2, 1),
    lambda m: m.full([2], 1, dtype=m.float64), lambda m: m.full((2,), m.tensor(3.)),
    lambda m: m.eye(3), lambda m: m.eye(2, 3), lambda m: m.eye(2, dtype=m.int32), lambda m: m.eye(-1),
    lambda m: m.arange(5), lambda m: m.arange(1, 4), lambda m: m.arange(0, 1, 0.25), lambda m: m.arange(1., 4),
    lambda m: m.arange(5, dtype=m.float32), lambda m: m.arange(10, 0, -3), lambda m: m.arange(0, 10, -1),
    lambda m: m.arange(0, 1, 0), lambda m: m.arange(0.1, 0.5, 0.1), lambda m: m.arange(m.tensor(3)),
    lambda m: m.arange(-1.5, 2.5, 0.5), lambda m: m.arange(3, dtype=m.int8), lambda m: m.arange(4, requires_grad=True),
    lambda m: m.arange(4., requires_grad=True),
    lambda m: m.linspace(0, 1, 5), lambda m: m.linspace(0, 1, 1), lambda m: m.linspace(0, 10, 4, dtype=m.int64),
    lambda m: m.linspace(-1, 1, 0), lambda m: m.linspace(3, -3, 7, dtype=m.float64), lambda m: m.linspace(0, 1, -1),
    lambda m: m.logspace(0, 2, 3), lambda m: m.logspace(0, 3, 4, base=2), lambda m: m.logspace(0, 2, 3, dtype=m.int64),
    lambda m: m.zeros_like(m.ones(2, dtype=m.int32)), lambda m: m.ones_like(m.ones(2), dtype=m.float64),
    lambda m: m.full_like(m.ones(2, dtype=m.int32), 2.7), lambda m: m.full_like(m.ones(2), 7, requires_grad=True),
    lambda m: m.empty_like(m.ones(2, 3)).shape, lambda m: m.zeros_like(m.ones(2, 3).t()).stride(),
    lambda m: m.scalar_tensor(3), lambda m: m.as_tensor([1, 2], dtype=m.float32), lambda m: m.asarray([1., 2]),
    lambda m: m.as_tensor(np.arange(3, dtype=np.int16)), lambda m: m.from_numpy(np.arange(2, dtype=np.uint8)),
    lambda m: m.from_numpy([1, 2]), lambda m: m.from_numpy(np.array([1, 2], dtype='>i4')),
    lambda m: m.from_numpy(np.zeros((2, 0))),
]


@requires_torch
@pytest.mark.parametrize('fn', FACTORIES)
def test_factory_matches_torch(fn):
    same_repr(fn)


def test_tensor_copies_and_as_tensor_shares():
    a = np.arange(4.)
    copied, shared, from_np = ember.tensor(a), ember.as_tensor(a), ember.from_numpy(a)
    a[0] = 42
    assert copied[0].item() == 0 and shared[0].item() == 42 and from_np[0].item() == 42
    cast = ember.as_tensor(a, dtype=ember.float32)   # a dtype change must copy
    a[1] = 7
    assert cast[1].item() == 1
    t = ember.tensor([1., 2.])
    assert ember.as_tensor(t) is t
    c = ember.tensor(t)
    c[0] = 5
    assert t[0].item() == 1


def test_factories_take_device_and_generator_arguments():
    cpu = ember.device('cpu')
    for t in (ember.zeros(2, device='cpu'), ember.ones(2, device=cpu), ember.arange(3, device='cpu'),
              ember.full((1,), 2, device=cpu), ember.eye(2, device='cpu'), ember.tensor([1], device='cpu'),
              ember.linspace(0, 1, 3, device='cpu'), ember.empty(1, device=cpu)):
        assert t.device == cpu and t.device.type == 'cpu'


def test_like_factories_keep_dtype_and_shape():
    x = ember.zeros(2, 3, dtype=ember.float64)
    for f in (ember.zeros_like, ember.ones_like, ember.empty_like, ember.rand_like, ember.randn_like):
        y = f(x)
        assert y.shape == (2, 3) and y.dtype is ember.float64 and not y.requires_grad
    assert ember.full_like(x, 3).tolist() == [[3.] * 3] * 2
    assert ember.randint_like(x, 5).dtype is ember.float64


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda m: m.FloatTensor([1, 2]), lambda m: m.LongTensor(2, 3).shape, lambda m: m.LongTensor([2 ** 40 + 1]),
    lambda m: isinstance(m.zeros(2), m.FloatTensor), lambda m: isinstance(m.zeros(2), m.LongTensor),
    lambda m: isinstance(m.zeros(2, dtype=m.int64), m.LongTensor), lambda m: m.zeros(2).type(m.LongTensor),
    lambda m: m.zeros(2).type('torch.DoubleTensor'), lambda m: m.ByteTensor([1]), lambda m: m.BoolTensor([1, 0]),
    lambda m: m.DoubleTensor(np.array([1, 2])), lambda m: m.IntTensor([]),
])
def test_legacy_typed_constructors(fn):
    same_repr(fn)
