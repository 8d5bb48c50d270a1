"""The Optimizer base: parameter groups, zero_grad, closures, hooks, state_dict format and errors."""
import copy

import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, torch


def leaf(*shape, seed=0):
    return ember.tensor(np.random.default_rng(seed).standard_normal(shape).astype(np.float32), requires_grad=True)


def with_grad(p, value=1.0):
    p.grad = ember.full_like(p.detach(), value)
    return p


def test_params_as_list_generator_named_pairs_and_groups():
    w, b = leaf(2, 3), leaf(3)
    assert ember.optim.SGD([w, b], lr=0.1).param_groups[0]['params'] == [w, b]
    assert ember.optim.SGD((p for p in [w, b]), lr=0.1).param_groups[0]['params'] == [w, b]
    named = ember.optim.SGD([('weight', w), ('bias', b)], lr=0.1)
    assert named.param_groups[0]['param_names'] == ['weight', 'bias']
    assert named.state_dict()['param_groups'][0]['param_names'] == ['weight', 'bias']
    groups = ember.optim.SGD([{'params': [w]}, {'params': b, 'lr': 0.01}], lr=0.1, momentum=0.9)
    assert [g['lr'] for g in groups.param_groups] == [0.1, 0.01]
    assert [g['momentum'] for g in groups.param_groups] == [0.9, 0.9]


def test_per_group_learning_rates_apply():
    w, b = with_grad(leaf(2)), with_grad(leaf(2, seed=1))
    w0, b0 = w.detach().numpy().copy(), b.detach().numpy().copy()
    ember.optim.SGD([{'params': [w]}, {'params': [b], 'lr': 0.01}], lr=1.0).step()
    np.testing.assert_allclose(w.detach().numpy(), w0 - 1.0)
    np.testing.assert_allclose(b.detach().numpy(), b0 - 0.01, rtol=1e-6)


def test_bad_params_raise():
    w = leaf(2)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        ember.optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts"):
        ember.optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        ember.optim.SGD([{'params': {w}}], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        ember.optim.SGD([w, 3.0], lr=0.1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        ember.optim.SGD([w * 2], lr=0.1)
    with pytest.raises(ValueError, match="Some param names are missing"):
        ember.optim.SGD([('w', w), leaf(3)], lr=0.1)


def test_parameter_in_two_groups_raises():
    w, b = leaf(2), leaf(2)
    opt = ember.optim.Adam([w], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({'params': [b, w]})
    opt.add_param_group({'params': [b], 'lr': 0.5})
    assert opt.param_groups[1]['lr'] == 0.5 and opt.param_groups[1]['betas'] == (0.9, 0.999)
    with pytest.raises(ValueError, match="with/without names"):
        opt.add_param_group({'params': [('c', leaf(1))]})


def test_required_default_must_be_given():
    from ember.optim.optimizer import required

    class Custom(ember.optim.Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, dict(lr=lr))
    with pytest.raises(ValueError, match="didn't specify a value of required optimization parameter lr"):
        Custom([leaf(2)])
    assert Custom([leaf(2)], lr=0.1).param_groups[0]['lr'] == 0.1


def test_zero_grad_to_none_and_to_zero():
    w = with_grad(leaf(3), 2.0)
    opt = ember.optim.SGD([w], lr=0.1)
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.numpy(), np.zeros(3, np.float32))
    opt.zero_grad()
    assert w.grad is None


def test_step_skips_params_without_grad_and_records_no_graph():
    w, frozen = with_grad(leaf(3)), leaf(3, seed=1)
    before = frozen.detach().numpy().copy()
    opt = ember.optim.Adam([w, frozen], lr=0.1)
    opt.step()
    np.testing.assert_array_equal(frozen.detach().numpy(), before)
    assert frozen not in opt.state and w in opt.state
    assert w.is_leaf and w.grad_fn is None and w.requires_grad


def test_step_returns_closure_loss_computed_with_grad():
    w = leaf(3)
    opt = ember.optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        assert ember.is_grad_enabled()
        loss.backward()
        return loss
    before = w.detach().numpy().copy()
    loss = opt.step(closure)
    assert loss.item() == pytest.approx(float((before ** 2).sum()), rel=1e-6)
    np.testing.assert_allclose(w.detach().numpy(), before - 0.1 * 2 * before, rtol=1e-6)
    assert opt.step() is None


@requires_torch
def test_step_bumps_version_like_torch():
    """A graph that saved the parameter refuses to backward after the step updated it in place."""
    for lib in (ember, torch):
        w = lib.ones(3, requires_grad=True)
        loss = (w * w).sum()
        w.grad = lib.ones(3)
        lib.optim.SGD([w], lr=0.1).step()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            loss.backward()


def test_step_hooks_order_arguments_and_removal():
    w = with_grad(leaf(2))
    opt = ember.optim.SGD([w], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(('pre', o is opt)))
    h2 = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(('post', o is opt)))
    from ember.optim.optimizer import register_optimizer_step_pre_hook
    g = register_optimizer_step_pre_hook(lambda o, a, k: calls.append(('global', True)))
    opt.step()
    assert calls == [('global', True), ('pre', True), ('post', True)]
    h1.remove(), h2.remove(), g.remove()
    opt.step()
    assert len(calls) == 3


def test_pre_hook_can_replace_arguments():
    w = leaf(2)
    opt = ember.optim.SGD([w], lr=0.1)
    opt.register_step_pre_hook(lambda o, args, kwargs: ((), {'closure': lambda: 42}))
    assert opt.step() == 42


def test_state_dict_hooks():
    w = with_grad(leaf(2))
    opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
    opt.step()
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, 'extra': 1})
    assert opt.state_dict()['extra'] == 1
    seen = []
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append('pre'))
    opt.register_load_state_dict_post_hook(lambda o: seen.append('post'))
    opt.load_state_dict(opt.state_dict())
    assert seen == ['pre', 'post']


