"""Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict, Flatten/Unflatten against torch."""
from collections import OrderedDict

import pytest

import ember
import ember.nn as nn
from tests.oracle import compare, compare_raises, randn, requires_torch, torch


def _layers(lib, n=3):
    return [lib.nn.Linear(2, 2) if i % 2 == 0 else lib.nn.ReLU() for i in range(n)]


@requires_torch
def test_sequential_indexing_slicing_and_keys_match_torch():
    e, t = nn.Sequential(*_layers(ember, 5)), torch.nn.Sequential(*_layers(torch, 5))
    assert repr(e) == repr(t) and len(e) == len(t) == 5
    assert isinstance(e[1:3], nn.Sequential) and repr(e[1:3]) == repr(t[1:3]) and repr(e[::-2]) == repr(t[::-2])
    assert e[-1] is e[4] and type(e[1]).__name__ == 'ReLU'
    assert list(e.state_dict()) == list(t.state_dict())
    with pytest.raises(IndexError, match='index 5 is out of range'):
        e[5]
    del e[1]
    del t[1]
    assert repr(e) == repr(t) and list(e.state_dict()) == list(t.state_dict())
    del e[1:3]
    del t[1:3]
    assert repr(e) == repr(t)


@requires_torch
def test_sequential_mutation_matches_torch():
    e, t = nn.Sequential(*_layers(ember, 2)), torch.nn.Sequential(*_layers(torch, 2))
    for lib, s in ((ember, e), (torch, t)):
        assert s.append(lib.nn.Tanh()) is s
        s.insert(1, lib.nn.Sigmoid())
        s.insert(-1, lib.nn.Identity())
        s.extend([lib.nn.Softsign()])
        s[0] = lib.nn.Linear(2, 3)
        s.pop(2)
    assert repr(e) == repr(t)
    assert repr(e + e) == repr(t + t) and len(e * 2) == len(t * 2)
    with pytest.raises(IndexError):
        e.insert(100, nn.ReLU())


@requires_torch
def test_sequential_ordered_dict_names_and_forward():
    build = lambda lib: lib.nn.Sequential(OrderedDict([('fc1', lib.nn.Linear(3, 4)), ('act', lib.nn.Tanh()),  # noqa
                                                       ('fc2', lib.nn.Linear(4, 2))]))
    e, t = build(ember), build(torch)
    assert repr(e) == repr(t) and list(e.state_dict()) == list(t.state_dict()) == \
        ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
    t.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in e.state_dict().items()})
    assert e.fc1 is e[0]
    compare(lambda x: (e if isinstance(x, ember.Tensor) else t)(x), randn(5, 3))


@requires_torch
def test_module_list_matches_torch():
    e, t = nn.ModuleList(_layers(ember, 3)), torch.nn.ModuleList(_layers(torch, 3))
    for lib, m in ((ember, e), (torch, t)):
        m.append(lib.nn.Linear(2, 2))
        m.extend([lib.nn.Linear(2, 2), lib.nn.Linear(2, 2)])
        m.insert(0, lib.nn.Tanh())
        m += [lib.nn.ReLU()]
        del m[2]
        m[1] = lib.nn.Sigmoid()
    assert repr(e) == repr(t)  # includes torch's "(3-5): 3 x Linear(...)" compression
    assert list(e.state_dict()) == list(t.state_dict()) and len(e) == len(t)
    assert repr(e[1:4]) == repr(t[1:4]) and isinstance(e[1:4], nn.ModuleList)
    assert [type(m).__name__ for m in e] == [type(m).__name__ for m in t]
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList())
    assert len(list(e.parameters())) == len(list(t.parameters()))
    with pytest.raises(IndexError, match='out of range'):
        e[len(e)]
    with pytest.raises(TypeError, match='iterable'):
        e.extend(3)
    with pytest.raises(NotImplementedError):
        e(ember.ones(1))


