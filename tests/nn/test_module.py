"""nn.Module and nn.Parameter: registration, iteration, modes, state_dict, hooks, conversions, printing."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import ember
import ember.nn as nn
from tests.oracle import requires_torch, torch


def _net(lib):
    """The same small architecture in ember or torch: nested modules, a shared layer, buffers."""
    class Block(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(3, 3)
            self.register_buffer('running', lib.zeros(3))
            self.register_buffer('scratch', lib.zeros(3), persistent=False)

        def forward(self, x):
            return self.fc(x).relu() + self.running

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.first = Block()
            self.scale = lib.nn.Parameter(lib.ones(1))
            self.body = lib.nn.Sequential(Block(), lib.nn.Tanh(), Block())
            self.shared = self.first  # the same module under two names
            self.head = lib.nn.Linear(3, 2, bias=False)

        def forward(self, x):
            return self.head(self.body(self.first(x)) * self.scale)
    return Net()


@requires_torch
def test_names_and_order_match_torch():
    e, t = _net(ember), _net(torch)
    for what in ('named_parameters', 'named_buffers', 'named_modules', 'named_children'):
        assert [n for n, _ in getattr(e, what)()] == [n for n, _ in getattr(t, what)()], what
    assert list(e.state_dict()) == list(t.state_dict())
    assert list(e.state_dict(prefix='m.')) == list(t.state_dict(prefix='m.'))
    assert [n for n, _ in e.named_parameters(prefix='p', recurse=False)] == \
        [n for n, _ in t.named_parameters(prefix='p', recurse=False)]
    assert [n for n, _ in e.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in t.named_parameters(remove_duplicate=False)]
    assert [n for n, _ in e.named_modules(remove_duplicate=False)] == \
        [n for n, _ in t.named_modules(remove_duplicate=False)]
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert len(list(e.modules())) == len(list(t.modules())) and len(list(e.children())) == len(list(t.children()))
    assert repr(e) == repr(t)


@requires_torch
def test_state_dict_round_trip_with_torch_and_same_outputs():
    e, t = _net(ember), _net(torch)
    t.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in e.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(e(ember.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    back = _net(ember)
    back.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    for (k, a), b in zip(back.state_dict().items(), e.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)


def test_state_dict_is_detached_ordered_and_has_metadata():
    m = nn.Linear(2, 2)
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict) and list(sd) == ['weight', 'bias']
    assert not sd['weight'].requires_grad and sd['weight'].data_ptr() == m.weight.data_ptr()
    assert m.state_dict(keep_vars=True)['weight'] is m.weight
    assert sd._metadata[''] == {'version': 1}


@requires_torch
def test_load_state_dict_error_lists_every_problem_like_torch():
    good = {'weight': np.ones((3, 2), np.float32)}
    bad = {'weight': np.ones((3, 3), np.float32), 'foo': np.ones(1, np.float32)}
    messages = []
    for lib in (ember, torch):
        m = lib.nn.Linear(2, 3)
        with pytest.raises(RuntimeError) as exc:
            m.load_state_dict({k: lib.tensor(v) for k, v in bad.items()})
        messages.append(str(exc.value).replace('torch.Size', 'ember.Size'))
        res = m.load_state_dict({k: lib.tensor(v) for k, v in good.items()}, strict=False)
        assert res.missing_keys == ['bias'] and res.unexpected_keys == []
    assert messages[0] == messages[1]
    assert messages[0].startswith('Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: '
                                  '"bias". \n\tUnexpected key(s) in state_dict: "foo". \n\tsize mismatch for weight')
    assert repr(nn.Linear(2, 3).load_state_dict(nn.Linear(2, 3).state_dict())) == '<All keys matched successfully>'


def test_failed_load_changes_nothing():
    m = _net(ember)
    before = {k: v.numpy().copy() for k, v in m.state_dict().items()}
    sd = {k: v + 1 for k, v in m.state_dict().items()}
    sd['head.weight'] = ember.zeros(5, 5)  # one bad entry among many good ones
    with pytest.raises(RuntimeError, match='size mismatch for head.weight'):
        m.load_state_dict(sd)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k], err_msg=k)
    with pytest.raises(TypeError, match='dict-like'):
        m.load_state_dict([1, 2])


def test_load_state_dict_copies_in_place_and_strict_false_ignores_extras():
    m = nn.Linear(2, 2)
    w = m.weight
    res = m.load_state_dict({'weight': ember.ones(2, 2), 'bias': ember.zeros(2), 'extra': ember.ones(1)}, strict=False)
    assert m.weight is w and w.numpy(force=True).sum() == 4
    assert res.unexpected_keys == ['extra'] and res.missing_keys == []


def test_registration_rules_and_errors():
    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ember.ones(1))
    with pytest.raises(AttributeError, match=r'cannot assign parameters before Module.__init__\(\) call'):
        Early()
    m = nn.Module()
    m.w = nn.Parameter(ember.ones(2))
    with pytest.raises(TypeError, match="cannot assign 'ember.FloatTensor' as parameter 'w'"):
        m.w = ember.ones(2)
    m.w = None
    assert 'w' in m._parameters and m.w is None and list(m.parameters()) == []
    with pytest.raises(KeyError, match="attribute 'training' already exists"):
        m.register_parameter('training', None)
    with pytest.raises(KeyError):
        m.register_buffer('a.b', ember.ones(1))
    with pytest.raises(TypeError, match='is not a Module subclass'):
        m.add_module('x', 3)
    with pytest.raises(TypeError, match=r"object to parameter 'y' \(torch.nn.Parameter or None required\)"):
        m.register_parameter('y', ember.ones(1, requires_grad=True) * 2)
    m.b = nn.Buffer(ember.ones(2), persistent=False)
    assert 'b' in m._buffers and 'b' not in m.state_dict()
    m.b = ember.zeros(2)  # still a (non-persistent) buffer
    assert 'b' in m._buffers and 'b' not in m.state_dict()
    with pytest.raises(TypeError, match="as parameter 'w'"):
        m.w = nn.Linear(1, 1)  # a registered parameter name only takes Parameters (as torch)
    m.b = nn.Linear(1, 1)  # but a module takes over a buffer's name
    assert 'b' in m._modules and 'b' not in m._buffers and 'b' not in m._non_persistent_buffers_set


def test_getattr_delattr_dir_and_errors():
    m = nn.Linear(2, 2)
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
        m.nope
    assert 'weight' in dir(m) and 'forward' in dir(m)
    del m.bias
    assert 'bias' not in m._parameters
    m.plain = 3
    del m.plain
    assert not hasattr(m, 'plain')


def test_forward_missing_error():
    class NoForward(nn.Module):
        pass
    with pytest.raises(NotImplementedError, match=r'Module \[NoForward\] is missing the required "forward" function'):
        NoForward()(ember.ones(1))


def test_get_submodule_parameter_buffer():
    m = _net(ember)
    assert m.get_submodule('body.0.fc') is m.body[0].fc
    assert m.get_parameter('body.2.fc.bias') is m.body[2].fc.bias
    assert m.get_buffer('first.running') is m.first.running
    with pytest.raises(AttributeError, match='has no attribute `nope`'):
        m.get_submodule('body.nope')
    with pytest.raises(AttributeError, match='is not an nn.Module'):
        m.get_submodule('scale')


def test_train_eval_apply_requires_grad_zero_grad():
    m = _net(ember)
    assert m.training and m.eval() is m and not any(x.training for x in m.modules())
    m.train()
    assert all(x.training for x in m.modules())
    with pytest.raises(ValueError, match='training mode is expected to be boolean'):
        m.train('yes')
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    assert seen[-1] == 'Net' and seen[0] == 'Linear'
    m(ember.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_to_double_float_keep_parameter_objects_and_grads():
    m = _net(ember)
    w = m.head.weight
    m(ember.randn(2, 3)).sum().backward()
    assert m.double() is m and m.head.weight is w
    assert w.dtype == ember.float64 and w.grad.dtype == ember.float64 and m.first.running.dtype == ember.float64
    m.to(ember.float32)
    assert w.dtype == ember.float32
    m.to('cpu', dtype=ember.float64)
    assert w.dtype == ember.float64
    m.to(ember.zeros(1))
    assert w.dtype == ember.float32
    m.half()
    assert w.dtype == ember.float16
    m.float()
    with pytest.raises(TypeError, match='only accepts floating point'):
        m.to(ember.int64)
    m.register_buffer('steps', ember.tensor(3))
    m.double()
    assert m.steps.dtype == ember.int64  # integer buffers keep their dtype
    m.cpu()


def test_forward_hooks_and_handles():
    m = nn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append(out.shape) or out + 1)
    out = m(ember.ones(3, 2))
    np.testing.assert_allclose(out.detach().numpy(), (m.bias.detach() + 1).expand(3, 2).numpy())
    assert calls == [(3, 2)]
    h1.remove()
    h2.remove()
    np.testing.assert_allclose(m(ember.ones(1, 2)).detach().numpy(), (m.weight.sum(1) + m.bias).detach().numpy()[None],
                               rtol=1e-6)
    with m.register_forward_pre_hook(lambda mod, args, kwargs: ((args[0] * 2,), kwargs), with_kwargs=True):
        m(ember.ones(1, 2))
    assert not m._forward_pre_hooks and not m._forward_pre_hooks_with_kwargs
    order = []
    m.register_forward_hook(lambda *a: order.append('a'))
    m.register_forward_hook(lambda *a: order.append('b'), prepend=True)
    m(ember.ones(1, 2))
    assert order == ['b', 'a']


@requires_torch
def test_full_backward_hook_matches_torch():
    results = []
    for lib in (ember, torch):
        lin = lib.nn.Linear(3, 2)
        lin.load_state_dict({'weight': lib.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3)),
                             'bias': lib.zeros(2)})
        seen = {}

        def hook(mod, grad_input, grad_output):
            seen['in'] = [g.detach().numpy().copy() for g in grad_input]
            seen['out'] = [g.detach().numpy().copy() for g in grad_output]
            return (grad_input[0] * 10,)
        lin.register_full_backward_hook(hook)
        x = lib.ones(4, 3, requires_grad=True)
        (lin(x) * 2).sum().backward()
        results.append((seen, x.grad.numpy().copy()))
    (e_seen, e_grad), (t_seen, t_grad) = results
    for key in ('in', 'out'):
        for a, b in zip(e_seen[key], t_seen[key]):
            np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(e_grad, t_grad)


class _Picklable(nn.Module):
    """Module-level (so pickle can find it) with a shared child, a Parameter and a buffer."""

    def __init__(self):
        super().__init__()
        self.first = nn.Linear(3, 3)
        self.shared = self.first
        self.scale = nn.Parameter(ember.ones(1))
        self.register_buffer('offset', ember.arange(3.0))
        self.head = nn.Sequential(nn.ReLU(), nn.Linear(3, 2))

    def forward(self, x):
        return self.head(self.shared(self.first(x)) * self.scale + self.offset)


def test_deepcopy_and_pickle_keep_structure_and_values():
    m = _Picklable()
    x = ember.randn(2, 3)
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert clone.shared is clone.first and clone.first is not m.first
        assert isinstance(clone.scale, nn.Parameter) and clone.scale.requires_grad
        np.testing.assert_allclose(clone(x).detach().numpy(), m(x).detach().numpy())
        with ember.no_grad():
            clone.head[1].weight.fill_(0)
        assert m.head[1].weight.detach().numpy().any()


def test_parameter_basics():
    t = ember.ones(2)
    p = nn.Parameter(t)
    assert isinstance(p, ember.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p) == 'Parameter containing:\ntensor([1., 1.], requires_grad=True)'
    assert repr(nn.Parameter(t, requires_grad=False)) == 'Parameter containing:\ntensor([1., 1.])'
    with ember.no_grad():
        p[0] = 5
    assert t[0].item() == 5  # shares memory with t
    assert type(p * 2) is ember.Tensor
    assert nn.Parameter().shape == (0,)
    q = pickle.loads(pickle.dumps(p))
    assert type(q) is nn.Parameter and q.requires_grad and q.tolist() == [5.0, 1.0]
    r = copy.deepcopy(p)
    assert type(r) is nn.Parameter and r.data_ptr() != p.data_ptr()
    with pytest.raises(RuntimeError, match='floating point'):
        nn.Parameter(ember.tensor([1, 2]))
    b = nn.Buffer(ember.ones(2))
    assert isinstance(b, nn.Buffer) and not isinstance(t, nn.Buffer)


@requires_torch
def test_repr_of_nested_modules_matches_torch():
    for lib_a, lib_b in ((ember, torch),):
        build = lambda lib: lib.nn.Sequential(OrderedDict([  # noqa: E731
            ('conv_like', lib.nn.Linear(4, 8)), ('act', lib.nn.ReLU(inplace=True)),
            ('inner', lib.nn.Sequential(lib.nn.Dropout(0.1), lib.nn.Linear(8, 2, bias=False))),
            ('flat', lib.nn.Flatten())]))
        assert repr(build(lib_a)) == repr(build(lib_b))


@requires_torch
def test_full_backward_pre_hook_replaces_grad_output_like_torch():
    results = []
    for lib in (ember, torch):
        lin = lib.nn.Linear(3, 2)
        seen = []
        lin.register_full_backward_pre_hook(lambda m, grad_output: (grad_output[0] * 3,))
        handle = lin.register_full_backward_hook(lambda m, gi, go: seen.append(go[0].sum().item()))
        lin(lib.ones(4, 3, requires_grad=True)).sum().backward()
        handle.remove()
        lin(lib.ones(4, 3, requires_grad=True)).sum().backward()
        results.append((seen, lin.bias.grad.numpy().tolist()))
    assert results[0] == results[1]
