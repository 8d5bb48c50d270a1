"""Convolutions against torch: values, input/weight/bias gradients, second-order gradients, errors."""
import math

import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, assert_same, compare, compare_raises, randn, torch



def F(mod):
    """``nn.functional`` of whichever library ``mod`` tensors belong to."""
    return ember.nn.functional if isinstance(mod, ember.Tensor) else torch.nn.functional


CONV2D = [
    dict(x=(2, 3, 7, 6), w=(4, 3, 3, 3)),
    dict(x=(2, 4, 8, 7), w=(6, 2, 3, 2), stride=2, padding=1, dilation=(2, 1), groups=2),
    dict(x=(1, 3, 9, 9), w=(2, 3, 4, 4), stride=(2, 3), padding=(2, 0)),
    dict(x=(2, 2, 6, 6), w=(3, 2, 3, 3), padding='same', dilation=2),
    dict(x=(2, 2, 6, 5), w=(3, 2, 2, 4), padding='same'),
    dict(x=(2, 2, 6, 5), w=(3, 2, 2, 2), padding='valid'),
    dict(x=(3, 4, 5, 5), w=(4, 1, 3, 3), groups=4, padding=1),
    dict(x=(3, 5, 5), w=(2, 3, 2, 2)),  # unbatched
    dict(x=(2, 4, 5, 20), w=(4, 2, 3, 3), padding=1, groups=2),  # wide maps: batch-middle columns
    dict(x=(2, 2, 4, 40), w=(3, 2, 2, 3), stride=(1, 2), dilation=(2, 1)),
]


@requires_torch
@pytest.mark.parametrize('cfg', CONV2D, ids=str)
@pytest.mark.parametrize('bias', [True, False])
def test_conv2d(cfg, bias):
    cfg = dict(cfg)
    x, w = randn(*cfg.pop('x'), seed=1), randn(*cfg.pop('w'), seed=2)
    b = randn(w.shape[0], seed=3) if bias else None
    # torch marks the (constant) second-order bias gradient as requiring grad; ember does not: skip that pairing.
    compare(lambda x, w, b: F(x).conv2d(x, w, b, **cfg), x, w, b, second_order=not bias, atol=1e-4)


@requires_torch
@pytest.mark.parametrize('cfg', [dict(), dict(stride=2, padding=2, dilation=2), dict(groups=2, padding='same'),
                                 dict(stride=3)], ids=str)