@requires_torch
def test_module_dict_matches_torch():
    build = lambda lib: lib.nn.ModuleDict({'b': lib.nn.Linear(2, 2), 'a': lib.nn.ReLU()})  # noqa: E731
    e, t = build(ember), build(torch)
    for lib, m in ((ember, e), (torch, t)):
        m['c'] = lib.nn.Tanh()
        m.update([('d', lib.nn.Linear(2, 1))])
        del m['a']
    assert repr(e) == repr(t) and list(e.keys()) == list(t.keys()) and list(e.state_dict()) == list(t.state_dict())
    assert 'c' in e and len(e) == 3 and e.pop('c').__class__.__name__ == 'Tanh' and 'c' not in e
    with pytest.raises(ValueError, match='has length 3; 2 is required'):
        e.update([('x', nn.ReLU(), 1)])
    with pytest.raises(TypeError):
        e.update(3)


@requires_torch
def test_parameter_list_and_dict_match_torch():
    for lib in (ember, torch):
        pl = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(2)), lib.ones(2, 3)])
        pl.append(lib.zeros(1))
        pd = lib.nn.ParameterDict({'w': lib.ones(2), 'a': lib.nn.Parameter(lib.zeros(3))})
        pd['z'] = lib.ones(1)
        holder = lib.nn.Module()
        holder.pl, holder.pd = pl, pd
        if lib is ember:
            e = (repr(pl), repr(pd), list(holder.state_dict()), [type(p).__name__ for p in pl], len(pd))
        else:
            t = (repr(pl), repr(pd), list(holder.state_dict()), [type(p).__name__ for p in pl], len(pd))
    assert e[0] == t[0].replace('torch.', 'ember.') and e[1] == t[1].replace('torch.', 'ember.')
    assert e[2:] == t[2:]


def test_parameter_containers_behave_like_list_and_dict():
    pl = nn.ParameterList([ember.ones(2), ember.ones(3)])
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in pl)
    assert len(pl[0:1]) == 1 and pl[-1].shape == (3,)
    with pytest.raises(IndexError):
        pl[2]
    with pytest.raises(RuntimeError, match='should not be called'):
        pl(1)
    pd = nn.ParameterDict()
    pd.update({'b': ember.ones(1), 'a': ember.ones(1)})
    assert list(pd) == ['a', 'b']  # torch sorts plain dicts in ParameterDict.update
    assert pd.get('zz') is None and pd.setdefault('c', ember.zeros(1)).shape == (1,)
    assert pd.pop('c').shape == (1,) and 'c' not in pd and list(pd.keys()) == ['a', 'b']
    with pytest.raises(TypeError, match='not a string'):
        pd[1] = ember.ones(1)
    assert [k for k, _ in pd.items()] == ['a', 'b'] and len(list(pd.values())) == 2


@requires_torch
@pytest.mark.parametrize('args', [(), (0, -1), (1, 2), (2, 3)])
def test_flatten_matches_torch(args):
    compare(lambda x: (nn if isinstance(x, ember.Tensor) else torch.nn).Flatten(*args)(x), randn(2, 3, 4, 5))
    assert repr(nn.Flatten(*args)) == repr(torch.nn.Flatten(*args))


@requires_torch
def test_unflatten_matches_torch():
    compare(lambda x: (nn if isinstance(x, ember.Tensor) else torch.nn).Unflatten(1, (2, 6))(x), randn(3, 12))
    compare(lambda x: (nn if isinstance(x, ember.Tensor) else torch.nn).Unflatten(-1, (-1, 3))(x), randn(3, 12))
    assert repr(nn.Unflatten(1, (2, 6))) == repr(torch.nn.Unflatten(1, (2, 6)))
    compare_raises(lambda x: (nn if isinstance(x, ember.Tensor) else torch.nn).Unflatten(1, (5, 2))(x), randn(3, 12))
    with pytest.raises(TypeError):
        nn.Unflatten(1, (2.0, 6))
