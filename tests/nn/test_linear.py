"""Linear, Bilinear and Identity against torch: outputs, input/parameter gradients, initialisation, errors."""
import math

import numpy as np
import pytest

import ember
from tests.oracle import compare, compare_raises, randn, requires_torch, torch


def _load_into_torch(e_mod, t_mod):
    """Copy an ember module's weights into the torch module of the same architecture."""
    t_mod.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in e_mod.state_dict().items()})


def _compare_modules(e_mod, t_mod, *inputs, atol=1e-5):
    """Same weights, same inputs: outputs, input gradients and parameter gradients agree."""
    _load_into_torch(e_mod, t_mod)
    e_in = [ember.tensor(x, requires_grad=True) for x in inputs]
    t_in = [torch.tensor(x, requires_grad=True) for x in inputs]
    e_out, t_out = e_mod(*e_in), t_mod(*t_in)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-5, atol=atol)
    up = randn(*t_out.shape, seed=5)
    e_out.backward(ember.tensor(up))
    t_out.backward(torch.tensor(up))
    for a, b in zip(e_in, t_in):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=atol * 10)
    e_params, t_params = dict(e_mod.named_parameters()), dict(t_mod.named_parameters())
    assert list(e_params) == list(t_params)
    for name in t_params:
        np.testing.assert_allclose(e_params[name].grad.numpy(), t_params[name].grad.numpy(), rtol=1e-4,
                                   atol=atol * 10, err_msg=name)


@requires_torch
@pytest.mark.parametrize('shape', [(4, 3), (2, 5, 3), (3,), (2, 2, 2, 3)])
@pytest.mark.parametrize('bias', [True, False])
def test_linear_module_matches_torch(shape, bias):
    _compare_modules(ember.nn.Linear(3, 4, bias=bias), torch.nn.Linear(3, 4, bias=bias), randn(*shape))


@requires_torch
@pytest.mark.parametrize('bias', [True, False])
@pytest.mark.parametrize('shape', [(4, 3), (3,), (2, 2, 3)])
def test_functional_linear_second_order(bias, shape):
    args = [randn(*shape), randn(2, 3, seed=1)] + ([randn(2, seed=2)] if bias else [])
    fn = lambda x, w, *b: (ember if isinstance(x, ember.Tensor) else torch).nn.functional.linear(x, w, *b)  # noqa
    compare(fn, *args, second_order=True)
    compare(fn, *[a.astype(np.float64) for a in args], second_order=True)


def test_linear_grad_fn_is_one_node():
    x = ember.randn(4, 3, requires_grad=True)
    assert ember.nn.functional.linear(x, ember.randn(2, 3), ember.randn(2)).grad_fn.name() == 'AddmmBackward0'
    assert ember.nn.functional.linear(x, ember.randn(2, 3)).grad_fn.name() == 'MmBackward0'


@requires_torch
def test_linear_shape_error_names_both_shapes():
    lin = lambda x, w: (ember if isinstance(x, ember.Tensor) else torch).nn.functional.linear(x, w)  # noqa
    err = compare_raises(lin, randn(4, 3), randn(2, 5))
    assert "mat1 and mat2 shapes cannot be multiplied (4x3 and 5x2)" in str(err)
    err = compare_raises(lin, randn(2, 4, 3), randn(2, 5))
    assert "(8x3 and 5x2)" in str(err)
    err = compare_raises(lin, randn(4, 5, dtype=np.float64), randn(2, 5))
    assert "double != float" in str(err)


def test_linear_module_wrong_features():
    with pytest.raises(RuntimeError, match=r"\(4x3 and 5x2\)"):
        ember.nn.Linear(5, 2)(ember.randn(4, 3))


@requires_torch
@pytest.mark.parametrize('bias', [True, False])
def test_bilinear_matches_torch(bias):
    _compare_modules(ember.nn.Bilinear(3, 2, 4, bias=bias), torch.nn.Bilinear(3, 2, 4, bias=bias),
                     randn(5, 3), randn(5, 2, seed=1))
    _compare_modules(ember.nn.Bilinear(3, 2, 4, bias=bias), torch.nn.Bilinear(3, 2, 4, bias=bias),
                     randn(2, 5, 3), randn(2, 5, 2, seed=1))


@requires_torch
def test_reprs_and_shapes_match_torch():
    for args in [(3, 4), (3, 4, False)]:
        e, t = ember.nn.Linear(*args), torch.nn.Linear(*args)
        assert repr(e) == repr(t)
        assert [(k, tuple(v.shape)) for k, v in e.state_dict().items()] == \
            [(k, tuple(v.shape)) for k, v in t.state_dict().items()]
    assert repr(ember.nn.Bilinear(2, 3, 4)) == repr(torch.nn.Bilinear(2, 3, 4))
    assert repr(ember.nn.Identity(3, foo=1)) == repr(torch.nn.Identity(3, foo=1))


def test_identity_returns_input():
    x = ember.randn(2)
    assert ember.nn.Identity()(x) is x


def test_linear_init_bounds_and_spread():
    fan_in = 50
    lin = ember.nn.Linear(fan_in, 400)
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) gives the same bound as the bias
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound  # std of U(-b, b) is b / sqrt(3)
    assert abs(w.mean()) < 0.02 * bound
    assert lin.weight.requires_grad and lin.weight.dtype == ember.float32


def test_linear_dtype_and_reset_parameters():
    lin = ember.nn.Linear(3, 2, dtype=ember.float64)
    assert lin.weight.dtype == ember.float64 and lin.bias.dtype == ember.float64
    before = lin.weight.detach().numpy().copy()
    lin.reset_parameters()
    assert not np.allclose(before, lin.weight.detach().numpy())


def test_bilinear_init_bounds():
    bil = ember.nn.Bilinear(16, 3, 50)
    bound = 1 / math.sqrt(16)
    assert np.abs(bil.weight.detach().numpy()).max() <= bound
    assert np.abs(bil.bias.detach().numpy()).max() <= bound


def test_gradcheck_linear_and_bilinear():
    from ember.autograd import gradcheck, gradgradcheck
    rng = np.random.default_rng(0)
    x, w, b = (ember.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 3, 4), (5, 4), (5,)))
    assert gradcheck(ember.nn.functional.linear, (x, w, b))
    assert gradgradcheck(ember.nn.functional.linear, (x, w, b))
    x2, wb = (ember.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 3, 2), (5, 4, 2)))
    assert gradcheck(ember.nn.functional.bilinear, (x, x2, wb, b))
