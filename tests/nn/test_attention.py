"""scaled_dot_product_attention and MultiheadAttention against torch: values, all gradients, masks, errors."""
import numpy as np
import pytest

import ember
from tests.oracle import assert_same, compare, compare_raises, randn, requires_torch, to_ember, to_torch, torch


def lib(t):
    return ember if isinstance(t, ember.Tensor) else torch


def causal_bool(L, S):
    return np.tril(np.ones((L, S), dtype=bool))


# ---- scaled_dot_product_attention ---------------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize('shapes', [((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 6)), ((3, 4), (5, 4), (5, 4)),
                                    ((2, 3, 4), (1, 5, 4), (1, 5, 4))])
@pytest.mark.parametrize('kwargs', [dict(), dict(is_causal=True), dict(scale=0.3)], ids=['plain', 'causal', 'scale'])
def test_sdpa(shapes, kwargs):
    q, k, v = (randn(*s, seed=i, dtype=np.float64) for i, s in enumerate(shapes))
    compare(lambda q, k, v: lib(q).nn.functional.scaled_dot_product_attention(q, k, v, **kwargs), q, k, v,
            second_order=True, atol=1e-9)


@requires_torch
def test_sdpa_bool_mask_with_fully_masked_row():
    mask = np.ones((3, 5), dtype=bool)
    mask[0] = False  # row 0 attends nowhere: torch gives zeros, not NaN
    mask[2, 1:3] = False
    q, k, v = randn(2, 3, 4, dtype=np.float64), randn(2, 5, 4, seed=1, dtype=np.float64), \
        randn(2, 5, 4, seed=2, dtype=np.float64)
    compare(lambda q, k, v, m: lib(q).nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m), q, k, v,
            mask, second_order=True, atol=1e-9)
    compare_raises(lambda q, k, v, m: lib(q).nn.functional.scaled_dot_product_attention(
        q.requires_grad_(), k, v, attn_mask=m, is_causal=True), q, k, v, mask)  # documented: both raise


@requires_torch
def test_sdpa_float_mask_gradient():
    q, k, v = randn(2, 3, 4, dtype=np.float64), randn(2, 5, 4, seed=1, dtype=np.float64), \
        randn(2, 5, 4, seed=2, dtype=np.float64)
    compare(lambda q, k, v, m: lib(q).nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m), q, k, v,
            randn(3, 5, seed=4, dtype=np.float64), second_order=True, atol=1e-9)


@requires_torch
def test_sdpa_gqa():
    q, k, v = randn(1, 4, 3, 2, dtype=np.float64), randn(1, 2, 5, 2, seed=1, dtype=np.float64), \
        randn(1, 2, 5, 2, seed=2, dtype=np.float64)
    compare(lambda q, k, v: lib(q).nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=True), q, k, v,
            atol=1e-9)


@requires_torch
def test_sdpa_dropout_statistics():
    q = ember.zeros(1, 1, 200, 4)  # uniform weights: every output is the mean of v times the dropout mask
    v = ember.ones(1, 1, 50, 4)
    out = ember.nn.functional.scaled_dot_product_attention(q, ember.zeros(1, 1, 50, 4), v, dropout_p=0.5)
    assert out.mean().item() == pytest.approx(1.0, abs=0.1)
    assert out.detach().numpy().std() > 0.05


@requires_torch
@pytest.mark.parametrize('q, k, v, mask, kwargs', [
    ((2, 3, 4), (2, 5, 3), (2, 5, 4), None, {}),
    ((2, 3, 4), (2, 5, 4), (2, 4, 4), None, {}),
    ((2, 3, 4), (2, 5, 4), (2, 5, 4), (4, 5), {}),
    ((4,), (5, 4), (5, 4), None, {}),
    ((3, 4), (5, 4), (5, 4), (1, 3, 5), {}),  # the mask may not broadcast the scores up
    ((1, 4, 3, 2), (1, 3, 5, 2), (1, 3, 5, 2), None, dict(enable_gqa=True)),
])
def test_sdpa_errors(q, k, v, mask, kwargs):
    arrays = [randn(*q), randn(*k), randn(*v)] + ([randn(*mask)] if mask else [])
    compare_raises(lambda q, k, v, *m: lib(q).nn.functional.scaled_dot_product_attention(
        q, k, v, attn_mask=m[0] if m else None, **kwargs), *arrays)


