"""Custom ember.autograd.Function and the version-counter checks on saved tensors."""
import numpy as np
import pytest

import ember
from ember.autograd import Function, gradcheck, gradgradcheck


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad):
        x, = ctx.saved_tensors
        return grad * 3 * x ** 2


class ScaleBy(Function):
    """Multiplies by a Python number; records which inputs need gradients."""
    @staticmethod
    def forward(ctx, x, y, factor):
        ctx.factor = factor
        ctx.seen_needs = ctx.needs_input_grad
        ctx.save_for_backward(x, y)
        return x * y * factor

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return grad * y * ctx.factor, grad * x * ctx.factor, None


class SortWithIndex(Function):
    @staticmethod
    def forward(ctx, x):
        values, idx = x.sort()
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(idx)
        return values, idx

    @staticmethod
    def backward(ctx, grad_values, grad_idx):
        idx, = ctx.saved_tensors
        out = ember.zeros_like(grad_values)
        out[idx] = grad_values
        return out


def test_custom_function_forward_backward_and_name():
    x = ember.tensor([1., 2.], requires_grad=True)
    y = Cube.apply(x)
    assert y.grad_fn.name() == 'CubeBackward'
    assert not y.is_leaf and y.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3., 12.])


def test_custom_function_double_backward_and_gradcheck():
    x = ember.tensor([1.5, -0.5], dtype=ember.float64, requires_grad=True)
    assert gradcheck(Cube.apply, (x,))
    assert gradgradcheck(Cube.apply, (x,))
    g, = ember.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    g2, = ember.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(g2.numpy(), 6 * x.detach().numpy())


def test_forward_runs_without_recording():
    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.inner = x * 2
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            return grad
    x = ember.ones(2, requires_grad=True)
    Probe.apply(x)
    # inside forward, grad mode is off as in torch


def test_needs_input_grad_and_non_tensor_arguments():
    x = ember.tensor([1., 2.], requires_grad=True)
    y = ember.tensor([3., 4.])
    out = ScaleBy.apply(x, y, 2.0)
    assert out.grad_fn.needs_input_grad == (True, False, False)
    assert out.grad_fn.seen_needs == (True, False, False)  # already known inside forward
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6., 8.])


def test_mark_non_differentiable():
    x = ember.tensor([3., 1., 2.], requires_grad=True)
    values, idx = SortWithIndex.apply(x)
    assert values.requires_grad and not idx.requires_grad
    (values * ember.tensor([1., 10., 100.])).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [100., 1., 10.])


def test_set_materialize_grads():
    seen = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append((g1, g2))
            return (g1 * 2 if g1 is not None else None), None
    x = ember.ones(2, requires_grad=True)
    a, _ = Two.apply(x, True)
    a.sum().backward()
    assert seen[-1][1] is not None and not seen[-1][1].numpy().any()
    a, _ = Two.apply(x, False)
    a.sum().backward()
    assert seen[-1][1] is None


def test_wrong_number_of_gradients_raises():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, grad):
            return grad
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match='incorrect number of gradients'):
        Bad.apply(x, x).sum().backward()


def test_modified_saved_input_raises():
    x = ember.ones(3, requires_grad=True)
    a = x * 1
    b = ember.full((3,), 2., requires_grad=True)
    y = a * b
    a.add_(1)
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        y.sum().backward()


def test_modified_input_of_exp_does_not_raise():
    x = ember.ones(3, requires_grad=True)
    a = x * 1
    y = a.exp()      # exp saves its output, not its input
    a.add_(1)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, np.e), rtol=1e-6)


def test_modified_output_of_exp_raises():
    x = ember.ones(3, requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        y.sum().backward()


def test_modified_through_a_view_raises():
    x = ember.ones(2, 3, requires_grad=True)
    a = x * 1
    y = (a * a).sum()
    with ember.no_grad():
        a[0].mul_(2)
    with pytest.raises(RuntimeError, match='is at version'):
        y.backward()


def test_inplace_on_leaf_requiring_grad():
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match='leaf Variable that requires grad'):
        x.add_(1)
    with ember.no_grad():
        x.add_(1)
    np.testing.assert_allclose(x.detach().numpy(), [2., 2.])


def test_inplace_on_non_leaf_is_differentiated():
    x = ember.tensor([1., 2.], requires_grad=True)
    y = x * 2
    y.mul_(3)
    y.exp_()
    assert y.grad_fn.name() == 'ExpBackward0'
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * np.exp(6 * np.array([1., 2.])), rtol=1e-5)


def test_inplace_using_itself_as_saved_operand_raises_as_torch():
    x = ember.tensor([1., 2.], requires_grad=True)
    y = x * 2
    y.mul_(y)   # mul saved y, which this very op then overwrote
    y.exp_()
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        y.sum().backward()


def test_version_counter_bumps():
    x = ember.ones(3)
    v = x[1:]
    assert x._version_count == 0
    x.add_(1)
    v.mul_(2)
    assert x._version_count == 2 and v._version_count == 2


def test_once_differentiable_backward():
    from ember.autograd.function import once_differentiable

    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            assert not ember.is_grad_enabled()
            return grad * 2
    x = ember.ones(2, requires_grad=True)
    g, = ember.autograd.grad(Double.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.numpy(), [2., 2.])
    assert not g.requires_grad


def test_variable_is_a_tensor():
    v = ember.autograd.Variable(ember.ones(2), requires_grad=True)
    assert isinstance(v, ember.Tensor) and v.requires_grad


def test_setup_context_style():
    class Square(Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, = inputs
            ctx.save_for_backward(x)

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return 2 * x * grad
    x = ember.tensor([1., 3.], requires_grad=True)
    Square.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2., 6.])
