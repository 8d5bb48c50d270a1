"""Every algorithm and option against torch.optim: parameters and state after several steps, state_dict round trips."""
import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, torch

pytestmark = requires_torch

SHAPES = [(3, 4), (4,), (2, 1, 3)]
STEPS = 6

# (class name, options) -- every option of every algorithm appears at least once.
CASES = [
    ('SGD', dict(lr=0.1)),
    ('SGD', dict(lr=0.1, momentum=0.9)),
    ('SGD', dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ('SGD', dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True)),
    ('Adam', dict(lr=0.01)),
    ('Adam', dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ('Adam', dict(lr=0.01, amsgrad=True, maximize=True)),
    ('Adam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ('AdamW', dict(lr=0.01)),
    ('AdamW', dict(lr=0.01, weight_decay=0.5, amsgrad=True)),
    ('Adamax', dict(lr=0.01)),
    ('Adamax', dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ('NAdam', dict(lr=0.01)),
    ('NAdam', dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ('NAdam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ('RAdam', dict(lr=0.01)),
    ('RAdam', dict(lr=0.01, betas=(0.9, 0.5), weight_decay=0.1)),   # beta2=0.5: rho_t > 5 from step 2
    ('RAdam', dict(lr=0.01, betas=(0.9, 0.5), weight_decay=0.1, decoupled_weight_decay=True)),
    ('RMSprop', dict(lr=0.01)),
    ('RMSprop', dict(lr=0.01, alpha=0.9, centered=True, weight_decay=0.1)),
    ('RMSprop', dict(lr=0.01, momentum=0.9, centered=True, maximize=True)),
    ('Adagrad', dict(lr=0.1)),
    ('Adagrad', dict(lr=0.1, lr_decay=0.1, initial_accumulator_value=0.5, weight_decay=0.1)),
    ('Adadelta', dict()),
    ('Adadelta', dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)),
    ('ASGD', dict(lr=0.05)),
    ('ASGD', dict(lr=0.05, lambd=0.01, alpha=0.5, t0=2, weight_decay=0.1)),
    ('Rprop', dict(lr=0.05)),
    ('Rprop', dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.1), maximize=True)),
    ('Adafactor', dict(lr=0.01)),
    ('Adafactor', dict(lr=0.5, beta2_decay=-0.5, eps=(1e-3, 1e-2), d=1.5, weight_decay=0.1, maximize=True)),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in opts.items()) or 'default'}" for name, opts in CASES]


def make_data(seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    # Gradients with repeated signs and sign flips (Rprop), and one step where a parameter has no grad.
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(STEPS)]
    grads[2][1] = None
    return init, grads


def to_torch_tree(x):
    """An ember state_dict (or any value in it) with torch tensors in place of ember ones."""
    if isinstance(x, ember.Tensor):
        return torch.from_numpy(np.array(x.detach().numpy(), copy=True))
    if isinstance(x, dict):
        return {k: to_torch_tree(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(to_torch_tree(v) for v in x)
    return x


def to_ember_tree(x):
    """A torch state_dict with ember tensors in place of torch ones."""
    if isinstance(x, torch.Tensor):
        return ember.from_numpy(np.array(x.detach().numpy(), copy=True))
    if isinstance(x, dict):
        return {k: to_ember_tree(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(to_ember_tree(v) for v in x)
    return x


def assert_tree_close(e, t, what, rtol=1e-5, atol=1e-6):
    """Compare an ember state tree with torch's: same keys, dtypes, shapes and values."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{what}: ember has {type(e).__name__}, torch a tensor"
        assert e.dtype.name == str(t.dtype).replace('torch.', ''), f"{what}: dtype {e.dtype} vs {t.dtype}"
        assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} vs {tuple(t.shape)}"
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol, err_msg=what)
    elif isinstance(t, dict):
        assert set(e) == set(t), f"{what}: keys {sorted(map(str, e))} vs {sorted(map(str, t))}"
        for k in t:
            assert_tree_close(e[k], t[k], f"{what}[{k!r}]", rtol, atol)
    elif isinstance(t, (list, tuple)):
        assert len(e) == len(t), f"{what}: length {len(e)} vs {len(t)}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_tree_close(a, b, f"{what}[{i}]", rtol, atol)
    elif isinstance(t, float):
        assert e == pytest.approx(t, rel=rtol, abs=atol), f"{what}: {e} vs {t}"
    else:
        assert e == t, f"{what}: {e!r} vs {t!r}"


def make_pair(name, opts, init, groups=False):
    e_params = [ember.tensor(a, requires_grad=True) for a in init]
    t_params = [torch.tensor(a, requires_grad=True) for a in init]
    if groups:  # weights and the rest in two groups, the second with its own lr
        split = lambda ps: [{'params': ps[:1]}, {'params': ps[1:], 'lr': opts.get('lr', 1.0) * 0.5}]
        e_opt, t_opt = getattr(ember.optim, name)(split(e_params), **opts), getattr(torch.optim, name)(
            split(t_params), **opts)
    else:
        e_opt, t_opt = getattr(ember.optim, name)(e_params, **opts), getattr(torch.optim, name)(t_params, **opts)
    return e_params, t_params, e_opt, t_opt


def run_steps(e_params, t_params, e_opt, t_opt, grads):
    for step_grads in grads:
        for ep, tp, g in zip(e_params, t_params, step_grads):
            ep.grad = None if g is None else ember.tensor(g)
            tp.grad = None if g is None else torch.tensor(g)
        e_opt.step()
        t_opt.step()


def assert_same_state(e_params, t_params, e_opt, t_opt):
    for i, (ep, tp) in enumerate(zip(e_params, t_params)):
        np.testing.assert_allclose(ep.detach().numpy(), tp.detach().numpy(), rtol=1e-5, atol=1e-6,
                                   err_msg=f"param {i}")
    assert_tree_close(e_opt.state_dict(), t_opt.state_dict(), 'state_dict')


@pytest.mark.parametrize('name,opts', CASES, ids=IDS)
def test_trajectory_matches_torch(name, opts):
    init, grads = make_data()
    pair = make_pair(name, opts, init)
    run_steps(*pair, grads)
    assert_same_state(*pair)


@pytest.mark.parametrize('name', sorted({name for name, _ in CASES}))
def test_param_groups_match_torch(name):
    opts = next(o for n, o in CASES if n == name and o)
    init, grads = make_data(seed=1)
    pair = make_pair(name, opts, init, groups=True)
    run_steps(*pair, grads)
    assert_same_state(*pair)


@pytest.mark.parametrize('name,opts', CASES[::2], ids=IDS[::2])
def test_state_dict_round_trip_with_torch(name, opts):
    """ember -> torch and torch -> ember mid-trajectory: the next steps agree."""
    init, grads = make_data(seed=2)
    e_params, t_params, e_opt, t_opt = make_pair(name, opts, init)
    run_steps(e_params, t_params, e_opt, t_opt, grads[:3])
    # Fresh optimizers on the other side, loaded from the converted state dicts.
    e2_params, t2_params, e2_opt, t2_opt = make_pair(name, opts, [p.detach().numpy() for p in e_params])
    t2_opt.load_state_dict(to_torch_tree(e_opt.state_dict()))
    e2_opt.load_state_dict(to_ember_tree(t_opt.state_dict()))
    run_steps(e_params, t2_params, e_opt, t2_opt, grads[3:])
    assert_same_state(e_params, t2_params, e_opt, t2_opt)
    run_steps(e2_params, t_params, e2_opt, t_opt, grads[3:])
    assert_same_state(e2_params, t_params, e2_opt, t_opt)


def test_float64_params_keep_their_dtype():
    init, grads = make_data(dtype=np.float64)
    pair = make_pair('Adam', dict(lr=0.01, amsgrad=True), init)
    run_steps(*pair, grads)
    assert_same_state(*pair)
    assert pair[0][0].dtype == ember.float64


def test_complex_params_match_torch():
    rng = np.random.default_rng(3)
    init = [(rng.standard_normal(4) + 1j * rng.standard_normal(4)).astype(np.complex64)]
    grads = [[(rng.standard_normal(4) + 1j * rng.standard_normal(4)).astype(np.complex64)] for _ in range(4)]
    for name, opts in [('Adam', dict(lr=0.1)), ('RMSprop', dict(lr=0.1, centered=True)), ('Rprop', dict(lr=0.1))]:
        pair = make_pair(name, opts, init)
        run_steps(*pair, grads)
        assert_same_state(*pair)


BAD_ARGS = [
    ('SGD', dict(lr=-0.1)), ('SGD', dict(momentum=-0.5)), ('SGD', dict(weight_decay=-1)),
    ('SGD', dict(nesterov=True)), ('SGD', dict(momentum=0.9, dampening=0.1, nesterov=True)),
    ('Adam', dict(eps=-1e-8)), ('Adam', dict(betas=(1.0, 0.999))), ('Adam', dict(betas=(0.9, -0.1))),
    ('Adam', dict(weight_decay=-0.1)), ('AdamW', dict(lr=-1)), ('Adamax', dict(betas=(0.9, 1.0))),
    ('NAdam', dict(momentum_decay=-1)), ('RAdam', dict(eps=-1)), ('RMSprop', dict(alpha=-0.1)),
    ('RMSprop', dict(momentum=-0.1)), ('Adagrad', dict(lr_decay=-1)),
    ('Adagrad', dict(initial_accumulator_value=-1)), ('Adadelta', dict(rho=1.5)), ('ASGD', dict(weight_decay=-1)),
    ('Rprop', dict(etas=(1.2, 0.5))), ('LBFGS', dict(lr=-1)), ('Adafactor', dict(beta2_decay=0.5)),
    ('Adafactor', dict(eps=(None, -1))), ('Adafactor', dict(d=0.5)),
]


@pytest.mark.parametrize('name,opts', BAD_ARGS, ids=[f"{n}-{o}" for n, o in BAD_ARGS])
def test_invalid_hyperparameters_raise_like_torch(name, opts):
    with pytest.raises(ValueError) as t_err:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **opts)
    with pytest.raises(ValueError) as e_err:
        getattr(ember.optim, name)([ember.zeros(2, requires_grad=True)], **opts)
    assert str(e_err.value) == str(t_err.value)


@pytest.mark.parametrize('name', ['SGD', 'Adam', 'RMSprop', 'Adagrad', 'Rprop'])
def test_defaults_match_torch(name):
    e = getattr(ember.optim, name)([ember.zeros(2, requires_grad=True)], lr=0.1)
    t = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], lr=0.1)
    assert e.defaults == t.defaults
    assert_tree_close(e.state_dict(), t.state_dict(), 'fresh state_dict')


def test_torch_state_dict_loads_without_conversion():
    """A torch state_dict (torch tensors inside, e.g. from a torch checkpoint) loads into ember directly."""
    init, grads = make_data(seed=4)
    e_params, t_params, e_opt, t_opt = make_pair('Adam', dict(lr=0.01, amsgrad=True), init)
    run_steps(e_params, t_params, e_opt, t_opt, grads[:2])
    fresh = [ember.tensor(p.detach().numpy(), requires_grad=True) for p in t_params]
    e2_opt = ember.optim.Adam(fresh, lr=0.01, amsgrad=True)
    e2_opt.load_state_dict(t_opt.state_dict())
    assert isinstance(e2_opt.state[fresh[0]]['exp_avg'], ember.Tensor)
    run_steps(fresh, t_params, e2_opt, t_opt, grads[2:])
    assert_same_state(fresh, t_params, e2_opt, t_opt)


@pytest.mark.parametrize('name', ['SGD', 'Adam', 'RMSprop'])
def test_tensor_learning_rate_matches_torch(name):
    init, grads = make_data(seed=5)
    e_params = [ember.tensor(a, requires_grad=True) for a in init]
    t_params = [torch.tensor(a, requires_grad=True) for a in init]
    e_opt = getattr(ember.optim, name)(e_params, lr=ember.tensor(0.01))
    t_opt = getattr(torch.optim, name)(t_params, lr=torch.tensor(0.01))
    e_sched = ember.optim.lr_scheduler.StepLR(e_opt, step_size=2, gamma=0.5)
    t_sched = torch.optim.lr_scheduler.StepLR(t_opt, step_size=2, gamma=0.5)
    for step_grads in grads:
        run_steps(e_params, t_params, e_opt, t_opt, [step_grads])
        e_sched.step()
        t_sched.step()
    assert isinstance(e_opt.param_groups[0]['lr'], ember.Tensor)
    assert float(e_opt.param_groups[0]['lr']) == pytest.approx(float(t_opt.param_groups[0]['lr']))
    for ep, tp in zip(e_params, t_params):
        np.testing.assert_allclose(ep.detach().numpy(), tp.detach().numpy(), rtol=1e-5, atol=1e-6)
