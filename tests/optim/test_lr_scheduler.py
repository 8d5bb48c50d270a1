"""Every learning-rate scheduler's sequence (and cycled momentum) over 40 steps, against torch's."""
import warnings

import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, torch
from tests.optim.test_optimizers import to_torch_tree

pytestmark = requires_torch

STEPS = 40


def S(lib):
    return lib.optim.lr_scheduler


# name -> (optimizer kind, factory(lib, opt) -> scheduler)
SCHEDULERS = {
    'StepLR': ('sgd', lambda lib, o: S(lib).StepLR(o, step_size=3, gamma=0.5)),
    'MultiStepLR': ('sgd', lambda lib, o: S(lib).MultiStepLR(o, milestones=[3, 7, 7, 20], gamma=0.5)),
    'ConstantLR': ('sgd', lambda lib, o: S(lib).ConstantLR(o, factor=0.5, total_iters=4)),
    'LinearLR': ('sgd', lambda lib, o: S(lib).LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=10)),
    'ExponentialLR': ('sgd', lambda lib, o: S(lib).ExponentialLR(o, gamma=0.9)),
    'PolynomialLR': ('sgd', lambda lib, o: S(lib).PolynomialLR(o, total_iters=20, power=2.0)),
    'CosineAnnealingLR': ('sgd', lambda lib, o: S(lib).CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
    'CosineAnnealingLR-Tmax-odd': ('sgd', lambda lib, o: S(lib).CosineAnnealingLR(o, T_max=7)),
    'CosineAnnealingWarmRestarts': ('sgd', lambda lib, o: S(lib).CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2,
                                                                                             eta_min=0.01)),
    'LambdaLR': ('sgd', lambda lib, o: S(lib).LambdaLR(o, lambda e: 0.95 ** e)),
    'LambdaLR-per-group': ('sgd', lambda lib, o: S(lib).LambdaLR(o, [lambda e: 0.9 ** e, lambda e: 1 / (e + 1)])),
    'MultiplicativeLR': ('sgd', lambda lib, o: S(lib).MultiplicativeLR(o, lambda e: 0.9 if e % 2 else 0.99)),
    'CyclicLR-triangular': ('sgd', lambda lib, o: S(lib).CyclicLR(o, 0.01, 0.1, step_size_up=4)),
    'CyclicLR-triangular2': ('sgd', lambda lib, o: S(lib).CyclicLR(o, [0.01, 0.02], 0.1, step_size_up=3,
                                                                   step_size_down=5, mode='triangular2')),
    'CyclicLR-exp_range-adam': ('adam', lambda lib, o: S(lib).CyclicLR(o, 0.01, 0.1, step_size_up=4,
                                                                       mode='exp_range', gamma=0.95)),
    'CyclicLR-no-momentum': ('sgd', lambda lib, o: S(lib).CyclicLR(o, 0.01, 0.1, step_size_up=5,
                                                                   cycle_momentum=False)),
    'OneCycleLR-cos': ('sgd', lambda lib, o: S(lib).OneCycleLR(o, max_lr=0.1, total_steps=STEPS + 1)),
    'OneCycleLR-linear-adam': ('adam', lambda lib, o: S(lib).OneCycleLR(o, max_lr=[0.1, 0.2], epochs=4,
                                                                        steps_per_epoch=11,
                                                                        anneal_strategy='linear')),
    'OneCycleLR-three-phase': ('sgd', lambda lib, o: S(lib).OneCycleLR(o, max_lr=0.1, total_steps=STEPS + 1,
                                                                       three_phase=True, pct_start=0.25)),
    'SequentialLR': ('sgd', lambda lib, o: S(lib).SequentialLR(
        o, [S(lib).LinearLR(o, start_factor=0.1, total_iters=5), S(lib).ExponentialLR(o, gamma=0.9)],
        milestones=[5])),
    'SequentialLR-three': ('sgd', lambda lib, o: S(lib).SequentialLR(
        o, [S(lib).ConstantLR(o, factor=0.5, total_iters=3), S(lib).CosineAnnealingLR(o, T_max=8),
            S(lib).StepLR(o, step_size=4)], milestones=[4, 12])),
    'ChainedScheduler': ('sgd', lambda lib, o: S(lib).ChainedScheduler(
        [S(lib).ConstantLR(o, factor=0.5, total_iters=6), S(lib).ExponentialLR(o, gamma=0.9)])),
}