@requires_torch
def test_sdpa_dtype_errors():
    q = randn(2, 3, 4)
    compare_raises(lambda q, v: lib(q).nn.functional.scaled_dot_product_attention(q, q, v), q, q.astype(np.float64))
    compare_raises(lambda q, m: lib(q).nn.functional.scaled_dot_product_attention(q, q, q, attn_mask=m), q,
                   np.ones((3, 3), dtype=np.int64))


# ---- MultiheadAttention -------------------------------------------------------------------------------
def twin(*args, **kwargs):
    torch.manual_seed(0)
    t_mod = torch.nn.MultiheadAttention(*args, **kwargs).double()
    e_mod = ember.nn.MultiheadAttention(*args, **kwargs).double()
    e_mod.load_state_dict({k: to_ember(v) for k, v in t_mod.state_dict().items()})
    return t_mod, e_mod


def check_mha(t_mod, e_mod, q, k=None, v=None, grad=True, **kwargs):
    """Outputs and the gradients of inputs and every parameter, for one call."""
    self_attn = k is None
    tq, eq = to_torch(q, True), to_ember(q, True)
    tk, ek = (tq, eq) if self_attn else (to_torch(k, True), to_ember(k, True))
    tv, ev = (tk, ek) if v is None else (to_torch(v, True), to_ember(v, True))
    t_kw = {n: to_torch(m) if isinstance(m, np.ndarray) else m for n, m in kwargs.items()}
    e_kw = {n: to_ember(m) if isinstance(m, np.ndarray) else m for n, m in kwargs.items()}
    t_out, e_out = t_mod(tq, tk, tv, **t_kw), e_mod(eq, ek, ev, **e_kw)
    assert_same(e_out, t_out, atol=1e-10, rtol=1e-8, what='forward')
    if not grad:
        return
    w = randn(*t_out[0].shape, seed=9, dtype=np.float64)
    t_loss, e_loss = (t_out[0] * to_torch(w)).sum(), (e_out[0] * to_ember(w)).sum()
    if t_out[1] is not None:
        w2 = randn(*t_out[1].shape, seed=8, dtype=np.float64)
        t_loss, e_loss = t_loss + (t_out[1] * to_torch(w2)).sum(), e_loss + (e_out[1] * to_ember(w2)).sum()
    t_loss.backward()
    e_loss.backward()
    for name, t, e in (('query', tq, eq), ('key', tk, ek), ('value', tv, ev)):
        assert_same(e.grad, t.grad, atol=1e-10, rtol=1e-8, what=f'{name}.grad')
    e_params = dict(e_mod.named_parameters())
    assert list(e_params) == [n for n, _ in t_mod.named_parameters()]
    for name, p in t_mod.named_parameters():
        assert_same(e_params[name].grad, p.grad, atol=1e-10, rtol=1e-8, what=f'{name}.grad')


MHA_CONFIGS = [
    dict(),
    dict(bias=False),
    dict(batch_first=True),
    dict(add_bias_kv=True),
    dict(add_zero_attn=True),
    dict(kdim=3, vdim=5),
    dict(add_bias_kv=True, add_zero_attn=True, kdim=3, vdim=5, batch_first=True),
]


