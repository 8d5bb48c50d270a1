"""``python -m ember.drop_in``: unmodified PyTorch scripts run on ember through the import hook.

Each script under ``scripts/`` is ordinary PyTorch code (``import torch``,
``from torchvision import ...``). It runs in a subprocess through the drop-in
runner; where it needs no torchvision it also runs under real torch, and the
two runs must print the same numbers. Every drop-in run also checks, at exit,
that real torch was never imported.
"""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from ember.vision.datasets import bundled_mnist_root
from tests.oracle import requires_torch, torch

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, 'scripts')
REPO = os.path.dirname(os.path.dirname(HERE))
TIMEOUT = 240  # generous: the suite may share 2 cores with other jobs

# Runs ember.drop_in as ``__main__`` exactly as ``python -m ember.drop_in`` does, after registering an
# exit check that real torch stayed out of sys.modules (its package directory is found by the path
# finder, which the hook does not intercept, so looking it up imports nothing).
_CHECKED_RUNNER = r'''
import atexit, importlib.machinery, os, runpy, sys
def _check():
    import ember
    spec = importlib.machinery.PathFinder.find_spec('torch')
    real = os.path.dirname(spec.origin) if spec is not None and spec.origin else None
    bad = sorted(n for n, m in list(sys.modules.items())
                 if real and (getattr(m, '__file__', None) or '').startswith(real + os.sep))
    ok = sys.modules.get('torch') in (None, ember) and not bad
    sys.stderr.write('[drop-in check] ' + ('ok' if ok else 'REAL TORCH IMPORTED: %s' % bad[:5]) + '\n')
atexit.register(_check)
sys.argv = ['-m'] + sys.argv[1:]
runpy.run_module('ember.drop_in', run_name='__main__', alter_sys=True)
'''


def _env():
    env = dict(os.environ)
    env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
    env['OMP_NUM_THREADS'] = '1'  # torch's thread pool thrashes on a shared 2-core machine
    env['PYTHONUNBUFFERED'] = '1'
    return env


def start_drop_in(script, *args, cwd):
    """Start ``python -m ember.drop_in scripts/<script> args...`` (with the no-real-torch exit check)."""
    cmd = [sys.executable, '-c', _CHECKED_RUNNER, os.path.join(SCRIPTS, script), *map(str, args)]
    return subprocess.Popen(cmd, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def start_torch(script, *args, cwd):
    """Start ``python scripts/<script> args...`` under real torch."""
    cmd = [sys.executable, os.path.join(SCRIPTS, script), *map(str, args)]
    return subprocess.Popen(cmd, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc, drop_in=True):
    """Wait for a started run; return its stdout after checking it succeeded (and kept real torch out)."""
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"{proc.args[-1]} timed out after {TIMEOUT}s\nstdout:\n{out[-2000:]}\nstderr:\n{err[-2000:]}")
    assert proc.returncode == 0, f"exit code {proc.returncode}\nstdout:\n{out[-3000:]}\nstderr:\n{err[-3000:]}"
    if drop_in:
        assert '[drop-in check] ok' in err, f"real torch was imported by the drop-in run:\n{err[-2000:]}"
    return out


def floats(pattern, text):
    """All numbers captured by ``pattern``'s first group, as floats."""
    return [float(v) for v in re.findall(pattern, text)]


# ---------------------------------------------------------------------------------------------- the hook


def run_snippet(tmp_path, code, *args):
    """Run a small script through ``python -m ember.drop_in`` itself; return (returncode, stdout, stderr)."""
    path = tmp_path / 'snippet.py'
    path.write_text(code)
    proc = subprocess.run([sys.executable, '-m', 'ember.drop_in', str(path), *args], cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, timeout=TIMEOUT)
    return proc.returncode, proc.stdout, proc.stderr


