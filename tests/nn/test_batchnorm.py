"""BatchNorm against torch: training/eval values, gradients, second order, running statistics, buffers."""
import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, compare, compare_raises, randn, assert_same, torch



def F(t):
    """``nn.functional`` of whichever library ``t`` belongs to."""
    return ember.nn.functional if isinstance(t, ember.Tensor) else torch.nn.functional


def pair(make):
    """The same layer in ember and torch, ember's parameters and buffers copied from torch's."""
    t = make(torch.nn)
    e = make(ember.nn)
    with torch.no_grad():
        for p in t.parameters():
            p.uniform_(-1, 1)
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    return e, t


@requires_torch
@pytest.mark.parametrize('shape', [(4, 3), (4, 3, 5), (2, 3, 4, 5)], ids=str)
def test_batch_norm_training(shape):
    x, w, b = randn(*shape, seed=1), randn(3, seed=2), randn(3, seed=3)
    rm, rv = np.zeros(3, np.float32), np.ones(3, np.float32)
    compare(lambda x, w, b: F(x).batch_norm(x, None, None, w, b, training=True), x, w, b, atol=1e-4)
    compare(lambda x, w: F(x).batch_norm(x, None, None, w, training=True), x, w, second_order=True, atol=1e-4)
    compare(lambda x: F(x).batch_norm(x, None, None, training=True) ** 2, x, second_order=True, atol=1e-4)
    # A bias without a weight (torch has no double backward for it; ember once overwrote its saved input here).
    compare(lambda x, b: F(x).batch_norm(x, None, None, None, b, training=True) ** 2, x, b, atol=1e-4)


@requires_torch
def test_batch_norm_eval():
    x, w, b = randn(4, 3, 5, seed=1), randn(3, seed=2), randn(3, seed=3)
    rm, rv = randn(3, seed=4), np.abs(randn(3, seed=5)) + 0.5
    fn = lambda x, w, b, rm, rv: F(x).batch_norm(x, rm.detach(), rv.detach(), w, b, training=False)
    compare(fn, x, w, b, rm, rv, atol=1e-4)
    compare(lambda x, w, rm, rv: F(x).batch_norm(x, rm.detach(), rv.detach(), w) ** 2, x, w, rm, rv,
            second_order=True, atol=1e-4)


@requires_torch
@pytest.mark.parametrize('cls,shape', [('BatchNorm1d', (5, 3)), ('BatchNorm1d', (5, 3, 4)),
                                       ('BatchNorm2d', (2, 3, 4, 4)), ('BatchNorm3d', (2, 3, 2, 3, 2))], ids=str)
@pytest.mark.parametrize('kw', [dict(), dict(momentum=None), dict(momentum=0.3, affine=False),
                                dict(track_running_stats=False), dict(eps=1e-3, bias=False)], ids=str)
def test_module_train_then_eval(cls, shape, kw):
    e, t = pair(lambda nn: getattr(nn, cls)(3, **kw))
    assert list(e.state_dict()) == list(t.state_dict())
    assert repr(e) == repr(t)
    for step in range(3):
        x = randn(*shape, seed=10 + step)
        ye, yt = e(ember.tensor(x, requires_grad=True)), t(torch.tensor(x, requires_grad=True))
        assert_same(ye, yt, atol=1e-4)
        ye.pow(2).sum().backward()
        yt.pow(2).sum().backward()
    for (n, p), (_, q) in zip(e.named_parameters(), t.named_parameters()):
        assert_same(p.grad, q.grad, atol=1e-3, what=n)
    for (n, a), (_, b) in zip(e.named_buffers(), t.named_buffers()):
        assert_same(a, b, atol=1e-5, what=n)
    e.eval()
    t.eval()
    x = randn(*shape, seed=20)
    assert_same(e(ember.tensor(x)), t(torch.tensor(x)), atol=1e-4)


@requires_torch
def test_init_and_buffers():
    e = ember.nn.BatchNorm2d(4)
    assert e.weight.tolist() == [1.0] * 4 and e.bias.tolist() == [0.0] * 4
    assert e.running_mean.tolist() == [0.0] * 4 and e.running_var.tolist() == [1.0] * 4
    assert e.num_batches_tracked.dtype == ember.int64 and int(e.num_batches_tracked) == 0
    e(ember.randn(2, 4, 3, 3))
    assert int(e.num_batches_tracked) == 1
    e.eval()
    e(ember.randn(2, 4, 3, 3))
    assert int(e.num_batches_tracked) == 1


@requires_torch
def test_state_dict_round_trip():
    e, t = pair(lambda nn: nn.BatchNorm1d(3))
    t(torch.randn(4, 3))
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    for (k, a), (_, b) in zip(e.state_dict().items(), t.state_dict().items()):
        assert_same(a, b, what=k)


def test_load_old_checkpoint_without_num_batches_tracked():
    e = ember.nn.BatchNorm1d(3)
    sd = {k: v for k, v in e.state_dict().items() if k != 'num_batches_tracked'}  # a plain dict: no metadata
    assert e.load_state_dict(sd).missing_keys == []
    current = e.state_dict()  # carries version-2 metadata: there the key is required
    del current['num_batches_tracked']
    with pytest.raises(RuntimeError):
        ember.nn.BatchNorm1d(3).load_state_dict(current)


@requires_torch
@pytest.mark.parametrize('bad', [
    lambda nn, F, x: nn.BatchNorm2d(3)(x[0]),                         # 3-D input to BatchNorm2d
    lambda nn, F, x: nn.BatchNorm1d(3)(x[:1, :, 0, 0]),               # one value per channel in training
    lambda nn, F, x: nn.BatchNorm2d(4)(x),                            # wrong channel count
    lambda nn, F, x: F.batch_norm(x, None, None, training=False),     # eval without running stats
])
def test_errors(bad):
    compare_raises(lambda x: bad(ember.nn if isinstance(x, ember.Tensor) else torch.nn, F(x), x), randn(2, 3, 4, 4))
