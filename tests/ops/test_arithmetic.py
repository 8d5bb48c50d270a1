"""Binary arithmetic against torch: values, dtypes (promotion), gradients, in-place forms, errors."""
import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.oracle import compare, compare_raises, randn, requires_torch, torch

A, B = randn(3, 4), randn(3, 4, seed=1)
POS = np.abs(randn(3, 4, seed=2)) + 0.5

BINARY = {
    'add': lambda a, b: a + b,
    'add_alpha': lambda a, b: a.add(b, alpha=2.5),
    'sub': lambda a, b: a - b,
    'sub_alpha': lambda a, b: a.sub(b, alpha=-0.5),
    'mul': lambda a, b: a * b,
    'div': lambda a, b: a / b,
    'div_trunc': lambda a, b: a.div(b, rounding_mode='trunc'),
    'div_floor': lambda a, b: a.div(b, rounding_mode='floor'),
    'remainder': lambda a, b: a % b,
    'fmod': lambda a, b: a.fmod(b),
    'pow': lambda a, b: a.abs() ** b,
    'maximum': lambda a, b: a.maximum(b),
    'minimum': lambda a, b: a.minimum(b),
}


@requires_torch
@pytest.mark.parametrize('name', BINARY)
def test_binary_values_and_grads(name):
    compare(BINARY[name], A, POS, second_order=True)


@requires_torch
def test_floor_divide_values():
    # torch has no derivative for floor_divide; compare values only
    compare(lambda a, b: a // b, A, POS, grad=False)
    compare(lambda a, b: a // b, np.array([7., -7., 7.5]), np.array([2., 2., -2.]), grad=False)


@requires_torch
@pytest.mark.parametrize('name', ['add', 'sub', 'mul', 'div', 'pow', 'maximum'])
def test_binary_broadcasting_reduces_gradients(name):
    compare(BINARY[name], randn(2, 1, 4), np.abs(randn(3, 1)) + 0.5, second_order=True)


@pytest.mark.parametrize('name', ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'remainder', 'fmod'])
def test_binary_gradcheck(name):
    a = ember.tensor(randn(2, 3, dtype=np.float64), requires_grad=True)
    b = ember.tensor(np.abs(randn(2, 3, seed=3, dtype=np.float64)) + 0.5, requires_grad=True)
    fn = BINARY[name]
    assert gradcheck(fn, (a, b))
    if name not in ('remainder', 'fmod'):
        assert gradgradcheck(fn, (a, b))


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda a: 2 + a, lambda a: 2 - a, lambda a: 2 * a, lambda a: 2 / a, lambda a: 2 ** a, lambda a: a ** 2,
    lambda a: a ** 0.5, lambda a: a ** -1, lambda a: -a, lambda a: a ** 0, lambda a: 3 - a * 2, lambda a: a / 4,
])
def test_reflected_with_python_numbers(fn):
    compare(fn, POS, second_order=True)


@requires_torch
@pytest.mark.parametrize('fn', [lambda a: 2.5 // a, lambda a: 7 % a, lambda a: abs(a)])
def test_reflected_without_torch_second_derivative(fn):
    # torch has no derivative for scalar // tensor and scalar % tensor, and a ZeroTensor 2nd derivative for abs
    compare(fn, POS, grad=False)


# (left operand, right operand) -> torch decides the dtype; ints become ndarrays via ember/torch tensors
PROMOTION = [
    (np.array([1, 2, 3]), 2, 'div'),
    (np.array([1, 2, 3]), 2, 'mul'),
    (np.array([True, False]), 1, 'add'),
    (np.array([True, False]), np.array([1, 2]), 'add'),
    (np.array([1, 2], dtype=np.int32), 2.5, 'add'),
    (np.array([1, 2], dtype=np.int32), np.array(3, dtype=np.int64), 'add'),
    (np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int64), 'add'),
    (np.array([1., 2.], dtype=np.float32), np.array(1., dtype=np.float64), 'add'),
    (np.array([1., 2.], dtype=np.float32), np.array([1., 2.], dtype=np.float64), 'mul'),
    (np.array([1, 2], dtype=np.uint8), np.array([-1, 2], dtype=np.int8), 'add'),
    (np.array([1, 2], dtype=np.uint8), 300, 'add'),
    (np.array([1., 2.], dtype=np.float16), np.array([1, 2]), 'mul'),
    (np.array([1, 2]), True, 'mul'),
    (np.array([7, -7]), np.array([2, 2]), 'floor_divide'),
    (np.array([7, -7]), 2, 'remainder'),
    (np.array([7, -7]), np.array([2, 3]), 'fmod'),
    (np.array([7, -7]), np.array([2, 3]), 'div_trunc'),
    (np.array([7, -7]), 2, 'div_floor'),
    (np.array([2, 3]), 2, 'pow'),
    (np.array([2, 3]), 0.5, 'pow'),
    (np.array([2, 3]), np.array([2, 3]), 'maximum'),
]


def _as_operand(x, mod):
    return mod.from_numpy(x.copy()) if isinstance(x, np.ndarray) else x


@requires_torch
@pytest.mark.parametrize('a,b,op', PROMOTION)
def test_promotion(a, b, op):
    fn = {'div': lambda x, y: x / y, 'mul': lambda x, y: x * y, 'add': lambda x, y: x + y,
          'floor_divide': lambda x, y: x // y, 'remainder': lambda x, y: x % y, 'fmod': lambda x, y: x.fmod(y),
          'div_trunc': lambda x, y: x.div(y, rounding_mode='trunc'),
          'div_floor': lambda x, y: x.div(y, rounding_mode='floor'),
          'pow': lambda x, y: x ** y, 'maximum': lambda x, y: x.maximum(y)}[op]
    compare(lambda x: fn(x, _as_operand(b, ember if isinstance(x, ember.Tensor) else torch)), a)
    if not isinstance(b, np.ndarray):  # the reflected form too
        if op in ('add', 'mul'):
            compare(lambda x: fn(b, x), a)


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda a: a.add_(1.5), lambda a: a.sub_(a), lambda a: a.mul_(2), lambda a: a.div_(2.0),
    lambda a: a.pow_(2), lambda a: a.remainder_(3), lambda a: a.fmod_(3),
])
def test_inplace_float(fn):
    compare(lambda a: fn(a.clone()), A, second_order=True)


