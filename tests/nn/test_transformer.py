"""Transformer encoder/decoder layers, stacks and nn.Transformer against torch (same weights, dropout 0)."""
import numpy as np
import pytest

import ember
from tests.oracle import assert_same, randn, requires_torch, to_ember, to_torch, torch


def twin(name, *args, **kwargs):
    torch.manual_seed(0)
    t_mod = getattr(torch.nn, name)(*args, **kwargs).double()
    e_mod = getattr(ember.nn, name)(*args, **kwargs).double()
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    e_mod.load_state_dict({k: to_ember(v) for k, v in t_mod.state_dict().items()})
    return t_mod, e_mod


def check(t_mod, e_mod, inputs, **kwargs):
    """Output values, input gradients and every parameter's gradient."""
    t_in, e_in = [to_torch(x, True) for x in inputs], [to_ember(x, True) for x in inputs]
    t_kw = {n: to_torch(m) if isinstance(m, np.ndarray) else m for n, m in kwargs.items()}
    e_kw = {n: to_ember(m) if isinstance(m, np.ndarray) else m for n, m in kwargs.items()}
    t_out, e_out = t_mod(*t_in, **t_kw), e_mod(*e_in, **e_kw)
    assert_same(e_out, t_out, atol=1e-9, rtol=1e-7, what='forward')
    w = randn(*t_out.shape, seed=7, dtype=np.float64)
    (t_out * to_torch(w)).sum().backward()
    (e_out * to_ember(w)).sum().backward()
    for i, (t, e) in enumerate(zip(t_in, e_in)):
        assert_same(e.grad, t.grad, atol=1e-9, rtol=1e-7, what=f'input {i} grad')
    e_params = dict(e_mod.named_parameters())
    for name, p in t_mod.named_parameters():
        assert_same(e_params[name].grad, p.grad, atol=1e-9, rtol=1e-7, what=f'{name}.grad')


CONFIGS = [dict(), dict(norm_first=True), dict(batch_first=True), dict(activation='gelu', bias=False)]


@requires_torch
@pytest.mark.parametrize('config', CONFIGS, ids=lambda c: '-'.join(f'{k}={v}' for k, v in c.items()) or 'default')
def test_encoder_layer(config):
    t_mod, e_mod = twin('TransformerEncoderLayer', 8, 2, 16, dropout=0.0, **config)
    check(t_mod, e_mod, [randn(4, 3, 8, dtype=np.float64)])


@requires_torch
def test_encoder_layer_masks():
    t_mod, e_mod = twin('TransformerEncoderLayer', 8, 2, 16, dropout=0.0)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64).numpy()
    kpm = np.array([[False, False, False, True], [False, True, False, False], [False] * 4])
    check(t_mod, e_mod, [randn(4, 3, 8, dtype=np.float64)], src_mask=mask, src_key_padding_mask=kpm)
    t_mod.zero_grad()
    e_mod.zero_grad()
    check(t_mod, e_mod, [randn(4, 3, 8, dtype=np.float64)], src_mask=mask, is_causal=True)


@requires_torch
@pytest.mark.parametrize('config', CONFIGS[:3], ids=['default', 'norm_first', 'batch_first'])
def test_decoder_layer(config):
    t_mod, e_mod = twin('TransformerDecoderLayer', 8, 2, 16, dropout=0.0, **config)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64).numpy()
    bf = config.get('batch_first', False)
    tgt, mem = randn(*((2, 3) if bf else (3, 2)), 8, dtype=np.float64), randn(*((2, 5) if bf else (5, 2)), 8, seed=1)
    check(t_mod, e_mod, [tgt, mem.astype(np.float64)], tgt_mask=mask, memory_key_padding_mask=np.array([[False] * 4 + [True], [False] * 5]))


@requires_torch
def test_stacks_and_transformer():
    torch.manual_seed(0)
    t_mod, e_mod = twin('Transformer', d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1,
                        dim_feedforward=16, dropout=0.0)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64).numpy()
    check(t_mod, e_mod, [randn(4, 2, 8, dtype=np.float64), randn(3, 2, 8, seed=1, dtype=np.float64)],
          tgt_mask=mask)
    layer = ember.nn.TransformerEncoderLayer(8, 2, 16)
    stack = ember.nn.TransformerEncoder(layer, 3)
    assert len(stack.layers) == 3 and stack.layers[0] is not stack.layers[1]
    np.testing.assert_array_equal(stack.layers[0].linear1.weight.detach().numpy(),
                                  stack.layers[2].linear1.weight.detach().numpy())


@requires_torch
def test_square_subsequent_mask_and_errors():
    assert_same(ember.nn.Transformer.generate_square_subsequent_mask(4),
                torch.nn.Transformer.generate_square_subsequent_mask(4))
    with pytest.raises(RuntimeError):
        ember.nn.TransformerEncoderLayer(8, 2, activation='tanh')
    model = ember.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8)
    with pytest.raises(RuntimeError):
        model(ember.randn(3, 2, 8), ember.randn(3, 4, 8))
    with pytest.raises(RuntimeError):
        model(ember.randn(3, 2, 8), ember.randn(3, 2, 6))
