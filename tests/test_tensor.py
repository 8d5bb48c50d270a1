"""The Tensor object: attributes, Python protocols, autograd fields, conversions, compared with torch.

``same_repr(fn)`` runs ``fn(module)`` with ``ember`` and with ``torch`` and
compares the reprs (``torch.`` read as ``ember.``), or the exception types.
"""
import copy
import pickle

import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, torch


def same_repr(fn):
    """Assert ``fn(ember)`` and ``fn(torch)`` print the same, or raise the same exception type."""
    results = []
    for m in (ember, torch):
        try:
            results.append(('ok', repr(fn(m)).replace('torch.', 'ember.')))
        except Exception as e:  # noqa: BLE001  the exception type is what is compared
            kind = next(b for b in (IndexError, ValueError, TypeError, RuntimeError, Exception) if isinstance(e, b))
            results.append(('raised', kind.__name__, str(e)[:60]))
    (e_kind, *e_val), (t_kind, *t_val) = results
    assert e_kind == t_kind, f"ember: {results[0]}, torch: {results[1]}"
    if e_kind == 'ok':
        assert e_val == t_val
    else:
        assert e_val[0] == t_val[0], f"ember raised {e_val}, torch raised {t_val}"


PROTOCOLS = [
    lambda m: len(m.zeros(4, 2)), lambda m: len(m.tensor(1.)), lambda m: list(m.tensor([1, 2])),
    lambda m: list(m.tensor(1.)), lambda m: [r.tolist() for r in m.tensor([[1, 2], [3, 4]])],
    lambda m: bool(m.tensor([0.])), lambda m: bool(m.tensor(3)), lambda m: bool(m.tensor([1, 2])),
    lambda m: bool(m.tensor([])), lambda m: float(m.tensor([2.5])), lambda m: float(m.tensor([1., 2])),
    lambda m: int(m.tensor(3.7)), lambda m: int(m.tensor([-3.7])), lambda m: complex(m.tensor(2.)),
    lambda m: [10, 20, 30][m.tensor(1)], lambda m: [10, 20, 30][m.tensor(1.)],
    lambda m: [10, 20, 30][m.tensor([0, 1])], lambda m: range(10)[m.tensor(2):m.tensor(5)],
    lambda m: '{:+.2f}'.format(m.tensor(2.)), lambda m: '{:>6}'.format(m.tensor(3)), lambda m: f"{m.tensor(1.5)}",
    lambda m: '{:.2f}'.format(m.tensor([1.])), lambda m: 2 in m.tensor([1, 2]), lambda m: 5 in m.tensor([1, 2]),
    lambda m: m.tensor([1, 2]) in m.tensor([[1, 2], [3, 4]]), lambda m: 'a' in m.tensor([1, 2]),
    lambda m: m.tensor([[1, 2]]).tolist(), lambda m: m.tensor(1.5).tolist(), lambda m: m.tensor([True]).tolist(),
    lambda m: m.tensor([3.]).item(), lambda m: m.tensor([[7]]).item(), lambda m: m.tensor([1, 2]).item(),
    lambda m: type(m.tensor(3).item()).__name__, lambda m: type(m.tensor(True).item()).__name__,
    lambda m: m.zeros(2, 3).stride(), lambda m: m.zeros(2, 3).t().stride(), lambda m: m.zeros(2, 3, 4).stride(-1),
    lambda m: m.zeros(2, 3).t().is_contiguous(), lambda m: m.zeros(2, 3).t().contiguous().is_contiguous(),
    lambda m: m.zeros(2, 3).t().contiguous().stride(), lambda m: m.zeros(2, 3)[:, 1].storage_offset(),
    lambda m: m.zeros(2, 3).shape, lambda m: m.zeros(2, 3).size(), lambda m: m.zeros(2, 3).size(-1),
    lambda m: m.zeros(2, 3).size(2), lambda m: m.zeros(2, 3).dim(), lambda m: m.zeros(2, 3).ndim,
    lambda m: m.zeros(2, 3).numel(), lambda m: m.zeros(2, 3).nelement(), lambda m: m.zeros(2, 3).T.shape,
    lambda m: m.zeros(4, 2, 3).mT.shape, lambda m: m.zeros(2).element_size(),
    lambda m: m.zeros(2, dtype=m.float64).element_size(), lambda m: m.zeros(2).is_floating_point(),
    lambda m: m.zeros(2, dtype=m.int8).is_floating_point(), lambda m: m.zeros(2).layout, lambda m: m.zeros(2).device,
    lambda m: m.zeros(2).is_cuda, lambda m: m.zeros(2).dtype, lambda m: m.numel(m.zeros(3, 2)),
    lambda m: m.is_tensor(m.zeros(1)), lambda m: m.is_tensor([1]), lambda m: m.is_floating_point(m.zeros(1)),
    lambda m: m.zeros(2).type(), lambda m: m.zeros(2, dtype=m.int64).type(), lambda m: m.zeros(2).type(m.float64),
    lambda m: m.zeros(2).type_as(m.zeros(1, dtype=m.int32)), lambda m: m.zeros(2, 3).new_zeros(4),
    lambda m: m.zeros(2, dtype=m.int32).new_ones((2, 2)), lambda m: m.zeros(2, dtype=m.int32).new_full((2,), 7),
    lambda m: m.zeros(2, dtype=m.float64).new_tensor([1, 2]), lambda m: m.zeros(2).new_empty(3).shape,
    lambda m: m.zeros(2).new_zeros(2, dtype=m.int8), lambda m: m.zeros(2, 3).view_as(m.zeros(3, 2)),
    lambda m: m.zeros(1, 3).expand_as(m.zeros(2, 3)), lambda m: -abs(m.tensor([-1., 2.])),
    lambda m: 2 - m.tensor([1, 2]), lambda m: 2 ** m.tensor([1., 2.]), lambda m: 1 / m.tensor([1, 2]),
    lambda m: 7 // m.tensor([2, 3]), lambda m: 7 % m.tensor([2, 3]), lambda m: np.float64(2) * m.tensor([1., 2.]),
    lambda m: m.tensor([[1., 2.]]).view(m.int32), lambda m: m.tensor([1., 2.]).view(m.float16).shape,
    lambda m: m.tensor([1., 2.]).view(m.float64), lambda m: m.tensor([[1., 2.]]).t().view(m.float64),
    lambda m: m.tensor([1., 2.]).new(2, 3).shape, lambda m: m.tensor([1, 2]).new([3, 4]),
    lambda m: list(reversed(m.tensor([1, 2, 3]))), lambda m: reversed(m.tensor(1)),
    lambda m: m.zeros(2, 3).nbytes, lambda m: m.zeros(2, dtype=m.int16).itemsize, lambda m: m.zeros(4, 2).t().nbytes,
]


