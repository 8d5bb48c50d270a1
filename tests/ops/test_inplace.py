"""In-place operations: identity, views, version counters, autograd rules and casting, against torch."""
import numpy as np
import pytest

import ember
from tests.oracle import compare, compare_raises, randn, requires_torch, torch
from tests.test_tensor import same_repr

X = randn(3, 4)

INPLACE = {
    'add_': lambda y, w: y.add_(w, alpha=2), 'sub_': lambda y, w: y.sub_(w), 'mul_': lambda y, w: y.mul_(w),
    'div_': lambda y, w: y.div_(w + 3), 'pow_': lambda y, w: y.pow_(2), 'iadd': lambda y, w: y.__iadd__(w),
    'imul': lambda y, w: y.__imul__(w), 'itruediv': lambda y, w: y.__itruediv__(2.0),
    'exp_': lambda y, w: y.exp_(), 'clamp_': lambda y, w: y.clamp_(-0.5, 0.5), 'relu_': lambda y, w: y.relu_(),
    'zero_': lambda y, w: y.zero_(), 'fill_': lambda y, w: y.fill_(2.5), 'fill_tensor': lambda y, w: y.fill_(w[0, 0]),
    'copy_': lambda y, w: y.copy_(w), 'copy_bcast': lambda y, w: y.copy_(w[0]),
    'masked_fill_': lambda y, w: y.masked_fill_(w > 0, 1.0), 'tril_': lambda y, w: y.tril_(),
    'index_add_': lambda y, w: y.index_add_(0, y.new_tensor([0, 0], dtype=ember_or_torch(y).int64), w[:2]),
    'scatter_': lambda y, w: y.scatter_(1, (w > 0).long(), 0.5), 'sigmoid_': lambda y, w: y.sigmoid_(),
}


def ember_or_torch(x):
    return torch if torch is not None and isinstance(x, torch.Tensor) else ember


@requires_torch
@pytest.mark.parametrize('name', sorted(INPLACE))
def test_inplace_on_non_leaf_is_differentiated(name):
    def fn(x, w):
        y = x * 1
        out = INPLACE[name](y, w)
        assert out is y
        return y * x
    compare(fn, X, randn(3, 4, seed=5), second_order=True)


@requires_torch
@pytest.mark.parametrize('name', sorted(INPLACE))
def test_inplace_through_a_view(name):
    def fn(x, w):
        y = x * 1
        view = y[1:]
        INPLACE[name](view, w[1:])
        return y * x, view
    compare(fn, X, randn(3, 4, seed=5), second_order=True)


@requires_torch
@pytest.mark.parametrize('name', sorted(INPLACE))
def test_inplace_without_grad_keeps_identity_and_bumps_version(name):
    e, t = ember.tensor(X.copy()), torch.tensor(X.copy())
    ev, tv = e[1:], t[1:]
    we, wt = ember.tensor(X[1:] * 2), torch.tensor(X[1:] * 2)
    v0 = e._version_count
    assert INPLACE[name](ev, we) is ev
    INPLACE[name](tv, wt)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)
    assert e._version_count > v0 and ev._version_count == e._version_count


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda m: m.tensor([1., 2.], requires_grad=True).add_(1),
    lambda m: m.tensor([1., 2.], requires_grad=True)[0].mul_(2),
    lambda m: m.tensor([1., 2.], requires_grad=True).zero_(),
    lambda m: m.tensor([1., 2.], requires_grad=True).fill_(1),
    lambda m: m.tensor([1., 2.], requires_grad=True).copy_(m.zeros(2)),
    lambda m: m.tensor([1, 2]).add_(1.5), lambda m: m.tensor([1, 2]).mul_(m.tensor(1.5)),
    lambda m: m.tensor([True]).add_(1), lambda m: m.tensor([1, 2]).div_(2), lambda m: m.tensor([1., 2.]).add_(1),
    lambda m: m.tensor([1, 2], dtype=m.int32).add_(m.tensor([1, 2])), lambda m: m.tensor([1., 2]).add_(m.ones(3)),
    lambda m: m.tensor([1., 2]).add_(m.ones(2, 2)), lambda m: m.tensor([1., 2]).expand(2, 2).add_(1),
    lambda m: m.tensor([1., 2]).copy_(m.tensor([3, 4])), lambda m: m.tensor([1., 2]).copy_(m.ones(3)),
    lambda m: m.tensor([1, 2]).copy_(m.tensor([3.5, 4])), lambda m: m.tensor([1., 2]).copy_(m.tensor(7)),
    lambda m: m.tensor([1., 2]).fill_(m.tensor([3.])), lambda m: m.tensor([1., 2]).clamp_(min=1.5),
    lambda m: m.tensor([-1, 2]).relu_(),
])
def test_inplace_rules_match_torch(fn):
    same_repr(fn)


@pytest.mark.parametrize('m', [ember, pytest.param(torch, marks=requires_torch)])
def test_inplace_on_leaf_allowed_under_no_grad(m):
    w = m.tensor([1., 2.], requires_grad=True)
    with m.no_grad():
        w.mul_(2)
        w -= 1
        w[0] = 0
    assert w.tolist() == [0., 3.] and w.is_leaf and w.grad_fn is None


@pytest.mark.parametrize('m', [ember, pytest.param(torch, marks=requires_torch)])
def test_modified_saved_tensor_raises_on_backward(m):
    x = m.tensor([1., 2.], requires_grad=True)
    y = x * 1
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match='modified by an inplace operation'):
        z.sum().backward()
    y2 = x * 1
    e = y2.exp()       # exp saves its output, not its input
    y2.add_(1)
    e.sum().backward()
    assert np.allclose(x.grad.numpy(), np.exp([1., 2.]))


@pytest.mark.parametrize('m', [ember, pytest.param(torch, marks=requires_torch)])
def test_views_see_inplace_writes_and_share_versions(m):
    base = m.zeros(2, 3)
    row, col, flat = base[0], base[:, 1], base.view(6)
    base.add_(1)
    row.mul_(3)
    flat[5] = 7
    assert base.tolist() == [[3., 3., 3.], [1., 1., 7.]]
    assert col.tolist() == [3., 1.]
    assert row._version == base._version == flat._version


@requires_torch
def test_grad_fn_after_inplace():
    for m in (ember, torch):
        x = m.tensor([1., 2.], requires_grad=True)
        y = x * 1
        y.add_(1)
        y[0] = 5
        z = x * 1
        z[1:].mul_(2)
        assert (y.grad_fn.name().split('::')[-1], z.grad_fn.name().split('::')[-1]) == ('CopySlices', 'CopySlices')