def make_optimizer(lib, kind):
    a, b = lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)
    groups = [{'params': [a]}, {'params': [b], 'lr': 0.05}]
    if kind == 'adam':
        return lib.optim.Adam(groups, lr=0.1)
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


def snapshot(opt, sched):
    """The lrs and momenta in the groups, and what get_last_lr reports."""
    return ([g['lr'] for g in opt.param_groups], [g.get('momentum', g.get('betas')) for g in opt.param_groups],
            list(sched.get_last_lr()))


def trajectory(lib, kind, factory, steps=STEPS, extra=None):
    opt = make_optimizer(lib, kind)
    scheds = [factory(lib, opt)] + ([extra(lib, opt)] if extra else [])
    seq = [snapshot(opt, scheds[0])]
    for _ in range(steps):
        opt.step()
        for s in scheds:
            s.step()
        seq.append(snapshot(opt, scheds[0]))
    return seq


def _flat(x):
    """Nested lists/tuples of numbers as one flat list (newer pytest.approx refuses nesting)."""
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _flat(item)]
    return [x]


def assert_same_sequence(e_seq, t_seq):
    for i, (e, t) in enumerate(zip(e_seq, t_seq)):
        e, t = _flat(e), _flat(t)
        assert len(e) == len(t) and e == pytest.approx(t, rel=1e-12, abs=1e-15), f"step {i}: {e} vs {t}"
    assert len(e_seq) == len(t_seq)


@pytest.mark.parametrize('name', list(SCHEDULERS))
def test_schedule_matches_torch(name):
    kind, factory = SCHEDULERS[name]
    assert_same_sequence(trajectory(ember, kind, factory), trajectory(torch, kind, factory))


def test_two_schedulers_on_one_optimizer_compose_like_torch():
    step = lambda lib, o: S(lib).StepLR(o, step_size=5, gamma=0.5)
    expo = lambda lib, o: S(lib).ExponentialLR(o, gamma=0.95)
    assert_same_sequence(trajectory(ember, 'sgd', step, extra=expo), trajectory(torch, 'sgd', step, extra=expo))


def test_closed_form_step_with_epoch_matches_torch():
    for name in ('StepLR', 'MultiStepLR', 'LinearLR', 'CosineAnnealingLR', 'PolynomialLR'):
        results = []
        for lib in (ember, torch):
            opt = make_optimizer(lib, 'sgd')
            sched = SCHEDULERS[name][1](lib, opt)
            lrs = []
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                for epoch in (3, 7, 2, 15):
                    opt.step()
                    sched.step(epoch)
                    lrs.append(sched.get_last_lr())
            results.append(lrs)
        np.testing.assert_allclose(results[0], results[1], rtol=1e-12, err_msg=name)


def test_warm_restarts_fractional_epochs_match_torch():
    results = []
    for lib in (ember, torch):
        opt = make_optimizer(lib, 'sgd')
        sched = S(lib).CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
        lrs = []
        for epoch in range(12):
            for i in range(4):
                opt.step()
                sched.step(epoch + i / 4)
                lrs.append(sched.get_last_lr())
        results.append(lrs)
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


PLATEAU = [dict(), dict(mode='max', factor=0.5, patience=2), dict(threshold_mode='abs', threshold=0.05, patience=1),
           dict(mode='max', threshold_mode='abs', cooldown=3, patience=0, factor=0.3),
           dict(patience=1, min_lr=[0.02, 0.01], factor=0.5), dict(patience=0, eps=0.05, factor=0.9)]


@pytest.mark.parametrize('opts', PLATEAU, ids=[str(o) for o in PLATEAU])
def test_reduce_lr_on_plateau_matches_torch(opts):
    metrics = [1.0, 0.9, 0.9, 0.95, 0.899, 0.9, 0.9, 0.9, 0.5, 0.5, 0.6, 0.7, 0.49, 0.49, 0.8] * 3
    seqs = []
    for lib in (ember, torch):
        opt = make_optimizer(lib, 'sgd')
        sched = S(lib).ReduceLROnPlateau(opt, **opts)
        seq = []
        for m in metrics:
            opt.step()
            sched.step(m)
            seq.append((sched.get_last_lr(), sched.num_bad_epochs, sched.cooldown_counter, sched.best))
        seqs.append(seq)
    assert seqs[0] == seqs[1]


@pytest.mark.parametrize('name', ['StepLR', 'CosineAnnealingLR', 'OneCycleLR-cos', 'CyclicLR-triangular2',
                                  'SequentialLR', 'LinearLR'])
