"""Backward and grad: graph recording, accumulation, retain_graph, hooks, higher order, errors."""
import numpy as np
import pytest

import ember
from tests.oracle import compare, requires_torch, torch


def leaf(*values, dtype=ember.float32):
    return ember.tensor(list(values), dtype=dtype, requires_grad=True)


def test_grad_fn_and_next_functions():
    x = leaf(1., 2.)
    y = leaf(3., 4.)
    z = (x * y).sum()
    assert z.grad_fn.name() == 'SumBackward0'
    (mul, nr), = z.grad_fn.next_functions
    assert mul.name() == 'MulBackward0' and nr == 0
    names = [n.name() for n, _ in mul.next_functions]
    assert names == ['AccumulateGrad', 'AccumulateGrad']
    assert mul.next_functions[0][0].variable is x
    c = (x * 2).grad_fn
    assert c.next_functions[1] == (None, 0)


def test_leaves_and_requires_grad_propagation():
    x = leaf(1., 2.)
    c = ember.tensor([1., 1.])
    y = x * c
    assert x.is_leaf and c.is_leaf and not y.is_leaf
    assert y.requires_grad and not (c * 2).requires_grad
    assert (c * 2).grad_fn is None
    with pytest.raises(RuntimeError, match='(?i)only Tensors of floating point'):
        ember.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match='(?i)only Tensors of floating point'):
        ember.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match='leaf variables'):
        y.requires_grad = False


def test_grad_only_on_leaves_and_retain_grad():
    x = leaf(1., 2.)
    y = x * 3
    z = y * y
    y.retain_grad()
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [18., 36.])
    np.testing.assert_allclose(y.grad.numpy(), [6., 12.])
    assert y.retains_grad and not x.retains_grad
    w = x * 2
    (w * w).sum().backward()
    assert w.grad is None


def test_accumulation_across_backward_calls_and_zero():
    x = leaf(1., 2.)
    for _ in range(3):
        (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6., 12.])
    x.grad.zero_()
    (x * 5).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5., 5.])
    x.grad = None
    x.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1., 1.])


def test_grad_does_not_alias_other_memory():
    x = leaf(1., 2.)
    g = ember.tensor([1., 1.])
    x.backward(g)
    g.add_(5)
    np.testing.assert_allclose(x.grad.numpy(), [1., 1.])
    y = leaf(1., 2.)
    y.sum().backward()  # an expanded gradient must become a real, writable array
    y.grad.add_(1)
    np.testing.assert_allclose(y.grad.numpy(), [2., 2.])


def test_backward_twice_raises_and_retain_graph_allows():
    x = leaf(1., 2.)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    with pytest.raises(RuntimeError, match='Trying to backward through the graph a second time'):
        y.backward()
    # Nodes with nothing saved (add, sum) can be traversed again, as in torch.
    z = (x + 1).sum()
    z.backward()
    z.backward()


def test_non_scalar_backward():
    x = leaf(1., 2.)
    with pytest.raises(RuntimeError, match='grad can be implicitly created only for scalar outputs'):
        (x * 2).backward()
    (x * 2).backward(ember.tensor([1., 10.]))
    np.testing.assert_allclose(x.grad.numpy(), [2., 20.])
    with pytest.raises(RuntimeError, match='Mismatch in shape'):
        (x * 2).backward(ember.ones(3))
    with pytest.raises(RuntimeError, match='does not require grad'):
        ember.ones(2).sum().backward()


def test_grad_tensors_weight_several_outputs():
    x = leaf(1., 2.)
    a, b = x * 2, x * x
    ember.autograd.backward([a, b], [ember.tensor([1., 1.]), ember.tensor([0.5, 2.])])
    np.testing.assert_allclose(x.grad.numpy(), [2 + 1., 2 + 8.])


def test_autograd_grad_returns_tuple_without_accumulating():
    x, y = leaf(1., 2.), leaf(3., 4.)
    out = (x * y).sum()
    gx, gy = ember.autograd.grad(out, [x, y])
    np.testing.assert_allclose(gx.numpy(), [3., 4.])
    np.testing.assert_allclose(gy.numpy(), [1., 2.])
    assert x.grad is None and not gx.requires_grad
    gx, = ember.autograd.grad((x * 2).sum(), x)
    np.testing.assert_allclose(gx.numpy(), [2., 2.])


def test_allow_unused_and_materialize():
    x, y = leaf(1., 2.), leaf(3., 4.)
    with pytest.raises(RuntimeError, match='allow_unused=True'):
        ember.autograd.grad((x * 2).sum(), [x, y])
    gx, gy = ember.autograd.grad((x * 2).sum(), [x, y], allow_unused=True)
    assert gy is None
    gx, gy = ember.autograd.grad((x * 2).sum(), [x, y], materialize_grads=True)
    np.testing.assert_allclose(gy.numpy(), [0., 0.])
    with pytest.raises(RuntimeError, match='does not require grad'):
        ember.autograd.grad((x * 2).sum(), ember.ones(2))