def test_hook_maps_torch_and_torchvision_to_ember(tmp_path):
    code = '''
import sys
import torch
import torch.nn.functional as F
import torch.nn as nn
from torch.utils.data import DataLoader
from torchvision import transforms
import torchvision.transforms.functional as TF
from torchvision.utils import save_image
import ember, ember.nn.functional, ember.vision.transforms, ember.vision.transforms.functional, ember.vision.utils
assert torch is ember, torch
assert F is ember.nn.functional and nn is ember.nn
assert sys.modules['torch.nn.functional'] is ember.nn.functional
assert transforms is ember.vision.transforms and TF is ember.vision.transforms.functional
assert save_image is ember.vision.utils.save_image
assert DataLoader is ember.utils.data.DataLoader
assert __name__ == '__main__'
print('argv', sys.argv[1:], 'script', sys.argv[0].endswith('snippet.py'))
print('sum', torch.ones(2, 3).sum().item())
'''
    rc, out, err = run_snippet(tmp_path, code, '--flag', '3')
    assert rc == 0, err
    assert "argv ['--flag', '3'] script True" in out
    assert 'sum 6.0' in out


def test_hook_missing_module_is_a_clear_import_error(tmp_path):
    code = '''
try:
    import torch.no_such_module
except ImportError as e:
    print('ImportError:', e)
try:
    import torchvision.no_such_module
except ImportError as e:
    print('ImportError:', e)
try:
    from torchvision import no_such_thing
except ImportError as e:
    print('ImportError:', e)
'''
    rc, out, err = run_snippet(tmp_path, code)
    assert rc == 0, err
    first, second, third = out.strip().splitlines()
    assert 'torch.no_such_module' in first and 'ember.no_such_module' in first
    assert 'torchvision.no_such_module' in second and 'ember.vision.no_such_module' in second
    assert 'no_such_thing' in third


def test_runner_usage():
    env = _env()
    ok = subprocess.run([sys.executable, '-m', 'ember.drop_in', '--help'], env=env, capture_output=True, text=True,
                        timeout=TIMEOUT)
    assert ok.returncode == 0 and 'script.py' in ok.stdout
    bare = subprocess.run([sys.executable, '-m', 'ember.drop_in'], env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert bare.returncode != 0


def test_hook_uncaught_error_in_script_fails_the_run(tmp_path):
    rc, out, err = run_snippet(tmp_path, 'import torch\ntorch.ones(2) + torch.ones(3)\n')
    assert rc != 0
    assert 'RuntimeError' in err


# ------------------------------------------------------------------------------------------- the scripts


def torch_mnist_net():
    """scripts/mnist_cnn.py's Net built with real torch (that script imports torchvision, which torch lacks here)."""
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):  # eval mode: the dropouts are identities
            x = F.max_pool2d(F.relu(self.conv2(F.relu(self.conv1(x)))), 2)
            return F.log_softmax(self.fc2(F.relu(self.fc1(torch.flatten(x, 1)))), dim=1)

    return Net()


def test_mnist_cnn(tmp_path):
    limit = 256
    proc = start_drop_in('mnist_cnn.py', '--data', bundled_mnist_root(), '--limit', limit, '--batch-size', 32,
                         '--epochs', 1, '--log-interval', 4, '--save-model', cwd=tmp_path)
    out = finish(proc)
    assert 'Train Epoch: 1' in out
    m = re.search(r'Accuracy: (\d+)/(\d+)', out)
    assert m, out
    correct, total = int(m.group(1)), int(m.group(2))
    assert total == limit
    assert correct / total > 0.2, out  # chance is 0.1; 8 Adadelta steps reach ~0.5
    assert (tmp_path / 'mnist_cnn.pt').is_file()
    if torch is None:
        return
    # The checkpoint opens in real torch (weights_only) and, loaded into the same architecture,
    # scores the same test accuracy as the script printed.
    state = torch.load(tmp_path / 'mnist_cnn.pt')
    net = torch_mnist_net()
    net.load_state_dict(state)
    net.eval()
    from ember.vision.datasets import MNIST
    test_set = MNIST(bundled_mnist_root(), train=False)
    images = test_set.data[:limit].numpy().astype(np.float32) / 255
    labels = test_set.targets[:limit].numpy()
    x = torch.from_numpy((images[:, None] - 0.1307) / 0.3081)
    with torch.no_grad():
        pred = net(x).argmax(1).numpy()
    assert abs(int((pred == labels).sum()) - correct) <= 1