def test_scheduler_state_dict_resumes_in_torch(name):
    """Save ember's optimizer and scheduler mid-schedule, load both into torch, continue: same lrs."""
    kind, factory = SCHEDULERS[name]
    e_opt = make_optimizer(ember, kind)
    e_sched = factory(ember, e_opt)
    for _ in range(13):
        e_opt.step()
        e_sched.step()
    t_opt = make_optimizer(torch, kind)
    t_sched = factory(torch, t_opt)
    t_opt.load_state_dict(to_torch_tree(e_opt.state_dict()))
    t_sched.load_state_dict(e_sched.state_dict())
    for _ in range(STEPS - 13):
        for opt, sched in ((e_opt, e_sched), (t_opt, t_sched)):
            opt.step()
            sched.step()
        assert _flat(snapshot(e_opt, e_sched)) == pytest.approx(_flat(snapshot(t_opt, t_sched)), rel=1e-12)


def test_state_dict_contents_match_torch():
    e = S(ember).StepLR(make_optimizer(ember, 'sgd'), step_size=3)
    t = S(torch).StepLR(make_optimizer(torch, 'sgd'), step_size=3)
    assert e.state_dict() == t.state_dict()
    e = S(ember).LambdaLR(make_optimizer(ember, 'sgd'), lambda x: x)
    t = S(torch).LambdaLR(make_optimizer(torch, 'sgd'), lambda x: x)
    assert e.state_dict() == t.state_dict()


def test_initial_lr_and_resume_errors():
    opt = make_optimizer(ember, 'sgd')
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups\\[0\\]"):
        S(ember).StepLR(opt, step_size=2, last_epoch=3)
    S(ember).StepLR(opt, step_size=2)
    assert [g['initial_lr'] for g in opt.param_groups] == [0.1, 0.05]
    with pytest.raises(TypeError, match="is not an Optimizer"):
        S(ember).StepLR(object(), step_size=2)


def test_warns_when_scheduler_steps_before_optimizer():
    opt = make_optimizer(ember, 'sgd')
    sched = S(ember).StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"):
        sched.step()
    opt = make_optimizer(ember, 'sgd')
    sched = S(ember).StepLR(opt, step_size=2)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        opt.step()
        sched.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()


BAD = [
    lambda lib, o: S(lib).ConstantLR(o, factor=1.5),
    lambda lib, o: S(lib).LinearLR(o, start_factor=0),
    lambda lib, o: S(lib).LinearLR(o, end_factor=2),
    lambda lib, o: S(lib).CosineAnnealingWarmRestarts(o, T_0=0),
    lambda lib, o: S(lib).CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
    lambda lib, o: S(lib).CyclicLR(o, 0.01, 0.1, mode='bogus'),
    lambda lib, o: S(lib).CyclicLR(o, [0.1], 0.2),
    lambda lib, o: S(lib).OneCycleLR(o, max_lr=0.1),
    lambda lib, o: S(lib).OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1.5),
    lambda lib, o: S(lib).OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy='quad'),
    lambda lib, o: S(lib).ReduceLROnPlateau(o, factor=1.0),
    lambda lib, o: S(lib).ReduceLROnPlateau(o, mode='up'),
    lambda lib, o: S(lib).ReduceLROnPlateau(o, min_lr=[0.1]),
    lambda lib, o: S(lib).LambdaLR(o, [lambda e: 1.0]),
    lambda lib, o: S(lib).SequentialLR(o, [S(lib).StepLR(o, 2)], milestones=[3]),
    lambda lib, o: S(lib).ChainedScheduler([]),
]


@pytest.mark.parametrize('i', range(len(BAD)))
def test_invalid_arguments_raise_like_torch(i):
    with pytest.raises(Exception) as t_err:
        BAD[i](torch, make_optimizer(torch, 'sgd'))
    with pytest.raises(type(t_err.value)) as e_err:
        BAD[i](ember, make_optimizer(ember, 'sgd'))
    assert str(e_err.value) == str(t_err.value)


def test_one_cycle_past_total_steps_raises():
    opt = make_optimizer(ember, 'sgd')
    sched = S(ember).OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
        sched.step()


def test_scheduler_drives_training_lr():
    """The lr a scheduler sets is the one the next optimizer step uses."""
    w = ember.zeros(1, requires_grad=True)
    opt = ember.optim.SGD([w], lr=1.0)
    sched = S(ember).StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        w.grad = ember.ones(1)
        opt.step()
        sched.step()
    np.testing.assert_allclose(w.detach().numpy(), [-(1 + 0.5 + 0.25)])
