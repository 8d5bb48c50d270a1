"""RNN, LSTM, GRU and their cells against torch with the same weights: outputs, states and all gradients."""
import math

import numpy as np
import pytest

import ember
from tests.oracle import assert_same, compare, compare_raises, randn, requires_torch, to_ember, to_torch, torch


def twin(name, *args, **kwargs):
    """The same layer in torch and in ember (float64), ember's weights copied from torch's."""
    torch.manual_seed(0)
    t_mod = getattr(torch.nn, name)(*args, **kwargs).double()
    e_mod = getattr(ember.nn, name)(*args, **kwargs).double()
    e_mod.load_state_dict({k: to_ember(v) for k, v in t_mod.state_dict().items()})
    return t_mod, e_mod


def flat(out):
    """Every tensor in a nested tuple of outputs."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flat(o)]
    return [out]


def check_layer(t_mod, e_mod, x, state=None):
    """Forward values, then gradients of a random projection of all outputs w.r.t. inputs and parameters."""
    tx, ex = to_torch(x, True), to_ember(x, True)
    if state is None:
        t_out, e_out = t_mod(tx), e_mod(ex)
        t_in, e_in = [tx], [ex]
    elif isinstance(state, tuple):
        ts, es = tuple(to_torch(s, True) for s in state), tuple(to_ember(s, True) for s in state)
        t_out, e_out = t_mod(tx, ts), e_mod(ex, es)
        t_in, e_in = [tx, *ts], [ex, *es]
    else:
        ts, es = to_torch(state, True), to_ember(state, True)
        t_out, e_out = t_mod(tx, ts), e_mod(ex, es)
        t_in, e_in = [tx, ts], [ex, es]
    assert_same(e_out, t_out, atol=1e-10, rtol=1e-8, what='forward')
    rng = np.random.default_rng(1)
    t_loss = e_loss = 0
    for t, e in zip(flat(t_out), flat(e_out)):
        w = rng.standard_normal(tuple(t.shape))
        t_loss, e_loss = t_loss + (t * to_torch(w)).sum(), e_loss + (e * to_ember(w)).sum()
    t_loss.backward()
    e_loss.backward()
    for i, (t, e) in enumerate(zip(t_in, e_in)):
        assert_same(e.grad, t.grad, atol=1e-10, rtol=1e-8, what=f'input grad {i}')
    e_params = dict(e_mod.named_parameters())
    for name, p in t_mod.named_parameters():
        assert_same(e_params[name].grad, p.grad, atol=1e-10, rtol=1e-8, what=f'{name}.grad')
    return e_out


CONFIGS = [
    dict(),
    dict(num_layers=2),
    dict(bias=False),
    dict(batch_first=True),
    dict(bidirectional=True),
    dict(num_layers=2, bidirectional=True, batch_first=True),
]


@requires_torch
@pytest.mark.parametrize('name', ['RNN', 'LSTM', 'GRU'])
@pytest.mark.parametrize('config', CONFIGS, ids=lambda c: '-'.join(f'{k}={v}' for k, v in c.items()) or 'default')
def test_layers(name, config):
    t_mod, e_mod = twin(name, 3, 4, **config)
    check_layer(t_mod, e_mod, randn(5, 2, 3, dtype=np.float64))


@requires_torch
def test_rnn_relu_and_positional_nonlinearity():
    t_mod, e_mod = twin('RNN', 3, 4, 2, 'relu')
    assert e_mod.nonlinearity == 'relu'
    check_layer(t_mod, e_mod, randn(4, 2, 3, dtype=np.float64))


@requires_torch
@pytest.mark.parametrize('name', ['RNN', 'GRU'])
@pytest.mark.parametrize('config', [dict(), dict(num_layers=2, bidirectional=True)])
def test_initial_state(name, config):
    t_mod, e_mod = twin(name, 3, 4, **config)
    d = 2 * (2 if config.get('bidirectional') else 1) if config else 1
    check_layer(t_mod, e_mod, randn(5, 2, 3, dtype=np.float64), randn(d, 2, 4, seed=3, dtype=np.float64))


@requires_torch
@pytest.mark.parametrize('config', [dict(), dict(num_layers=2, bidirectional=True), dict(proj_size=2),
                                    dict(proj_size=3, num_layers=2, bidirectional=True, batch_first=True)])
def test_lstm_initial_state_and_projection(config):
    t_mod, e_mod = twin('LSTM', 3, 4, **config)
    d = config.get('num_layers', 1) * (2 if config.get('bidirectional') else 1)
    h = randn(d, 2, config.get('proj_size') or 4, seed=3, dtype=np.float64)
    c = randn(d, 2, 4, seed=4, dtype=np.float64)
    x = randn(*((2, 5, 3) if config.get('batch_first') else (5, 2, 3)), dtype=np.float64)
    check_layer(t_mod, e_mod, x, (h, c))
    check_layer(*twin('LSTM', 3, 4, **config), x)


@requires_torch
@pytest.mark.parametrize('name', ['RNN', 'LSTM', 'GRU'])
def test_unbatched(name):
    t_mod, e_mod = twin(name, 3, 4, bidirectional=True)
    check_layer(t_mod, e_mod, randn(5, 3, dtype=np.float64))
    state = randn(2, 4, seed=2, dtype=np.float64)
    check_layer(t_mod, e_mod, randn(5, 3, dtype=np.float64), (state, state * 2) if name == 'LSTM' else state)


@requires_torch
@pytest.mark.parametrize('name', ['RNN', 'LSTM', 'GRU'])
def test_second_order(name):
    def run(x, h):
        t_mod, e_mod = twin(name, 3, 2)
        mod = e_mod if isinstance(x, ember.Tensor) else t_mod
        out = mod(x, (h, h * 0.5) if name == 'LSTM' else h)
        return out[0]
    compare(run, randn(3, 2, 3, dtype=np.float64), randn(1, 2, 2, seed=2, dtype=np.float64), second_order=True,
            atol=1e-9)


@requires_torch
def test_parameter_names_shapes_and_init():
    t_mod = torch.nn.LSTM(3, 8, 2, proj_size=2, bidirectional=True)
    e_mod = ember.nn.LSTM(3, 8, 2, proj_size=2, bidirectional=True)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    for (en, ep), (tn, tp) in zip(e_mod.named_parameters(), t_mod.named_parameters()):
        assert tuple(ep.shape) == tuple(tp.shape), en
    bound = 1 / math.sqrt(8)
    values = np.concatenate([p.detach().numpy().ravel() for p in ember.nn.GRU(4, 8, 3).parameters()])
    assert values.min() >= -bound and values.max() <= bound
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.1)
    for cls in ('RNNCell', 'LSTMCell', 'GRUCell'):
        e_cell, t_cell = getattr(ember.nn, cls)(3, 5, bias=False), getattr(torch.nn, cls)(3, 5, bias=False)
        assert [(k, tuple(v.shape)) for k, v in e_cell.state_dict().items()] == \
               [(k, tuple(v.shape)) for k, v in t_cell.state_dict().items()]


@requires_torch
def test_repr():
    for args, kwargs in [((3, 4), {}), ((3, 4, 2), dict(bias=False, batch_first=True, dropout=0.5, bidirectional=True))]:
        for name in ('RNN', 'LSTM', 'GRU'):
            assert repr(getattr(ember.nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))
    assert repr(ember.nn.LSTM(3, 4, proj_size=2)) == 'LSTM(3, 4, proj_size=2)'
    assert repr(ember.nn.RNN(3, 4, nonlinearity='relu')) == 'RNN(3, 4, nonlinearity=relu)'
    assert repr(ember.nn.LSTMCell(3, 4, bias=False)) == 'LSTMCell(3, 4, bias=False)'
    assert repr(ember.nn.RNNCell(3, 4, nonlinearity='relu')) == 'RNNCell(3, 4, nonlinearity=relu)'


@requires_torch
def test_dropout_between_layers():
    t_mod, e_mod = twin('GRU', 3, 4, num_layers=2, dropout=0.5)
    e_mod.eval()
    t_mod.eval()
    check_layer(t_mod, e_mod, randn(4, 2, 3, dtype=np.float64))  # eval: no dropout
    e_mod.train()
    x = to_ember(randn(4, 2, 3, dtype=np.float64))
    assert not np.allclose(e_mod(x)[0].detach().numpy(), e_mod.eval()(x)[0].detach().numpy())
    with pytest.warns(UserWarning):
        ember.nn.LSTM(3, 4, dropout=0.5)


@requires_torch
@pytest.mark.parametrize('name', ['RNNCell', 'LSTMCell', 'GRUCell'])
@pytest.mark.parametrize('bias', [True, False])
def test_cells(name, bias):
    t_mod, e_mod = twin(name, 3, 4, bias=bias)
    check_layer(t_mod, e_mod, randn(2, 3, dtype=np.float64))
    t_mod.zero_grad()
    e_mod.zero_grad()
    h = randn(2, 4, seed=5, dtype=np.float64)
    check_layer(t_mod, e_mod, randn(2, 3, dtype=np.float64), (h, h + 1) if name == 'LSTMCell' else h)
    t_mod.zero_grad()
    e_mod.zero_grad()
    check_layer(t_mod, e_mod, randn(3, dtype=np.float64))


@requires_torch
def test_rnn_cell_relu_second_order():
    def run(x, h):
        t_mod, e_mod = twin('GRUCell', 3, 2)
        mod = e_mod if isinstance(x, ember.Tensor) else t_mod
        return mod(x, h)
    compare(run, randn(2, 3, dtype=np.float64), randn(2, 2, seed=1, dtype=np.float64), second_order=True, atol=1e-9)


def _build(lib, spec):
    name, args, kwargs = spec
    return getattr(lib.nn, name)(*args, **kwargs)


@requires_torch
@pytest.mark.parametrize('spec, x, state', [
    (('RNN', (3, 4), {}), (2, 3, 4, 5), None),
    (('LSTM', (3, 4), {}), (2, 3, 4, 5), None),
    (('GRU', (3, 4), {}), (2, 3, 5), None),
    (('RNN', (3, 4), {}), (2, 3, 3), (1, 4)),
    (('RNN', (3, 4), {}), (2, 3), (1, 1, 4)),
    (('GRU', (3, 4), {}), (2, 3, 3), (2, 3, 4)),
    (('LSTM', (3, 4), {}), (2, 3, 3), ((1, 3, 4), (1, 3, 5))),
    (('LSTM', (3, 4), {}), (2, 3, 3), ((1, 4), (1, 4))),
    (('RNN', (3, 4), {}), (0, 3, 3), None),
    (('RNNCell', (3, 4), {}), (2, 3, 3), None),
    (('LSTMCell', (3, 4), {}), (2, 5), None),
    (('GRUCell', (3, 4), {}), (2, 3), (3, 4)),
    (('GRUCell', (3, 4), {}), (2, 3), (2, 5)),
])
def test_forward_errors(spec, x, state):
    def run(x, *s):
        mod = _build(lib_of(x), spec)
        return mod(x) if not s else mod(x, s if len(s) == 2 else s[0])
    states = [] if state is None else [randn(*s) for s in state] if isinstance(state[0], tuple) else [randn(*state)]
    compare_raises(run, randn(*x), *states)


def lib_of(t):
    return ember if isinstance(t, ember.Tensor) else torch


def _raised(fn):
    with pytest.raises(Exception) as exc:
        fn()
    return exc.type


@requires_torch
@pytest.mark.parametrize('name, args, kwargs', [
    ('RNN', (3, 4), dict(nonlinearity='foo')), ('RNN', (3, 4), dict(dropout=2)), ('RNN', (3, 4), dict(num_layers=0)),
    ('RNN', (3, 0), {}), ('RNN', (3, 4.0), {}), ('GRU', (3, 4), dict(proj_size=2)),
    ('LSTM', (3, 4), dict(proj_size=4)), ('LSTM', (3, 4), dict(proj_size=-1)),
])
def test_constructor_errors(name, args, kwargs):
    t_type = _raised(lambda: getattr(torch.nn, name)(*args, **kwargs))
    assert _raised(lambda: getattr(ember.nn, name)(*args, **kwargs)) is t_type


@requires_torch
def test_dtype_mismatch():
    with pytest.raises(ValueError, match='does not match weight dtype'):
        ember.nn.RNN(3, 4)(ember.randn(2, 3, 3, dtype=ember.float64))


@requires_torch
@pytest.mark.parametrize('name', ['RNN', 'LSTM', 'GRU'])
def test_float32_default_dtype(name):
    torch.manual_seed(0)
    t_mod = getattr(torch.nn, name)(3, 4, batch_first=True)
    e_mod = getattr(ember.nn, name)(3, 4, batch_first=True)
    e_mod.load_state_dict({k: to_ember(v) for k, v in t_mod.state_dict().items()})
    x = randn(2, 5, 3)
    assert_same(e_mod(to_ember(x)), t_mod(to_torch(x)), atol=1e-5, rtol=1e-4)
    assert e_mod(to_ember(x))[0].dtype == ember.float32


@pytest.mark.parametrize('cell', ['lstm', 'gru'])
def test_fused_cell_primitives_gradcheck(cell):
    from ember.autograd import gradcheck, gradgradcheck
    from ember.nn._functional.rnn import ThnnFusedGruCell, ThnnFusedLstmCell
    def t(*shape, seed):
        return ember.from_numpy(randn(*shape, seed=seed, dtype=np.float64)).requires_grad_()
    if cell == 'lstm':
        fn, inputs = ThnnFusedLstmCell.apply, (t(2, 12, seed=1), t(2, 3, seed=2))
    else:
        fn, inputs = ThnnFusedGruCell.apply, (t(2, 9, seed=1), t(2, 9, seed=2), t(2, 3, seed=3))
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)
    assert gradcheck(lambda *a: fn(*a)[0], inputs)  # the other outputs unused: their gradients are None
    assert gradgradcheck(lambda *a: fn(*a)[0], inputs)
