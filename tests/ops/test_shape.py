"""Shape ops against torch: values, views (shared memory), gradients of first and second order, errors."""
import numpy as np
import pytest

import ember
from tests.oracle import compare, compare_raises, randn, requires_torch, torch
from tests.test_tensor import gradcheck_case

X = randn(2, 3, 4)

CASES = {
    'view': lambda x: x.view(6, 4) * 2,
    'view_infer': lambda x: x.view(-1, 2) ** 2,
    'reshape': lambda x: x.reshape(4, -1) * x.reshape(4, -1),
    'reshape_copy': lambda x: x.transpose(0, 2).reshape(-1) ** 2,
    'permute': lambda x: x.permute(2, 0, 1) ** 2,
    'transpose': lambda x: x.transpose(0, -1) ** 2,
    'swapaxes': lambda x: x.swapaxes(1, 2) ** 2,
    't': lambda x: x[0].t() ** 2,
    'T': lambda x: x[0].T ** 2,
    'mT': lambda x: x.mT ** 2,
    'unsqueeze': lambda x: x.unsqueeze(1).unsqueeze(-1) ** 2,
    'squeeze': lambda x: x[:, :1].squeeze() ** 2,
    'squeeze_dim': lambda x: x[:, :1].squeeze(1).squeeze(0) ** 2,
    'squeeze_dims': lambda x: x[:1, :1].squeeze((0, 1)) ** 2,
    'flatten': lambda x: x.flatten(1) ** 2,
    'flatten_range': lambda x: x.flatten(0, 1) ** 2,
    'unflatten': lambda x: x.unflatten(2, (2, 2)) ** 2,
    'expand': lambda x: x[:, :1].expand(2, 5, 4) ** 2,
    'expand_new_dims': lambda x: x.expand(3, 2, 3, 4) ** 2,
    'expand_as': lambda x: x[:1].expand_as(x) ** 2,
    'view_as': lambda x: x.view_as(x[0].reshape(-1).repeat(2)) ** 2,
    'narrow': lambda x: x.narrow(2, 1, 2) ** 2,
    'narrow_neg': lambda x: x.narrow(-1, -2, 2) ** 2,
    'movedim': lambda x: x.movedim(0, 2) ** 2,
    'movedim_multi': lambda x: x.movedim((0, 1), (2, 0)) ** 2,
    'repeat': lambda x: x.repeat(2, 1, 3) ** 2,
    'repeat_more_dims': lambda x: x.repeat(2, 1, 1, 2) ** 2,
    'tile': lambda x: x.tile((2,)) ** 2,
    'flip': lambda x: x.flip(0, 2) ** 2,
    'flip_neg': lambda x: x.flip(-1) ** 2,
    'fliplr': lambda x: x.fliplr() ** 2,
    'roll': lambda x: x.roll(1, 2) ** 2,
    'roll_multi': lambda x: x.roll((1, -2), (0, 2)) ** 2,
    'roll_flat': lambda x: x.roll(5) ** 2,
    'ravel': lambda x: x.ravel() ** 2,
    'broadcast_to': lambda x: x[:, :1].broadcast_to(2, 3, 4) ** 2,
    'reshape_as': lambda x: x.reshape_as(x.reshape(4, 2, 3)) ** 2,
    'rot90': lambda x: x.rot90() ** 2,
    'rot90_k': lambda x: x.rot90(3, (2, 0)) ** 2,
    'rot90_2': lambda x: x.rot90(-2, [1, 2]) ** 2,
    'unfold': lambda x: x.unfold(2, 2, 1) ** 2,
    'unfold_step': lambda x: x.unfold(1, 2, 2) ** 2,
    'select': lambda x: x.select(1, -1) ** 2,
    'squeeze_': lambda x: (x[:, :1] * 1).squeeze_(1) ** 2,
    'unsqueeze_': lambda x: (x * 1).unsqueeze_(0) ** 2,
    'transpose_': lambda x: (x * 1).transpose_(0, 2) ** 2,
}


@requires_torch
@pytest.mark.parametrize('name', sorted(CASES))
def test_shape_op_matches_torch(name):
    compare(CASES[name], X, second_order=True)


@requires_torch
@pytest.mark.parametrize('name', ['view', 'reshape', 'permute', 'transpose', 'unsqueeze', 'squeeze', 'flatten',
                                  'expand', 'narrow', 'movedim', 't', 'T'])
def test_views_share_memory(name):
    a = ember.zeros(2, 1, 4)
    views = {'view': lambda: a.view(8), 'reshape': lambda: a.reshape(2, 4), 'permute': lambda: a.permute(2, 1, 0),
             'transpose': lambda: a.transpose(0, 2), 'unsqueeze': lambda: a.unsqueeze(0),
             'squeeze': lambda: a.squeeze(1), 'flatten': lambda: a.flatten(), 'expand': lambda: a.expand(2, 3, 4),
             'narrow': lambda: a.narrow(2, 1, 2), 'movedim': lambda: a.movedim(0, -1),
             't': lambda: a[0].t(), 'T': lambda: a.T}
    v = views[name]()
    assert v._base is a
    a.add_(1)
    assert float(v.sum()) == v.numel()
    assert v._version == a._version


def test_reshape_copies_when_it_must():
    a = ember.arange(6.).reshape(2, 3).t()
    r = a.reshape(6)
    assert r.tolist() == [0., 3., 1., 4., 2., 5.]
    a.add_(1)
    assert r.tolist() == [0., 3., 1., 4., 2., 5.]


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda x: x.t().view(-1),                      # non-viewable strides
    lambda x: x.view(5, 5),                        # wrong numel
    lambda x: x.view(-1, -1),                      # two inferred dims
    lambda x: x.reshape(7),
    lambda x: x.unsqueeze(0).t(),                  # t() of a 3-D tensor
    lambda x: x.transpose(0, 2),
    lambda x: x.permute(0),
    lambda x: x.permute(0, 0),
    lambda x: x.squeeze(3),
    lambda x: x.expand(3, 3),
    lambda x: x.expand(2),
    lambda x: x.narrow(1, 2, 2),
    lambda x: x.repeat(2),
    lambda x: x.flatten(1, 0),
    lambda x: x.movedim((0, 1), 0),
    lambda x: x.roll((1, 2), 0),
    lambda x: x.flip(2),
    lambda x: x.unflatten(1, (2, 2)),
])
def test_shape_errors_match_torch(fn):
    compare_raises(fn, randn(2, 3))


@requires_torch
def test_grad_fn_names():
    x = ember.zeros(2, 3, requires_grad=True)
    tx = torch.zeros(2, 3, requires_grad=True)
    for f in (lambda a: a.view(6), lambda a: a.t(), lambda a: a.transpose(0, 1), lambda a: a.permute(1, 0),
              lambda a: a.unsqueeze(0), lambda a: a.expand(4, 2, 3), lambda a: a.flip(0), lambda a: a.roll(1),
              lambda a: a.t().reshape(6), lambda a: a.repeat(1, 2), lambda a: a.narrow(1, 0, 2)):
        assert f(x).grad_fn.name() == f(tx).grad_fn.name()


def test_size_object():
    s = ember.zeros(2, 3).shape
    assert isinstance(s, tuple) and isinstance(s, ember.Size)
    assert repr(s) == 'ember.Size([2, 3])' and s.numel() == 6
    assert isinstance(s[1:], ember.Size) and s[1:] == (3,)
    assert ember.zeros(s).shape == (2, 3)


@pytest.mark.parametrize('name', sorted(CASES))
def test_shape_op_gradcheck(name):
    gradcheck_case(CASES[name], (X,))
