"""LayerNorm, GroupNorm, InstanceNorm, RMSNorm, LocalResponseNorm against torch (functional and module forms)."""
import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, compare, compare_raises, randn, to_torch, assert_same, torch



def F(t):
    """``nn.functional`` of whichever library ``t`` belongs to."""
    return ember.nn.functional if isinstance(t, ember.Tensor) else torch.nn.functional


@requires_torch
@pytest.mark.parametrize('shape,norm', [((4, 5), (5,)), ((2, 3, 4), (3, 4)), ((2, 3, 4), (4,))], ids=str)
def test_layer_norm(shape, norm):
    x, w, b = randn(*shape, seed=1), randn(*norm, seed=2), randn(*norm, seed=3)
    compare(lambda x, w, b: F(x).layer_norm(x, norm, w, b), x, w, b, atol=1e-4)
    compare(lambda x, w: F(x).layer_norm(x, norm, w, eps=1e-3), x, w, second_order=True, atol=1e-4)
    compare(lambda x: F(x).layer_norm(x, norm), x, second_order=True, atol=1e-4)
    # A bias without a weight: ember once overwrote its saved normalised input here.
    compare(lambda x, b: F(x).layer_norm(x, norm, None, b) ** 2, x, b, atol=1e-4)


@requires_torch
@pytest.mark.parametrize('shape,groups', [((2, 6, 5), 3), ((2, 4, 3, 3), 2), ((3, 4), 4), ((2, 4, 3, 3), 1)],
                         ids=str)
def test_group_norm(shape, groups):
    x, w, b = randn(*shape, seed=1), randn(shape[1], seed=2), randn(shape[1], seed=3)
    compare(lambda x, w, b: F(x).group_norm(x, groups, w, b), x, w, b, atol=1e-4)
    compare(lambda x, w: F(x).group_norm(x, groups, w), x, w, second_order=True, atol=1e-4)


@requires_torch
def test_instance_norm():
    x, w, b = randn(2, 3, 4, 5, seed=1), randn(3, seed=2), randn(3, seed=3)
    compare(lambda x, w, b: F(x).instance_norm(x, weight=w, bias=b), x, w, b, atol=1e-4)
    compare(lambda x: F(x).instance_norm(x), x, second_order=True, atol=1e-4)


@requires_torch
def test_instance_norm_running_stats():
    x = randn(2, 3, 4, 5, seed=1)
    rm, rv = np.zeros(3, np.float32), np.ones(3, np.float32)
    out = []
    for lib, wrap in ((ember, ember.tensor), (torch, torch.tensor)):
        m, v = wrap(rm.copy()), wrap(rv.copy())
        lib.nn.functional.instance_norm(wrap(x), m, v, momentum=0.2)
        out.append((m, v))
    assert_same(out[0], out[1])


@requires_torch
def test_rms_norm():
    x, w = randn(3, 4, 5, seed=1), randn(5, seed=2)
    compare(lambda x, w: F(x).rms_norm(x, (5,), w, eps=1e-6), x, w, second_order=True, atol=1e-4)


@requires_torch
@pytest.mark.parametrize('shape', [(2, 6, 5), (2, 5, 3, 3)], ids=str)
def test_local_response_norm(shape):
    compare(lambda x: F(x).local_response_norm(x, 3, alpha=0.1, k=2.0), randn(*shape, seed=4), atol=1e-4)


@requires_torch
def test_modules_match_torch():
    x = randn(2, 4, 3, 3, seed=5)
    for make in (lambda nn: nn.LayerNorm([3, 3]), lambda nn: nn.GroupNorm(2, 4), lambda nn: nn.LayerNorm(3, bias=False),
                 lambda nn: nn.InstanceNorm2d(4, affine=True), lambda nn: nn.LocalResponseNorm(2),
                 lambda nn: nn.GroupNorm(4, 4, affine=False)):
        e, t = make(ember.nn), make(torch.nn)
        assert list(e.state_dict()) == list(t.state_dict())
        assert repr(e) == repr(t)
        for (n, p), (_, q) in zip(e.named_parameters(), t.named_parameters()):
            assert_same(p, q, what=n)
        compare(lambda x: (e if isinstance(x, ember.Tensor) else t)(x), x, atol=1e-4)


@requires_torch
def test_layer_norm_module_params_grad():
    e, t = ember.nn.LayerNorm(4), torch.nn.LayerNorm(4)
    with torch.no_grad():
        t.weight.uniform_()
        t.bias.uniform_()
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    x = randn(3, 4, seed=6)
    e(ember.tensor(x)).pow(2).sum().backward()
    t(torch.tensor(x)).pow(2).sum().backward()
    assert_same(e.weight.grad, t.weight.grad, atol=1e-4)
    assert_same(e.bias.grad, t.bias.grad, atol=1e-4)


@requires_torch
@pytest.mark.parametrize('bad', [
    lambda F, x: F.layer_norm(x, (4,)),
    lambda F, x: F.group_norm(x, 4),
    lambda F, x: F.layer_norm(x, (5,), weight=x[0, 0, :4]),
])
def test_errors(bad):
    compare_raises(lambda x: bad(F(x), x), randn(2, 6, 5))


def test_gradcheck_norms():
    """Central differences in float64 (runs without torch), first and second order."""
    from ember.autograd import gradcheck, gradgradcheck
    Fe = ember.nn.functional
    r = lambda *s, seed=0: ember.tensor(np.random.default_rng(seed).standard_normal(s), dtype=ember.float64,
                                        requires_grad=True)
    x, w, b = r(2, 4, 3), r(4, seed=1), r(4, seed=2)
    for fn, args in ((lambda x, w, b: Fe.layer_norm(x, (3,), w[:3], b[:3]), (x, w, b)),
                     (lambda x, w, b: Fe.group_norm(x, 2, w, b), (x, w, b)),
                     (lambda x, w, b: Fe.batch_norm(x, None, None, w, b, training=True), (x, w, b)),
                     (lambda x, w, b: Fe.instance_norm(x, weight=w, bias=b), (x, w, b))):
        assert gradcheck(fn, args)
        assert gradgradcheck(lambda x, w, b: fn(x, w, b) ** 2, args)