def test_conv1d(cfg):
    x, w, b = randn(2, 4, 11, seed=1), randn(6, 4 // cfg.get('groups', 1), 3, seed=2), randn(6, seed=3)
    compare(lambda x, w, b: F(x).conv1d(x, w, b, **cfg), x, w, b, atol=1e-4)
    compare(lambda x, w: F(x).conv1d(x, w, **cfg), x, w, second_order=True, atol=1e-4)


@requires_torch
def test_conv3d():
    x, w, b = randn(2, 2, 4, 5, 4, seed=1), randn(3, 2, 2, 3, 2, seed=2), randn(3, seed=3)
    compare(lambda x, w, b: F(x).conv3d(x, w, b, stride=(1, 2, 1), padding=1), x, w, b, atol=1e-4)
    compare(lambda x, w: F(x).conv3d(x, w, stride=(1, 2, 1), padding=1), x, w, second_order=True, atol=1e-4)


CONVT = [
    dict(x=(2, 3, 4, 5), w=(3, 2, 3, 3)),
    dict(x=(2, 4, 4, 4), w=(4, 3, 3, 2), stride=2, padding=1, output_padding=1, groups=2),
    dict(x=(1, 2, 3, 5), w=(2, 2, 3, 3), stride=(2, 3), padding=(2, 1), output_padding=(0, 2), dilation=1),
    dict(x=(2, 2, 3, 3), w=(2, 3, 2, 2), stride=2, dilation=2, output_padding=1),
    dict(x=(2, 3, 3), w=(2, 2, 3, 3), padding=1),  # unbatched
    dict(x=(1, 4, 3, 17), w=(4, 1, 3, 3), stride=2, padding=1, groups=2),  # wide maps: batch-middle columns
]


@requires_torch
@pytest.mark.parametrize('cfg', CONVT, ids=str)
def test_conv_transpose2d(cfg):
    cfg = dict(cfg)
    x, w = randn(*cfg.pop('x'), seed=1), randn(*cfg.pop('w'), seed=2)
    b = randn(w.shape[1] * cfg.get('groups', 1), seed=3)
    compare(lambda x, w, b: F(x).conv_transpose2d(x, w, b, **cfg), x, w, b, atol=1e-4)
    compare(lambda x, w: F(x).conv_transpose2d(x, w, **cfg), x, w, second_order=True, atol=1e-4)


@requires_torch
def test_conv_transpose1d():
    x, w = randn(2, 3, 5, seed=1), randn(3, 2, 3, seed=2)
    compare(lambda x, w: F(x).conv_transpose1d(x, w, stride=2, padding=1, output_padding=1), x, w,
            second_order=True, atol=1e-4)


@requires_torch
def test_conv_float64_gradcheck_style():
    x, w = randn(1, 2, 5, 5, seed=1, dtype=np.float64), randn(2, 2, 3, 3, seed=2, dtype=np.float64)
    compare(lambda x, w: F(x).conv2d(x, w, stride=2, padding=1), x, w, second_order=True)


@requires_torch
def test_wrong_channels_message():
    x, w = randn(1, 2, 5, 5), randn(6, 3, 5, 5)
    e = compare_raises(lambda x, w: F(x).conv2d(x, w), x, w)
    assert "Given groups=1, weight of size [6, 3, 5, 5], expected input[1, 2, 5, 5] to have 3 channels, but got " \
           "2 channels instead" in str(e)


@requires_torch
def test_kernel_too_large_message():
    x, w = randn(1, 3, 4, 4), randn(6, 3, 5, 5)
    e = compare_raises(lambda x, w: F(x).conv2d(x, w), x, w)
    assert "Calculated padded input size per channel: (4 x 4). Kernel size: (5 x 5)" in str(e)


@requires_torch
@pytest.mark.parametrize('bad', [
    lambda F, x, w: F.conv2d(x[0, 0], w),                      # 2-D input
    lambda F, x, w: F.conv2d(x, w, stride=2, padding='same'),  # 'same' with stride
    lambda F, x, w: F.conv2d(x, w, groups=2),                  # channels not divisible
    lambda F, x, w: F.conv2d(x, w, bias=w[0, 0, 0, :2]),       # bias of the wrong size
    lambda F, x, w: F.conv2d(x.double(), w),                   # dtype mismatch
])
def test_errors(bad):
    x, w = randn(1, 3, 6, 6), randn(3, 3, 3, 3)
    compare_raises(lambda x, w: bad(F(x), x, w), x, w)


# ---- modules --------------------------------------------------------------------------------------

def _copy_params(e, t):
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})


MODULES = [
    ('Conv1d', (3, 4, 3), dict(stride=2, padding=1), (2, 3, 9)),
    ('Conv2d', (1, 6, 5), dict(), (2, 1, 12, 12)),
    ('Conv2d', (4, 6, 3), dict(padding='same', dilation=2, groups=2, bias=False), (2, 4, 7, 7)),
    ('Conv2d', (2, 3, (3, 2)), dict(padding=(1, 2), padding_mode='reflect'), (2, 2, 6, 7)),
    ('Conv2d', (2, 3, 3), dict(padding=1, padding_mode='circular'), (2, 2, 5, 5)),
    ('Conv2d', (2, 3, 4), dict(padding='same', padding_mode='replicate'), (2, 2, 6, 6)),
    ('Conv3d', (2, 3, 2), dict(padding=1), (1, 2, 3, 4, 3)),
    ('ConvTranspose1d', (3, 2, 3), dict(stride=2), (2, 3, 5)),
    ('ConvTranspose2d', (4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2), (2, 4, 4, 5)),
    ('ConvTranspose3d', (2, 2, 2), dict(stride=2), (1, 2, 2, 3, 2)),
]