def test_higher_order_to_third():
    x = ember.tensor(1.5, requires_grad=True)
    y = x ** 4
    g1, = ember.autograd.grad(y, x, create_graph=True)
    g2, = ember.autograd.grad(g1, x, create_graph=True)
    g3, = ember.autograd.grad(g2, x, create_graph=True)
    g4, = ember.autograd.grad(g3, x)
    assert g1.item() == pytest.approx(4 * 1.5 ** 3)
    assert g2.item() == pytest.approx(12 * 1.5 ** 2)
    assert g3.item() == pytest.approx(24 * 1.5)
    assert g4.item() == pytest.approx(24.)


@requires_torch
def test_higher_order_matches_torch():
    def third(x):
        lib = ember if isinstance(x, ember.Tensor) else torch
        y = (x.sin() * x.exp()).sum()
        g, = lib.autograd.grad(y, x, create_graph=True)
        g2, = lib.autograd.grad(g.sum(), x, create_graph=True)
        return g2
    compare(third, np.array([0.3, -1.2, 2.0], dtype=np.float32), second_order=True)


def test_backward_create_graph_gives_differentiable_grad():
    x = leaf(1., 2.)
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    g2, = ember.autograd.grad(x.grad.sum(), x)
    np.testing.assert_allclose(g2.numpy(), [6., 12.])


def test_backward_inputs_restricts_accumulation():
    x, y = leaf(1., 2.), leaf(3., 4.)
    (x * y).sum().backward(inputs=[x])
    assert y.grad is None
    np.testing.assert_allclose(x.grad.numpy(), [3., 4.])
    z = x * 2
    z.retain_grad()
    (z * y).sum().backward(inputs=[z])
    np.testing.assert_allclose(z.grad.numpy(), [3., 4.])


def test_hooks_replace_gradients():
    x = leaf(1., 2.)
    x.register_hook(lambda g: g * 10)
    y = x * 2
    seen = []
    h = y.register_hook(lambda g: seen.append(g.clone()))
    y.register_hook(lambda g: g + 1)
    y.sum().backward()
    np.testing.assert_allclose(seen[0].numpy(), [1., 1.])
    np.testing.assert_allclose(x.grad.numpy(), [40., 40.])
    h.remove()
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [20., 20.])
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ember.ones(2).register_hook(lambda g: g)


def test_node_post_hook():
    x = leaf(1., 2.)
    y = x * 3
    calls = []
    y.grad_fn.register_hook(lambda gin, gout: calls.append((gin, gout)))
    y.sum().backward()
    (gin, gout), = calls
    np.testing.assert_allclose(gin[0].numpy(), [3., 3.])
    np.testing.assert_allclose(gout[0].numpy(), [1., 1.])


def test_broadcast_gradients_reduced_to_input_shapes():
    a = ember.ones(2, 1, 3, requires_grad=True)
    b = ember.ones(4, 1, requires_grad=True)
    c = ember.tensor(2., requires_grad=True)
    ((a * b) + c).sum().backward()
    assert a.grad.shape == (2, 1, 3) and b.grad.shape == (4, 1) and c.grad.shape == ()
    np.testing.assert_allclose(a.grad.numpy(), np.full((2, 1, 3), 4.))
    np.testing.assert_allclose(b.grad.numpy(), np.full((4, 1), 6.))
    assert c.grad.item() == 24.


def test_gradient_dtype_follows_input():
    x = ember.ones(3, dtype=ember.float64, requires_grad=True)
    (x * ember.ones(3)).sum().backward()
    assert x.grad.dtype == ember.float64
    h = ember.ones(3, requires_grad=True)
    (h.double() * 2).sum().backward()
    assert h.grad.dtype == ember.float32


def test_long_chain_has_no_recursion_limit():
    x = ember.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1e-6
    y.backward()
    assert x.grad.item() == 1.0


def test_diamond_graph_sums_both_paths():
    x = leaf(2.)
    a = x * 3
    b = a * a + a.exp()
    b.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3 * (2 * 6.) + 3 * np.exp(6.)], rtol=1e-6)


def test_detach_and_detach_():
    x = leaf(1., 2.)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None
    d.add_(1)  # shares memory and version with y
    np.testing.assert_allclose(y.detach().numpy(), [3., 5.])
    z = x * 2
    z.detach_()
    assert z.is_leaf and not z.requires_grad


def test_multi_output_with_unused_output():
    x = ember.tensor([[3., 1.], [2., 5.]], requires_grad=True)
    values, indices = x.max(1)
    values.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[1., 0.], [0., 1.]])


@requires_torch
def test_autograd_grad_runs_tensor_hooks_and_keeps_graph_below_non_leaf_targets():
    def fn(x):
        lib = ember if isinstance(x, ember.Tensor) else torch
        x = x * 1
        x.register_hook(lambda g: g * 10)
        y = x * 3
        y.register_hook(lambda g: g * 2)
        out = (y * y).sum()
        gy, = lib.autograd.grad(out, y, retain_graph=False)
        # y's own node did not run, so the graph from y down to x is still usable
        gx, = lib.autograd.grad((y * 2).sum(), x)
        return gy, gx
    compare(fn, np.array([1., 2.], dtype=np.float32))


def test_leaf_hook_applies_to_autograd_grad():
    x = leaf(1., 2.)
    x.register_hook(lambda g: g * 10)
    g, = ember.autograd.grad((x * 2).sum(), x)
    np.testing.assert_allclose(g.numpy(), [20., 20.])
    (x * 2).sum().backward(inputs=[x])
    np.testing.assert_allclose(x.grad.numpy(), [20., 20.])
