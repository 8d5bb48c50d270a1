"""gradcheck / gradgradcheck themselves: they pass on correct gradients and fail readably on wrong ones."""
import numpy as np
import pytest

import ember
from ember.autograd import Function, gradcheck, gradgradcheck, GradcheckError


class WrongGrad(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * x   # should be 2 * x


class WrongSecondOrder(Function):
    """First derivative right, but computed on detached data so the second derivative is lost."""
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * 3 * x.detach() ** 2


def x64(*shape):
    return ember.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)


def test_passes_on_correct_gradients_with_several_inputs_and_outputs():
    a, b = x64(2, 3), x64(3)
    assert gradcheck(lambda p, q: (p * q, (p + q).exp().sum(0)), (a, b))
    assert gradgradcheck(lambda p, q: (p * q).sin(), (a, b))


def test_fails_with_a_readable_message():
    with pytest.raises(GradcheckError, match=r'Jacobian mismatch for output 0 with respect to input 0'):
        gradcheck(WrongGrad.apply, (x64(3),))
    assert gradcheck(WrongGrad.apply, (x64(3),), raise_exception=False) is False
    with pytest.raises(GradcheckError, match='analytical .* vs numerical'):
        gradcheck(WrongGrad.apply, x64(2))
    assert issubclass(GradcheckError, RuntimeError)


def test_gradgradcheck_catches_wrong_second_derivative():
    x = x64(3)
    assert gradcheck(WrongSecondOrder.apply, (x,))
    with pytest.raises(GradcheckError):
        gradgradcheck(WrongSecondOrder.apply, (x,))


def test_non_tensor_and_non_grad_inputs_are_left_alone():
    a = x64(3)
    c = ember.tensor(np.arange(3.))
    assert gradcheck(lambda p, q, k: p * q * k, (a, c, 2.0))


def test_needs_an_input_requiring_grad():
    with pytest.raises(ValueError):
        gradcheck(lambda p: p * 2, (ember.ones(2, dtype=ember.float64),))


def test_non_contiguous_input():
    a = ember.tensor(np.random.default_rng(1).standard_normal((3, 4))).t().requires_grad_()
    assert gradcheck(lambda p: (p * p).sum(1), (a,))


def test_float32_inputs_warn():
    with pytest.warns(UserWarning, match='not a double'):
        gradcheck(lambda p: p * 2, (ember.ones(2, requires_grad=True),), eps=1e-3, atol=1e-2, rtol=1e-2)