@requires_torch
@pytest.mark.parametrize('name,args,kw,shape', MODULES, ids=[f"{m[0]}-{m[2]}" for m in MODULES])
def test_module_matches_torch(name, args, kw, shape):
    t = getattr(torch.nn, name)(*args, **kw)
    e = getattr(ember.nn, name)(*args, **kw)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    assert [tuple(p.shape) for p in e.parameters()] == [tuple(p.shape) for p in t.parameters()]
    _copy_params(e, t)
    x = randn(*shape, seed=4)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = e(xe), t(xt)
    assert_same(ye, yt, atol=1e-4)
    ye.pow(2).sum().backward()
    yt.pow(2).sum().backward()
    assert_same(xe.grad, xt.grad, atol=1e-3)
    for (n, p), (_, q) in zip(e.named_parameters(), t.named_parameters()):
        assert_same(p.grad, q.grad, atol=1e-3, rtol=1e-3, what=n)


@requires_torch
def test_conv_transpose_output_size():
    t = torch.nn.ConvTranspose2d(2, 3, 3, stride=2)
    e = ember.nn.ConvTranspose2d(2, 3, 3, stride=2)
    _copy_params(e, t)
    x = randn(1, 2, 4, 4)
    assert_same(e(ember.tensor(x), output_size=[10, 10]), t(torch.tensor(x), output_size=[10, 10]), atol=1e-4)
    with pytest.raises(ValueError):
        e(ember.tensor(x), output_size=[12, 12])


@requires_torch
def test_default_init_bounds():
    ember.manual_seed(0)
    conv = ember.nn.Conv2d(8, 16, 3)
    bound = 1 / math.sqrt(8 * 9)  # kaiming_uniform_(a=sqrt(5)) gives 1/sqrt(fan_in) for the weight too
    w, b = conv.weight.detach().numpy(), conv.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound  # the std of U(-b, b)
    convt = ember.nn.ConvTranspose2d(4, 6, 3)
    assert np.abs(convt.weight.detach().numpy()).max() <= 1 / math.sqrt(6 * 9)  # fan_in is dim 1 * kernel


@requires_torch
@pytest.mark.parametrize('bad', [
    lambda nn: nn.Conv2d(4, 6, 3, groups=3),
    lambda nn: nn.Conv2d(4, 6, 3, groups=4),
    lambda nn: nn.Conv2d(4, 6, 3, padding='full'),
    lambda nn: nn.Conv2d(4, 6, 3, stride=2, padding='same'),
    lambda nn: nn.Conv2d(4, 6, 3, padding_mode='mirror'),
    lambda nn: nn.ConvTranspose2d(4, 6, 3, padding_mode='reflect'),
])
def test_module_construction_errors(bad):
    with pytest.raises(ValueError):
        bad(torch.nn)
    with pytest.raises(ValueError):
        bad(ember.nn)


# ---- gradcheck (central differences in float64; runs without torch) -----------------------------

def _r(*shape, seed=0):
    return ember.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=ember.float64,
                        requires_grad=True)


def test_gradcheck_conv():
    from ember.autograd import gradcheck, gradgradcheck
    x, w, b = _r(2, 4, 5, 5), _r(4, 2, 3, 2, seed=1), _r(4, seed=2)
    assert gradcheck(lambda x, w, b: ember.nn.functional.conv2d(x, w, b, stride=2, padding=1, groups=2), (x, w, b))
    assert gradgradcheck(lambda x, w: ember.nn.functional.conv2d(x, w, padding=(0, 1), dilation=2, groups=2), (x, w))
    wt = _r(4, 3, 3, 3, seed=3)
    assert gradcheck(lambda x, w: ember.nn.functional.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1),
                     (x, wt))
    assert gradgradcheck(lambda x, w: ember.nn.functional.conv_transpose2d(x, w, stride=2, padding=1), (x, wt))
