"""Embedding and EmbeddingBag against torch: lookups, weight gradients (padding, repeats, freq scaling), errors."""
import numpy as np
import pytest

import ember
import ember.nn as nn
from tests.oracle import compare_raises, randn, requires_torch, torch

IDX = np.array([[0, 2, 2, 5], [4, 0, 9, 2]])


def _pair(cls_name, *args, **kwargs):
    e, t = getattr(nn, cls_name)(*args, **kwargs), getattr(torch.nn, cls_name)(*args, **kwargs)
    t.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in e.state_dict().items()})
    return e, t


def _run(mod, lib, *inputs, up_seed=1):
    """Forward, then backward with a fixed random upstream gradient; returns (output, weight grad)."""
    out = mod(*[None if x is None else lib.tensor(x) for x in inputs])
    out.backward(lib.tensor(randn(*out.shape, seed=up_seed)))
    return out.detach().numpy(), mod.weight.grad.numpy()


@requires_torch
@pytest.mark.parametrize('kwargs', [{}, {'padding_idx': 2}, {'padding_idx': -1}, {'scale_grad_by_freq': True},
                                    {'padding_idx': 0, 'scale_grad_by_freq': True}])
def test_embedding_matches_torch(kwargs):
    e, t = _pair('Embedding', 10, 3, **kwargs)
    assert repr(e) == repr(t)
    for a, b in zip(_run(e, ember, IDX), _run(t, torch, IDX)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


@requires_torch
def test_embedding_int32_indices_and_1d_and_scalar_inputs():
    e, t = _pair('Embedding', 10, 3)
    for idx in (IDX.astype(np.int32), np.array([1, 1, 3]), np.array(7)):
        np.testing.assert_allclose(e(ember.tensor(idx)).detach().numpy(), t(torch.tensor(idx)).detach().numpy())


@requires_torch
def test_embedding_max_norm_renormalises_rows_in_place_like_torch():
    e, t = _pair('Embedding', 10, 4, max_norm=1.0)
    for a, b in zip(_run(e, ember, IDX), _run(t, torch, IDX)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(e.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_padding_row_is_zero_initialised_and_other_rows_normal():
    emb = nn.Embedding(2000, 16, padding_idx=3)
    w = emb.weight.detach().numpy()
    assert not w[3].any()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02


def test_embedding_double_backward_through_grad():
    w = ember.randn(5, 2, requires_grad=True)
    idx = ember.tensor([1, 1, 4])
    y = ember.nn.functional.embedding(idx, w, padding_idx=4)
    g, = ember.autograd.grad((y * y).sum(), w, create_graph=True)
    # d/dw of sum(g) where g = 2 * scatter(w[idx]) gives 2 * count per row (0 for the padding row)
    gg, = ember.autograd.grad(g.sum(), w)
    np.testing.assert_allclose(gg.numpy(), np.array([[0, 0], [4, 4], [0, 0], [0, 0], [0, 0]], np.float32))


@requires_torch
def test_from_pretrained_shares_memory_and_freezes():
    data = randn(4, 3)
    for freeze in (True, False):
        e = nn.Embedding.from_pretrained(ember.from_numpy(data), freeze=freeze)
        t = torch.nn.Embedding.from_pretrained(torch.from_numpy(data), freeze=freeze)
        assert e.weight.requires_grad == t.weight.requires_grad == (not freeze)
        assert repr(e) == repr(t)
    src = ember.tensor(data)
    e = nn.Embedding.from_pretrained(src)
    assert e.weight.data_ptr() == src.data_ptr()
    with pytest.raises(AssertionError, match='2-dimensional'):
        nn.Embedding.from_pretrained(ember.ones(3))


@requires_torch
def test_embedding_errors_match_torch():
    w = randn(3, 2)
    emb = lambda i, w: (ember if isinstance(w, ember.Tensor) else torch).nn.functional.embedding(i, w)  # noqa
    err = compare_raises(emb, np.array([0, 5]), w)
    assert isinstance(err, IndexError) and 'index out of range in self' in str(err)
    compare_raises(emb, np.array([-1]), w)
    err = compare_raises(emb, np.array([1.0]), w)
    assert "'indices' to have one of the following scalar types: Long, Int" in str(err)
    with pytest.raises(AssertionError, match='Padding_idx must be within num_embeddings'):
        nn.Embedding(3, 2, padding_idx=5)


@requires_torch
@pytest.mark.parametrize('mode', ['sum', 'mean', 'max'])
def test_embedding_bag_2d_and_offsets_match_torch(mode):
    e, t = _pair('EmbeddingBag', 10, 3, mode=mode)
    assert repr(e) == repr(t)
    for a, b in zip(_run(e, ember, IDX), _run(t, torch, IDX)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    flat, offsets = np.array([1, 2, 4, 5, 4, 3, 2, 9]), np.array([0, 3, 3, 6])  # includes an empty bag
    e.weight.grad = t.weight.grad = None
    for a, b in zip(_run(e, ember, flat, offsets), _run(t, torch, flat, offsets)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@requires_torch
def test_embedding_bag_per_sample_weights_and_padding():
    e, t = _pair('EmbeddingBag', 10, 3, mode='sum', padding_idx=2)
    psw = randn(*IDX.shape, seed=4)
    for a, b in zip(_run(e, ember, IDX, None, psw), _run(t, torch, IDX, None, psw)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_gradcheck_embedding_weight():
    from ember.autograd import gradcheck, gradgradcheck
    w = ember.tensor(np.random.default_rng(0).standard_normal((6, 3)), requires_grad=True)
    idx = ember.tensor(IDX % 6)
    # (padding_idx and scale_grad_by_freq change the gradient on purpose, so only the plain lookup is checked)
    fn = lambda w: ember.nn.functional.embedding(idx, w)  # noqa: E731
    assert gradcheck(fn, (w,))
    assert gradgradcheck(fn, (w,))
