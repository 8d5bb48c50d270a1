"""nn.utils: clip_grad_norm_ / clip_grad_value_ / parameters_to_vector / vector_to_parameters against torch."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn
from tests.oracle import randn, requires_torch, torch


def _params_with_grads(lib, dtype=np.float32):
    shapes = [(3, 4), (4,), (2, 2, 2)]
    params = [lib.nn.Parameter(lib.tensor(randn(*s, seed=i, dtype=dtype))) for i, s in enumerate(shapes)]
    for i, p in enumerate(params):
        p.grad = lib.tensor(randn(*p.shape, seed=10 + i, dtype=dtype) * 3)
    params.append(lib.nn.Parameter(lib.ones(2, dtype=params[0].dtype)))  # no grad: skipped
    return params


@requires_torch
@pytest.mark.parametrize('norm_type', [2.0, 1, 3.5, math.inf, 'inf'])
@pytest.mark.parametrize('max_norm', [0.5, 1e4])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    e, t = _params_with_grads(ember), _params_with_grads(torch)
    norm_type = float(norm_type)
    e_total = nn.utils.clip_grad_norm_(iter(e), max_norm, norm_type)  # a generator, as model.parameters()
    t_total = torch.nn.utils.clip_grad_norm_(iter(t), max_norm, norm_type)
    assert isinstance(e_total, ember.Tensor) and e_total.ndim == 0 and e_total.dtype == ember.float32
    np.testing.assert_allclose(e_total.item(), t_total.item(), rtol=1e-5)
    for a, b in zip(e, t):
        if b.grad is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-6)


@requires_torch
def test_clip_grad_norm_float64_and_single_tensor():
    e, t = _params_with_grads(ember, np.float64), _params_with_grads(torch, np.float64)
    e_total, t_total = nn.utils.clip_grad_norm_(e[0], 1.0), torch.nn.utils.clip_grad_norm_(t[0], 1.0)
    assert e_total.dtype == ember.float64
    np.testing.assert_allclose(e_total.item(), t_total.item())
    np.testing.assert_allclose(e[0].grad.numpy(), t[0].grad.numpy())


def test_clip_grad_norm_nonfinite_and_empty():
    p = nn.Parameter(ember.ones(3))
    p.grad = ember.tensor([1.0, float('inf'), 0.0])
    with pytest.raises(RuntimeError, match='non-finite'):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert math.isinf(nn.utils.clip_grad_norm_([p], 1.0).item())
    assert nn.utils.clip_grad_norm_([nn.Parameter(ember.ones(2))], 1.0).item() == 0.0


def test_clip_grad_norm_bumps_version_and_keeps_grad_objects():
    p = nn.Parameter(ember.ones(3))
    p.grad = ember.full((3,), 10.0)
    g, version = p.grad, p.grad._version[0]
    nn.utils.clip_grad_norm_([p], 1.0)
    assert p.grad is g and g._version[0] > version
    np.testing.assert_allclose(np.linalg.norm(g.numpy()), 1.0, rtol=1e-5)


@requires_torch
def test_clip_grad_value_matches_torch():
    e, t = _params_with_grads(ember), _params_with_grads(torch)
    assert nn.utils.clip_grad_value_(e, 0.7) is None
    torch.nn.utils.clip_grad_value_(t, 0.7)
    for a, b in zip(e[:3], t[:3]):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


@requires_torch
def test_parameters_to_vector_and_back():
    e_mod, t_mod = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    t_mod.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in e_mod.state_dict().items()})
    e_vec = nn.utils.parameters_to_vector(e_mod.parameters())
    t_vec = torch.nn.utils.parameters_to_vector(t_mod.parameters())
    np.testing.assert_array_equal(e_vec.detach().numpy(), t_vec.detach().numpy())
    e_vec.sum().backward()  # differentiable, like torch's cat
    assert e_mod.weight.grad.numpy().sum() == 6
    new = ember.arange(8.0)
    nn.utils.vector_to_parameters(new, e_mod.parameters())
    np.testing.assert_array_equal(e_mod.weight.detach().numpy(), np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(e_mod.bias.detach().numpy(), [6.0, 7.0])
    assert isinstance(e_mod.weight, nn.Parameter)
    with pytest.raises(TypeError, match='expected torch.Tensor'):
        nn.utils.vector_to_parameters([1.0], e_mod.parameters())