@requires_torch
def test_iadd_keeps_identity_and_writes_through_views():
    x = ember.zeros(2, 3)
    v = x[0]
    ident = id(x)
    x += 1
    v *= 5
    x -= ember.ones(3)
    assert id(x) == ident
    np.testing.assert_array_equal(x.numpy(), [[4, 4, 4], [0, 0, 0]])
    y = ember.tensor([4, 6])
    y //= 3
    assert y.dtype == ember.int64 and y.tolist() == [1, 2]


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda a: a.add_(1.5), lambda a: a.div_(2), lambda a: a.mul_(0.5), lambda a: a.__itruediv__(2),
    lambda a: a.sub_(1.0), lambda a: a.pow_(0.5),
])
def test_inplace_result_that_cannot_be_cast_raises(fn):
    compare_raises(lambda a: fn(a.clone()), np.array([1, 2, 3]))


@requires_torch
def test_inplace_int_ops_that_can_be_cast():
    compare(lambda a: a.add_(2), np.array([1, 2, 3]))
    compare(lambda a: a.mul_(True), np.array([1, 2, 3], dtype=np.int32))
    compare(lambda a: a.add_(2), np.array([1., 2., 3.], dtype=np.float16), grad=False)


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda a: a.bool() - a.bool(),
    lambda a: a - a.bool(),
    lambda a: 1 - a.bool(),
    lambda a: a.bool() - True,
    lambda a: a.div(a, rounding_mode='round'),
    lambda a: a.long() ** -1,
    lambda a: a + 'x',
])
def test_arithmetic_errors(fn):
    e = compare_raises(fn, np.array([1., 2.]))
    assert 'numpy' not in str(e).lower()


@requires_torch
@pytest.mark.parametrize('fn', [lambda a, z: a // z, lambda a, z: a % z, lambda a, z: a.fmod(z),
                                lambda a, z: a.div(z, rounding_mode='trunc'), lambda a, z: a // 0])
def test_integer_division_by_zero_raises(fn):
    compare_raises(lambda a: fn(a, ember_or_torch(a).zeros(2, dtype=a.dtype)), np.array([1, 2]))


def ember_or_torch(t):
    return ember if isinstance(t, ember.Tensor) else torch


@requires_torch
def test_maximum_ties_share_gradient():
    x = np.array([1., 2., 3.], dtype=np.float32)
    compare(lambda a, b: a.maximum(b), x, x.copy())
    compare(lambda a, b: a.minimum(b), x, np.array([1., 0., 5.], dtype=np.float32))


@requires_torch
def test_pow_edge_gradients():
    compare(lambda a: a ** 0, np.array([0., 1., -2.], dtype=np.float32), second_order=True)
    compare(lambda a, b: a ** b, np.array([0., 1., 2.], dtype=np.float32),
            np.array([0., 2., 3.], dtype=np.float32))
    compare(lambda b: 0 ** b, np.array([0., 1., 2.], dtype=np.float32))


def test_grad_fn_names():
    x = ember.ones(2, requires_grad=True)
    assert (x + 1).grad_fn.name() == 'AddBackward0'
    assert (x * x).grad_fn.name() == 'MulBackward0'
    assert (x / 2).grad_fn.name() == 'DivBackward0'
    assert (x ** 2).grad_fn.name() == 'PowBackward0'
    assert (x - x).grad_fn.name() == 'SubBackward0'


@requires_torch
def test_integer_power_with_negative_tensor_exponent():
    compare(lambda a, b: a ** b, np.array([2, 1, -1, -1, 0, 3]), np.array([-1, -3, -3, -2, 1, 2]))
    compare(lambda b: 2 ** b, np.array([-1, 2]))
    compare_raises(lambda a: a ** -1, np.array([2, 3]))
