"""Run the same code under ember and real torch and compare everything.

Modelled on tinygrad's ``helper_test_op``: one function written against the
shared PyTorch API is called with ``ember`` tensors and with ``torch``
tensors; values, dtypes, shapes, gradients, second-order gradients and the
raised exception type must agree. Tests using it skip when torch is absent.
"""
import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # oracle tests skip; gradcheck-based tests still run
    torch = None

requires_torch = pytest.mark.skipif(torch is None, reason="real torch is not installed")


def to_torch(x, requires_grad=False):
    """An ember tensor, ndarray or number as a torch tensor (copy)."""
    if isinstance(x, ember.Tensor):
        x = x.detach().numpy()
    t = torch.from_numpy(np.array(x, copy=True))
    return t.requires_grad_(requires_grad) if requires_grad else t


def to_ember(x, requires_grad=False):
    """A torch tensor, ndarray or number as an ember tensor (copy)."""
    if torch is not None and isinstance(x, torch.Tensor):
        x = x.detach().numpy()
    t = ember.from_numpy(np.array(x, copy=True))
    return t.requires_grad_(requires_grad) if requires_grad else t


def _flat(out):
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(_flat(o))
        return res
    return [out]


def assert_same(e, t, atol=1e-5, rtol=1e-4, what='value'):
    """Assert an ember result equals a torch result (tensors, numbers, nested tuples)."""
    if torch is not None and isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{what}: ember returned {type(e).__name__}, torch a Tensor"
        assert e.dtype.name == str(t.dtype).replace('torch.', ''), f"{what}: dtype {e.dtype} vs {t.dtype}"
        assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} vs {tuple(t.shape)}"
        ev, tv = e.detach().numpy(), t.detach().numpy()
        if ev.dtype.kind in 'fc':
            np.testing.assert_allclose(ev, tv, atol=atol, rtol=rtol, equal_nan=True, err_msg=what)
        else:
            np.testing.assert_array_equal(ev, tv, err_msg=what)
    elif isinstance(t, (tuple, list)):
        assert len(e) == len(t), f"{what}: {len(e)} outputs vs {len(t)}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same(a, b, atol, rtol, f"{what}[{i}]")
    elif isinstance(t, float):
        assert e == pytest.approx(t, rel=rtol, abs=atol, nan_ok=True), f"{what}: {e} vs {t}"
    else:
        assert e == t, f"{what}: {e!r} vs {t!r}"


def compare(fn, *inputs, grad=True, second_order=False, atol=1e-5, rtol=1e-4, grad_atol=None, seed=0):
    """Check ``fn`` under ember against torch: outputs, gradients, and optionally second-order gradients.

    ``inputs`` are ndarrays (floating ones get requires_grad when ``grad``)
    or other values passed to both sides unchanged.
    """
    if torch is None:
        pytest.skip("real torch is not installed")
    grad_atol = atol * 10 if grad_atol is None else grad_atol
    float_in = [isinstance(x, np.ndarray) and x.dtype.kind == 'f' for x in inputs]
    e_in = [to_ember(x, grad and f) if isinstance(x, np.ndarray) else x for x, f in zip(inputs, float_in)]
    t_in = [to_torch(x, grad and f) if isinstance(x, np.ndarray) else x for x, f in zip(inputs, float_in)]
    t_out = fn(*t_in)
    e_out = fn(*e_in)
    assert_same(e_out, t_out, atol, rtol, 'forward')
    if not grad or not any(float_in):
        return e_out, t_out
    t_flat = [o for o in _flat(t_out) if isinstance(o, torch.Tensor) and o.requires_grad]
    e_flat = [o for o in _flat(e_out) if isinstance(o, ember.Tensor) and o.requires_grad]
    assert len(e_flat) == len(t_flat), "a different number of outputs require grad"
    if not t_flat:
        return e_out, t_out
    rng = np.random.default_rng(seed)
    ups = [rng.standard_normal(o.shape).astype(o.detach().numpy().dtype) for o in t_flat]
    t_leaves = [x for x in t_in if isinstance(x, torch.Tensor) and x.requires_grad]
    e_leaves = [x for x in e_in if isinstance(x, ember.Tensor) and x.requires_grad]
    t_g = torch.autograd.grad(t_flat, t_leaves, [to_torch(u) for u in ups], create_graph=second_order,
                              allow_unused=True)
    e_g = ember.autograd.grad(e_flat, e_leaves, [to_ember(u) for u in ups], create_graph=second_order,
                              allow_unused=True)
    for i, (a, b) in enumerate(zip(e_g, t_g)):
        if b is None:
            assert a is None or not a.detach().numpy().any(), f"grad[{i}]: torch has none"
            continue
        assert a is not None, f"grad[{i}]: ember has none"
        assert_same(a, b, grad_atol, rtol, f"grad[{i}]")
    if second_order:
        t_pairs = [(g, x) for g, x in zip(t_g, range(len(t_g))) if g is not None and g.requires_grad]
        if not t_pairs:
            return e_out, t_out
        vs = [rng.standard_normal(t_g[i].shape).astype(t_g[i].detach().numpy().dtype) for _, i in t_pairs]
        t_gg = torch.autograd.grad([t_g[i] for _, i in t_pairs], t_leaves, [to_torch(v) for v in vs],
                                   allow_unused=True)
        e_gg = ember.autograd.grad([e_g[i] for _, i in t_pairs], e_leaves, [to_ember(v) for v in vs],
                                   allow_unused=True)
        for i, (a, b) in enumerate(zip(e_gg, t_gg)):
            if b is None:
                assert a is None or not a.detach().numpy().any(), f"second-order grad[{i}]: torch has none"
                continue
            assert a is not None, f"second-order grad[{i}]: ember has none"
            assert_same(a, b, grad_atol * 10, rtol * 10, f"second-order grad[{i}]")
    return e_out, t_out


def compare_raises(fn, *inputs):
    """Both ember and torch raise, with the same exception type; return ember's exception."""
    if torch is None:
        pytest.skip("real torch is not installed")
    t_in = [to_torch(x) if isinstance(x, np.ndarray) else x for x in inputs]
    e_in = [to_ember(x) if isinstance(x, np.ndarray) else x for x in inputs]
    with pytest.raises(Exception) as t_exc:
        fn(*t_in)
    with pytest.raises(Exception) as e_exc:
        fn(*e_in)
    t_type = t_exc.type
    # torch raises its own subclasses (e.g. torch.OutOfMemoryError); compare with the builtin base.
    for base in (IndexError, ValueError, TypeError, NotImplementedError, KeyError, RuntimeError):
        if issubclass(t_type, base):
            t_type = base
            break
    assert issubclass(e_exc.type, t_type), f"ember raised {e_exc.type.__name__}: {e_exc.value}; torch " \
                                           f"raised {t_exc.type.__name__}: {t_exc.value}"
    return e_exc.value


def randn(*shape, seed=0, dtype=np.float32):
    """A reproducible standard-normal ndarray."""
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)