def test_state_dict_format_and_load_copies():
    w, b, c = (with_grad(leaf(2, seed=i)) for i in range(3))
    opt = ember.optim.Adam([{'params': [w]}, {'params': [b, c], 'lr': 0.5}], lr=0.1)
    opt.step()
    sd = opt.state_dict()
    assert [g['params'] for g in sd['param_groups']] == [[0], [1, 2]]
    assert set(sd['state']) == {0, 1, 2}
    assert sd['state'][0]['step'].dtype == ember.float32 and sd['state'][0]['step'].ndim == 0
    w2, b2, c2 = (leaf(2, seed=i) for i in range(3))
    opt2 = ember.optim.Adam([{'params': [w2]}, {'params': [b2, c2]}], lr=0.1)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[1]['lr'] == 0.5 and opt2.param_groups[1]['params'] == [b2, c2]
    assert opt2.state[c2]['exp_avg'] is not opt.state[c]['exp_avg']
    np.testing.assert_array_equal(opt2.state[c2]['exp_avg'].numpy(), opt.state[c]['exp_avg'].numpy())


@requires_torch
def test_load_state_dict_mismatch_raises_like_torch():
    for lib in (ember, torch):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(2, requires_grad=True)
        sd = lib.optim.SGD([{'params': [a]}, {'params': [b]}], lr=0.1).state_dict()
        with pytest.raises(ValueError, match="different number of parameter groups"):
            lib.optim.SGD([a, b], lr=0.1).load_state_dict(sd)
        sd = lib.optim.SGD([a], lr=0.1).state_dict()
        with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
            lib.optim.SGD([a, b], lr=0.1).load_state_dict(sd)


@requires_torch
def test_repr_matches_torch():
    e = ember.optim.AdamW([ember.zeros(2, requires_grad=True)], lr=0.1)
    t = torch.optim.AdamW([torch.zeros(2, requires_grad=True)], lr=0.1)
    assert repr(e) == repr(t)


def test_deepcopy_keeps_state_separate():
    w = with_grad(leaf(3))
    opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
    opt.step()
    clone = copy.deepcopy(opt)
    clone.state[clone.param_groups[0]['params'][0]]['momentum_buffer']._data[:] = 0
    assert float(opt.state[w]['momentum_buffer'].sum()) != 0


@pytest.mark.parametrize('name', ['SGD', 'Adam', 'AdamW', 'Adamax', 'NAdam', 'RAdam', 'RMSprop', 'Adagrad',
                                  'Adadelta', 'ASGD', 'Rprop'])
def test_trains_nn_module_with_grad_clipping(name):
    """Every optimizer drives a small nn model's loss down, with clip_grad_norm_ applied before each step."""
    nn = ember.nn
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
    lr = {'Adadelta': 1.0, 'Rprop': 0.01, 'Adagrad': 0.1, 'SGD': 0.1, 'ASGD': 0.1}.get(name, 0.01)
    opt = getattr(ember.optim, name)(model.parameters(), lr=lr)
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((32, 3)).astype(np.float32))
    y = ember.tensor(rng.standard_normal((32, 1)).astype(np.float32))
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        clipped = sum(float((p.grad ** 2).sum()) for p in model.parameters()) ** 0.5
        assert clipped <= 1.0 + 1e-5
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
