"""AveragedModel (SWA and EMA), update_bn and SWALR against torch.optim.swa_utils."""
import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, torch

pytestmark = requires_torch


def twin_models(bn=False):
    """The same small model in ember and torch (torch's weights copied into ember's)."""
    def build(lib):
        nn = lib.nn
        layers = [nn.Linear(3, 4)] + ([nn.BatchNorm1d(4)] if bn else []) + [nn.ReLU(), nn.Linear(4, 2)]
        return nn.Sequential(*layers)
    torch.manual_seed(0)
    t = build(torch)
    e = build(ember)
    e.load_state_dict({k: ember.tensor(v.detach().numpy().copy()) for k, v in t.state_dict().items()})
    return e, t


def perturb(models, seed):
    rng = np.random.default_rng(seed)
    e, t = models
    for (name, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        delta = rng.standard_normal(tuple(tp.shape)).astype(np.float32)
        with torch.no_grad():
            tp.add_(torch.from_numpy(delta))
        ep._data += delta


def assert_models_equal(e, t):
    for (name, ev), (_, tv) in zip(e.state_dict().items(), t.state_dict().items()):
        np.testing.assert_allclose(ev.numpy(), tv.detach().numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


AVERAGERS = {
    'swa': lambda swa: {},
    'ema-multi': lambda swa: dict(multi_avg_fn=swa.get_ema_multi_avg_fn(0.9)),
    'ema-avg_fn': lambda swa: dict(avg_fn=swa.get_ema_avg_fn(0.8)),
    'swa-multi': lambda swa: dict(multi_avg_fn=swa.get_swa_multi_avg_fn()),
    'swa-avg_fn-buffers': lambda swa: dict(avg_fn=swa.get_swa_avg_fn(), use_buffers=True),
}


@pytest.mark.parametrize('kind', list(AVERAGERS))
def test_averaged_model_matches_torch(kind):
    models = twin_models(bn=True)
    e_avg = ember.optim.swa_utils.AveragedModel(models[0], **AVERAGERS[kind](ember.optim.swa_utils))
    t_avg = torch.optim.swa_utils.AveragedModel(models[1], **AVERAGERS[kind](torch.optim.swa_utils))
    for i in range(4):
        perturb(models, i)
        e_avg.update_parameters(models[0])
        t_avg.update_parameters(models[1])
    assert int(e_avg.n_averaged) == int(t_avg.n_averaged) == 4
    assert_models_equal(e_avg, t_avg)
    x = np.random.default_rng(9).standard_normal((5, 3)).astype(np.float32)
    e_avg.eval(), t_avg.eval()
    np.testing.assert_allclose(e_avg(ember.tensor(x)).detach().numpy(), t_avg(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_update_bn_matches_torch():
    e, t = twin_models(bn=True)
    rng = np.random.default_rng(1)
    batches = [rng.standard_normal((8, 3)).astype(np.float32) * (i + 1) for i in range(3)]
    ember.optim.swa_utils.update_bn([(ember.tensor(b), 0) for b in batches], e)
    torch.optim.swa_utils.update_bn([(torch.tensor(b), 0) for b in batches], t)
    assert_models_equal(e, t)
    assert e.training and e[1].momentum == 0.1


@pytest.mark.parametrize('strategy,epochs', [('cos', 5), ('linear', 3), ('cos', 0)])
def test_swalr_matches_torch(strategy, epochs):
    seqs = []
    for lib in (ember, torch):
        params = [{'params': [lib.zeros(2, requires_grad=True)]}, {'params': [lib.zeros(2, requires_grad=True)],
                                                                    'lr': 0.5}]
        opt = lib.optim.SGD(params, lr=1.0)
        sched = lib.optim.swa_utils.SWALR(opt, swa_lr=[0.05, 0.1], anneal_epochs=epochs, anneal_strategy=strategy)
        seq = [sched.get_last_lr()]
        for _ in range(10):
            opt.step()
            sched.step()
            seq.append(sched.get_last_lr())
        seqs.append(seq)
    np.testing.assert_allclose(seqs[0], seqs[1], rtol=1e-12)


def test_swalr_and_averaged_model_errors():
    opt = ember.optim.SGD([ember.zeros(2, requires_grad=True)], lr=1.0)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
        ember.optim.swa_utils.SWALR(opt, swa_lr=0.1, anneal_strategy='exp')
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0"):
        ember.optim.swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=-1)
    with pytest.raises(ValueError, match="Invalid decay value"):
        ember.optim.swa_utils.get_ema_avg_fn(1.5)