@requires_torch
@pytest.mark.parametrize('fn', PROTOCOLS)
def test_protocols_match_torch(fn):
    same_repr(fn)


CONSTRUCTORS = [
    lambda m: m.Tensor([1, 2]), lambda m: m.Tensor([[1.5, 2]]), lambda m: m.Tensor(2, 3).shape,
    lambda m: m.Tensor((2, 3)), lambda m: m.Tensor(), lambda m: m.Tensor(np.array([1, 2])),
    lambda m: m.Tensor([1, 2], dtype=m.int32), lambda m: m.Tensor(m.tensor([1, 2])),
    lambda m: m.Tensor(0).shape, lambda m: m.Tensor([]),
]


@requires_torch
@pytest.mark.parametrize('fn', CONSTRUCTORS)
def test_legacy_constructor(fn):
    same_repr(fn)


def test_tensor_constructor_copies_and_alias_rules():
    a = np.arange(3.)
    t = ember.Tensor(a)
    t[0] = 9
    assert a[0] == 0 and t.dtype is ember.float32
    src = ember.tensor([1., 2.])
    alias = ember.Tensor(src)   # torch.Tensor(t) aliases t
    alias[0] = 5
    assert src[0].item() == 5


AUTOGRAD_FIELDS = [
    lambda m: m.tensor([1.], requires_grad=True), lambda m: m.tensor([1], requires_grad=True),
    lambda m: m.tensor([1]).requires_grad_(), lambda m: m.tensor([1.]).requires_grad_().is_leaf,
    lambda m: (m.tensor([1.], requires_grad=True) * 2).is_leaf, lambda m: m.tensor([1.]).is_leaf,
    lambda m: (m.tensor([1.], requires_grad=True) * 2).requires_grad_(False),
    lambda m: (m.tensor([1.], requires_grad=True) * 2).grad_fn.name(),
    lambda m: m.tensor([1.], requires_grad=True).grad, lambda m: m.tensor([1.], requires_grad=True).grad_fn,
    lambda m: m.tensor([1.], requires_grad=True).detach(), lambda m: m.tensor([1.], requires_grad=True).data,
    lambda m: (m.tensor([1.], requires_grad=True) * 2).detach_(),
    lambda m: m.tensor([1.], requires_grad=True)[:1].detach_(),
    lambda m: m.tensor([1.], requires_grad=True).numpy(),
    lambda m: m.tensor([1.], requires_grad=True).detach().numpy(),
    lambda m: m.tensor([1.], requires_grad=True).clone(), lambda m: m.tensor([1.], requires_grad=True).sum(),
]


