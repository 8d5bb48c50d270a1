"""ember.save / ember.load: torch's zip format both ways, weights_only refusal, atomic writes."""
import collections
import io
import os
import pickle

import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, torch


def _state():
    return collections.OrderedDict(
        w=ember.arange(6.).reshape(2, 3), b=ember.tensor([1, 2]), h=ember.tensor(1.5, dtype=ember.float16),
        flag=ember.tensor([True, False]), d=ember.tensor([0.25], dtype=ember.float64),
        strided=ember.arange(10.)[::3])


def _same(a, b):
    assert type(a) is type(b) or isinstance(a, ember.Tensor)
    if isinstance(a, ember.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert a == b


def test_round_trip_nested_containers(tmp_path):
    obj = {'model': _state(), 'epoch': 3, 'lr': [0.1, 0.01], 'name': 'run', 'pair': (1, None),
           'dtype': ember.float64, 'rng': ember.get_rng_state()}
    path = tmp_path / 'ckpt.pt'
    ember.save(obj, path)
    back = ember.load(path)
    _same(obj, back)
    assert isinstance(back['model'], collections.OrderedDict)


def test_file_objects(tmp_path):
    buf = io.BytesIO()
    ember.save({'x': ember.ones(2, 2)}, buf)
    buf.seek(0)
    assert ember.load(buf)['x'].tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_parameter_and_requires_grad_survive(tmp_path):
    p = ember.nn.Parameter(ember.randn(3))
    t = ember.randn(2, requires_grad=True)
    ember.save({'p': p, 't': t}, tmp_path / 'p.pt')
    back = ember.load(tmp_path / 'p.pt')
    assert isinstance(back['p'], ember.nn.Parameter) and back['p'].requires_grad
    assert back['t'].requires_grad
    np.testing.assert_array_equal(back['p'].detach().numpy(), p.detach().numpy())


@requires_torch
def test_torch_loads_ember_files(tmp_path):
    state = _state()
    state['p'] = ember.nn.Parameter(ember.ones(2))
    ember.save({'state': state, 'step': 7, 'dtype': ember.float16}, tmp_path / 'e.pt')
    back = torch.load(tmp_path / 'e.pt')
    assert back['step'] == 7 and back['dtype'] == torch.float16
    for k, v in state.items():
        assert str(back['state'][k].dtype) == 'torch.' + v.dtype.name
        np.testing.assert_array_equal(back['state'][k].detach().numpy(), v.detach().numpy())
    assert isinstance(back['state']['p'], torch.nn.Parameter)


@requires_torch
def test_ember_loads_torch_files(tmp_path):
    state = collections.OrderedDict(w=torch.arange(6.).reshape(2, 3), i=torch.tensor([1, 2], dtype=torch.int32),
                                    v=torch.arange(8.)[1::2], p=torch.nn.Parameter(torch.ones(2)),
                                    s=torch.tensor(2.5, dtype=torch.float64))
    torch.save({'sd': state, 'size': torch.Size([2, 3]), 'lr': 0.5}, tmp_path / 't.pt')
    back = ember.load(tmp_path / 't.pt')
    assert back['lr'] == 0.5 and tuple(back['size']) == (2, 3)
    for k, v in state.items():
        assert back['sd'][k].dtype.name == str(v.dtype).replace('torch.', '')
        np.testing.assert_array_equal(back['sd'][k].detach().numpy(), v.detach().numpy())
    assert isinstance(back['sd']['p'], ember.nn.Parameter)


@requires_torch
def test_model_state_dict_moves_both_ways(tmp_path):
    tm = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    torch.save(tm.state_dict(), tmp_path / 'm.pt')
    em = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.ReLU(), ember.nn.Linear(3, 2))
    em.load_state_dict(ember.load(tmp_path / 'm.pt'))
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(em(ember.from_numpy(x)).detach().numpy(),
                               tm(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    ember.save(em.state_dict(), tmp_path / 'e.pt')
    tm2 = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    tm2.load_state_dict(torch.load(tmp_path / 'e.pt'))
    np.testing.assert_allclose(tm2(torch.from_numpy(x)).detach().numpy(),
                               tm(torch.from_numpy(x)).detach().numpy(), rtol=1e-6)


class _Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned > /dev/null',))


def test_malicious_pickle_is_refused(tmp_path):
    ember.save({'x': ember.ones(1)}, tmp_path / 'ok.pt')
    # Rewrite data.pkl with a payload that would call os.system on load.
    import zipfile
    with zipfile.ZipFile(tmp_path / 'ok.pt') as src, zipfile.ZipFile(tmp_path / 'evil.pt', 'w') as dst:
        for name in src.namelist():
            data = src.read(name)
            if name.endswith('data.pkl'):
                data = pickle.dumps({'x': _Evil()}, protocol=2)
            dst.writestr(name, data)
    with pytest.raises(pickle.UnpicklingError, match='posix.system|os.system|unsupported global'):
        ember.load(tmp_path / 'evil.pt')


def test_weights_only_false_allows_trusted_objects(tmp_path):
    ember.save({'cls': collections.Counter('aab')}, tmp_path / 'c.pt')
    with pytest.raises(pickle.UnpicklingError):
        ember.load(tmp_path / 'c.pt')
    assert ember.load(tmp_path / 'c.pt', weights_only=False)['cls'] == collections.Counter('aab')


def test_truncated_file_names_the_file(tmp_path):
    path = tmp_path / 'ckpt.pt'
    ember.save({'x': ember.ones(100)}, path)
    data = path.read_bytes()
    bad = tmp_path / 'truncated.pt'
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(RuntimeError, match='truncated.pt'):
        ember.load(bad)
    bad.write_bytes(b'not a checkpoint at all')
    with pytest.raises(RuntimeError, match='truncated.pt'):
        ember.load(bad)


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / 'ckpt.pt'
    ember.save({'x': ember.ones(3)}, path)
    before = path.read_bytes()

    class Boom:
        def __reduce__(self):
            raise RuntimeError('crash mid-save')
    with pytest.raises(RuntimeError, match='crash mid-save'):
        ember.save({'x': ember.zeros(3), 'later': Boom()}, path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ['ckpt.pt']  # no temporary file left behind


def test_map_location_and_missing_cuda(tmp_path):
    ember.save({'x': ember.ones(2)}, tmp_path / 'x.pt')
    assert ember.load(tmp_path / 'x.pt', map_location='cpu')['x'].device.type == 'cpu'
    if not ember.cuda.is_available():
        with pytest.raises(RuntimeError, match='CUDA'):
            ember.load(tmp_path / 'x.pt', map_location='cuda')