@requires_torch
@pytest.mark.parametrize('config', MHA_CONFIGS, ids=lambda c: '-'.join(f'{k}={v}' for k, v in c.items()) or 'default')
@pytest.mark.parametrize('need_weights, average', [(True, True), (True, False), (False, True)])
def test_mha(config, need_weights, average):
    t_mod, e_mod = twin(4, 2, **config)
    bf = config.get('batch_first', False)
    q = randn(*((2, 3, 4) if bf else (3, 2, 4)), dtype=np.float64)
    kv_shape = (2, 5) if bf else (5, 2)
    k = randn(*kv_shape, config.get('kdim', 4), seed=1, dtype=np.float64)
    v = randn(*kv_shape, config.get('vdim', 4), seed=2, dtype=np.float64)
    check_mha(t_mod, e_mod, q, k, v, need_weights=need_weights, average_attn_weights=average)


@requires_torch
@pytest.mark.parametrize('batch_first', [False, True])
def test_mha_self_attention(batch_first):
    t_mod, e_mod = twin(6, 3, batch_first=batch_first)
    check_mha(t_mod, e_mod, randn(3, 2, 6, dtype=np.float64))


@requires_torch
@pytest.mark.parametrize('need_weights', [True, False])
@pytest.mark.parametrize('mask_kind', ['bool2d', 'float2d', 'float3d', 'kpm', 'kpm_float', 'both'])
def test_mha_masks(need_weights, mask_kind):
    t_mod, e_mod = twin(4, 2, add_bias_kv=mask_kind == 'both')
    q = randn(3, 2, 4, dtype=np.float64)
    kpm = np.array([[False, False, True, False, True], [False, True, False, False, False]])
    bool2d = ~causal_bool(3, 5)
    bool2d[:, 0] = False  # every query keeps one key, so no row is fully masked
    kwargs = {'bool2d': dict(attn_mask=bool2d),
              'float2d': dict(attn_mask=randn(3, 5, seed=3, dtype=np.float64)),
              'float3d': dict(attn_mask=randn(4, 3, 5, seed=3, dtype=np.float64)),
              'kpm': dict(key_padding_mask=kpm),
              'kpm_float': dict(key_padding_mask=np.where(kpm, -np.inf, 0.0)),
              'both': dict(key_padding_mask=kpm, attn_mask=bool2d)}[mask_kind]
    k, v = randn(5, 2, 4, seed=1, dtype=np.float64), randn(5, 2, 4, seed=2, dtype=np.float64)
    check_mha(t_mod, e_mod, q, k, v, need_weights=need_weights, **kwargs)


@requires_torch
def test_mha_causal_hint_and_unbatched():
    t_mod, e_mod = twin(4, 2)
    mask = ~causal_bool(3, 3)
    check_mha(t_mod, e_mod, randn(3, 2, 4, dtype=np.float64), attn_mask=mask, is_causal=True, need_weights=False)
    check_mha(t_mod, e_mod, randn(3, 4, dtype=np.float64), attn_mask=mask)
    check_mha(t_mod, e_mod, randn(3, 4, dtype=np.float64), randn(5, 4, seed=1, dtype=np.float64),
              key_padding_mask=np.array([False, True, False, False, False]), need_weights=False)


@requires_torch
def test_mha_second_order():
    def run(q, k):
        t_mod, e_mod = twin(4, 2)
        return (e_mod if isinstance(q, ember.Tensor) else t_mod)(q, k, k)[0]
    compare(run, randn(2, 1, 4, dtype=np.float64), randn(3, 1, 4, seed=1, dtype=np.float64), second_order=True,
            atol=1e-9)


@requires_torch
def test_mha_parameters_init_and_repr():
    t_mod, e_mod = torch.nn.MultiheadAttention(4, 2, add_bias_kv=True, kdim=3, vdim=5), \
        ember.nn.MultiheadAttention(4, 2, add_bias_kv=True, kdim=3, vdim=5)
    assert [(k, tuple(v.shape)) for k, v in e_mod.state_dict().items()] == \
           [(k, tuple(v.shape)) for k, v in t_mod.state_dict().items()]
    assert repr(e_mod) == repr(t_mod)
    e_mod = ember.nn.MultiheadAttention(64, 4)
    w = e_mod.in_proj_weight.detach().numpy()
    bound = np.sqrt(6 / (64 + 192))  # xavier_uniform_ on the packed (3E, E) weight
    assert np.abs(w).max() <= bound and w.std() == pytest.approx(bound / np.sqrt(3), rel=0.1)
    assert not e_mod.in_proj_bias.detach().numpy().any() and not e_mod.out_proj.bias.detach().numpy().any()