@requires_torch
@pytest.mark.parametrize('fn', AUTOGRAD_FIELDS)
def test_autograd_fields(fn):
    same_repr(fn)


@pytest.mark.parametrize('m', [ember, pytest.param(torch, marks=requires_torch)])
def test_data_updates_are_not_tracked(m):
    w = m.tensor([1., 2.], requires_grad=True)
    y = (w * w).sum()
    w.data.mul_(10)                       # shares memory, bumps no version seen by autograd
    w.data = m.tensor([3., 4.])           # rebinds the storage
    assert w.requires_grad and w.is_leaf and w.tolist() == [3., 4.]
    d = w.detach()
    d.add_(1)                             # detach shares memory and the version counter
    assert w.tolist() == [4., 5.]


def test_data_assignment_and_grad_setter_errors():
    w = ember.zeros(2, requires_grad=True)
    with pytest.raises(TypeError):
        w.data = [1, 2]
    with pytest.raises(RuntimeError):
        w.grad = ember.zeros(3)
    with pytest.raises(TypeError):
        w.grad = np.zeros(2)
    w.grad = ember.ones(2)
    assert w.grad.tolist() == [1, 1]
    del w.grad
    assert w.grad is None


def test_numpy_shares_memory():
    t = ember.tensor([1., 2.])
    n = t.numpy()
    n[0] = 7
    assert t[0].item() == 7 and np.shares_memory(n, t.numpy())
    assert np.asarray(ember.tensor([1, 2]), dtype=np.float64).dtype == np.float64


def test_clone_is_independent_and_differentiable():
    x = ember.tensor([1., 2.], requires_grad=True)
    c = x.clone()
    assert c.grad_fn.name() == 'CloneBackward0'
    (c * 3).sum().backward()
    assert x.grad.tolist() == [3., 3.]
    c2 = x.detach().clone()
    c2.add_(1)
    assert x.tolist() == [1., 2.]


def test_pickle_and_deepcopy_round_trip():
    x = ember.tensor([[1., 2.]], requires_grad=True)
    y = pickle.loads(pickle.dumps(x))
    assert y.tolist() == x.tolist() and y.requires_grad
    z = copy.deepcopy(x)
    z.data.add_(1)
    assert x.tolist() == [[1., 2.]] and z.requires_grad
    with pytest.raises(RuntimeError):
        copy.deepcopy(x * 2)


def test_set_num_threads():
    ember.set_num_threads(1)
    assert ember.get_num_threads() == 1
    ember.set_num_threads(2)
    assert ember.get_num_threads() == 2


def gradcheck_case(fn, inputs, second_order=True):
    """Run ember's gradcheck (and gradgradcheck) on ``fn`` with float64 copies of the float ndarrays in ``inputs``."""
    from ember.autograd import gradcheck, gradgradcheck
    args = [ember.tensor(a.astype(np.float64), requires_grad=True) if a.dtype.kind == 'f' else ember.from_numpy(a)
            for a in inputs]
    assert gradcheck(fn, args, eps=1e-6, atol=1e-5, rtol=1e-3)
    assert not second_order or gradgradcheck(fn, args, eps=1e-6, atol=1e-5, rtol=1e-3)