@requires_torch
def test_regression_matches_torch(tmp_path):
    ember_run = start_drop_in('regression.py', cwd=tmp_path)
    torch_run = start_torch('regression.py', cwd=tmp_path)
    e_out, t_out = finish(ember_run), finish(torch_run, drop_in=False)
    e = floats(r'final \w+ loss: ([0-9.e+-]+)', e_out)
    t = floats(r'final \w+ loss: ([0-9.e+-]+)', t_out)
    assert len(e) == len(t) == 2, e_out
    assert e[0] < 0.05 and e[1] < 1e-3, e_out  # converged (the start is ~10 and ~30)
    np.testing.assert_allclose(e, t, atol=1e-4, rtol=1e-2)
    # The per-step losses follow torch's trajectory too.
    np.testing.assert_allclose(floats(r'loss ([0-9.]+)\n', e_out), floats(r'loss ([0-9.]+)\n', t_out),
                               atol=1e-4, rtol=1e-3)


@requires_torch
def test_lstm_lbfgs_matches_torch(tmp_path):
    (tmp_path / 'ember').mkdir()
    (tmp_path / 'torch').mkdir()
    ember_run = start_drop_in('lstm_lbfgs.py', '--out', tmp_path / 'ember', '--plot', cwd=tmp_path)
    torch_run = start_torch('lstm_lbfgs.py', '--out', tmp_path / 'torch', cwd=tmp_path)
    e_out, t_out = finish(ember_run), finish(torch_run, drop_in=False)
    e_loss = floats(r'(?m)^loss: ([0-9.e+-]+)$', e_out)
    t_loss = floats(r'(?m)^loss: ([0-9.e+-]+)$', t_out)
    assert len(e_loss) == len(t_loss) > 2, (e_out, t_out)  # L-BFGS made as many closure calls as torch's
    np.testing.assert_allclose(e_loss, t_loss, rtol=1e-6, atol=1e-9)
    e_test, t_test = floats(r'test loss: ([0-9.e+-]+)', e_out), floats(r'test loss: ([0-9.e+-]+)', t_out)
    assert e_test[-1] < e_test[0], e_out  # training helps
    np.testing.assert_allclose(e_test, t_test, rtol=1e-6, atol=1e-9)
    e_pred, t_pred = np.load(tmp_path / 'ember' / 'predictions.npy'), np.load(tmp_path / 'torch' / 'predictions.npy')
    assert e_pred.shape == t_pred.shape == (3, 29 + 20)  # 3 test waves, 29 inputs + 20 predicted values
    np.testing.assert_allclose(e_pred, t_pred, atol=1e-6)
    assert (tmp_path / 'ember' / 'predict1.png').stat().st_size > 0  # matplotlib drew ember's predictions


def test_vae_writes_sample_grids(tmp_path):
    from PIL import Image
    out_dir = tmp_path / 'results'
    proc = start_drop_in('vae.py', '--data', bundled_mnist_root(), '--limit', 512, '--batch-size', 64,
                         '--epochs', 2, '--out', out_dir, cwd=tmp_path)
    out = finish(proc)
    train_loss = floats(r'Epoch: \d+ Average loss: ([0-9.]+)', out)
    test_loss = floats(r'Test set loss: ([0-9.]+)', out)
    assert len(train_loss) == len(test_loss) == 2, out
    assert train_loss[1] < train_loss[0] and test_loss[1] < test_loss[0], out
    assert test_loss[1] < 400, out  # a flat 0.5 everywhere would cost 784 * ln 2 = 543 per image
    for epoch in (1, 2):
        # 64 samples in an 8x8 grid of 28-pixel tiles with 2-pixel padding: 8 * 30 + 2 = 242.
        with Image.open(out_dir / f'sample_{epoch}.png') as im:
            im.load()
            assert im.size == (242, 242) and im.mode == 'RGB'
            assert np.asarray(im).std() > 1  # not a blank image
        # 8 originals above their 8 reconstructions.
        with Image.open(out_dir / f'reconstruction_{epoch}.png') as im:
            im.load()
            assert im.size == (242, 62)
