"""LBFGS with a closure, with and without the strong-Wolfe line search, against torch."""
import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, torch
from tests.optim.test_optimizers import assert_tree_close, to_ember_tree, to_torch_tree

pytestmark = requires_torch


def rosenbrock(x):
    return ((1 - x[:-1]) ** 2).sum() + (100 * (x[1:] - x[:-1] ** 2) ** 2).sum()


def run(lib, x0, steps, **opts):
    x = lib.tensor(x0, requires_grad=True)
    opt = lib.optim.LBFGS([x], **opts)
    losses = []

    def closure():
        opt.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss
    for _ in range(steps):
        losses.append(opt.step(closure).item())
    return x, opt, losses


X0 = np.array([-1.2, 1.0, 0.5, -0.3], dtype=np.float64)


@pytest.mark.parametrize('opts', [dict(), dict(history_size=3, max_iter=7), dict(line_search_fn='strong_wolfe'),
                                  dict(line_search_fn='strong_wolfe', history_size=2, lr=0.5, max_iter=10)],
                         ids=['fixed-step', 'short-history', 'strong-wolfe', 'strong-wolfe-short'])
def test_lbfgs_matches_torch(opts):
    # float64: L-BFGS amplifies rounding over many inner iterations, so compare the algorithm, not float32 noise.
    ex, eopt, elosses = run(ember, X0, 3, **opts)
    tx, topt, tlosses = run(torch, X0, 3, **opts)
    np.testing.assert_allclose(elosses, tlosses, rtol=1e-7)
    np.testing.assert_allclose(ex.detach().numpy(), tx.detach().numpy(), rtol=1e-7, atol=1e-9)
    assert_tree_close(eopt.state_dict(), topt.state_dict(), 'state_dict', rtol=1e-6, atol=1e-9)


def test_lbfgs_float32_converges_like_torch():
    ex, _, elosses = run(ember, X0.astype(np.float32), 5, line_search_fn='strong_wolfe')
    tx, _, tlosses = run(torch, X0.astype(np.float32), 5, line_search_fn='strong_wolfe')
    assert ex.dtype == ember.float32
    np.testing.assert_allclose(elosses, tlosses, rtol=1e-5)
    # Near a stall, float32 rounding (reduction order) moves where the line search stops.
    np.testing.assert_allclose(ex.detach().numpy(), tx.detach().numpy(), atol=2e-3)
    assert elosses[-1] < 0.1 * elosses[0]


def test_lbfgs_state_dict_round_trip():
    ex, eopt, _ = run(ember, X0, 1, history_size=4)
    tx, topt, _ = run(torch, X0, 1, history_size=4)
    # swap optimizers' states across libraries and continue
    ex2 = ember.tensor(tx.detach().numpy(), requires_grad=True)
    eopt2 = ember.optim.LBFGS([ex2], history_size=4)
    eopt2.load_state_dict(to_ember_tree(topt.state_dict()))
    tx2 = torch.tensor(ex.detach().numpy(), requires_grad=True)
    topt2 = torch.optim.LBFGS([tx2], history_size=4)
    topt2.load_state_dict(to_torch_tree(eopt.state_dict()))
    for x, opt, lib in ((ex2, eopt2, ember), (tx2, topt2, torch)):
        def closure(x=x, opt=opt):
            opt.zero_grad()
            loss = rosenbrock(x)
            loss.backward()
            return loss
        opt.step(closure)
    np.testing.assert_allclose(ex2.detach().numpy(), tx2.detach().numpy(), rtol=1e-7)


def test_lbfgs_rejects_groups_and_needs_closure():
    a, b = ember.zeros(2, requires_grad=True), ember.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        ember.optim.LBFGS([{'params': [a]}, {'params': [b]}])
    opt = ember.optim.LBFGS([a])
    with pytest.raises(TypeError):
        opt.step()