@requires_torch
def test_mha_dropout_only_in_training():
    t_mod, e_mod = twin(4, 2, dropout=0.5)
    e_mod.eval()
    t_mod.eval()
    check_mha(t_mod, e_mod, randn(3, 2, 4, dtype=np.float64), grad=False)
    e_mod.train()
    x = to_ember(randn(3, 2, 4, dtype=np.float64))
    a, b = e_mod(x, x, x)[1], e_mod.eval()(x, x, x)[1]
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())


@requires_torch
@pytest.mark.parametrize('q, k, v, kwargs', [
    ((3, 4), (3, 2, 4), (3, 2, 4), {}),
    ((3, 2, 4), (3, 2, 4), (3, 2, 4), dict(attn_mask=(2, 3))),
    ((3, 2, 4), (3, 2, 4), (3, 2, 4), dict(attn_mask=(2, 3, 3))),
    ((3, 2, 4), (3, 2, 4), (3, 2, 4), dict(attn_mask=(1, 2, 3, 3))),
    ((3, 2, 4), (3, 2, 4), (3, 2, 4), dict(key_padding_mask=(3, 3))),
    ((3, 2, 4), (2, 2, 4), (3, 2, 4), {}),
    ((3, 2, 4), (3, 2, 4), (3, 2, 4), dict(is_causal=True)),
    ((3, 2, 5), (3, 2, 5), (3, 2, 5), {}),
])
def test_mha_errors(q, k, v, kwargs):
    def run(q, k, v):
        torch.manual_seed(0)
        mod = lib(q).nn.MultiheadAttention(4, 2)
        kw = {n: (lib(q).ones(*s) if isinstance(s, tuple) else s) for n, s in kwargs.items()}
        return mod(q, k, v, **kw)
    compare_raises(run, randn(*q), randn(*k), randn(*v))


@requires_torch
def test_mha_constructor_errors():
    for args in [(5, 2), (0, 1)]:
        with pytest.raises(Exception) as t_exc:
            torch.nn.MultiheadAttention(*args)
        with pytest.raises(t_exc.type):
            ember.nn.MultiheadAttention(*args)


@requires_torch
def test_mha_float32_default_dtype():
    torch.manual_seed(0)
    t_mod = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    e_mod = ember.nn.MultiheadAttention(8, 2, batch_first=True)
    e_mod.load_state_dict({k: to_ember(v) for k, v in t_mod.state_dict().items()})
    q, kv = randn(2, 3, 8), randn(2, 5, 8, seed=1)
    mask = np.array([[False] * 4 + [True], [False] * 5])
    e_out = e_mod(to_ember(q), to_ember(kv), to_ember(kv), key_padding_mask=to_ember(mask))
    t_out = t_mod(to_torch(q), to_torch(kv), to_torch(kv), key_padding_mask=to_torch(mask))
    assert_same(e_out, t_out, atol=1e-5, rtol=1e-4)
    assert e_out[0].dtype == ember.float32


@requires_torch
def test_sdpa_float_mask_requiring_grad_with_fully_masked_row():
    mask = randn(3, 5, seed=4, dtype=np.float64)
    mask[1] = -np.inf
    q, k, v = randn(2, 3, 4, dtype=np.float64), randn(2, 5, 4, seed=1, dtype=np.float64), \
        randn(2, 5, 4, seed=2, dtype=np.float64)
    compare(lambda q, k, v, m: lib(q).nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m), q, k, v,
            mask, atol=1e-9)
