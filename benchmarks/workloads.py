"""The benchmark workloads. Each ``setup(torch)`` gets ember or real torch under
the name ``torch`` and returns a zero-argument step to time, so both sides run
literally the same code."""
import os
import subprocess
import sys
import time

import numpy as np


def _mnist_arrays(n_train=None):
    """Real MNIST-shaped float32 data in memory: EMBER_MNIST_DIR if set, else the bundled subset."""
    from .data import load_mnist
    return load_mnist(n_train)


def add_small(n):
    def setup(torch):
        x, y = torch.ones(n), torch.ones(n)
        return lambda: x + y
    return setup


def chain10(torch):
    """Ten elementwise ops on a 100-element tensor that requires grad, then backward."""
    x = torch.ones(100, requires_grad=True)

    def step():
        y = x * 2
        y = y + 1
        y = y.exp()
        y = y * x
        y = y - 3
        y = y.tanh()
        y = y / 2
        y = y.relu()
        y = y * y
        y.sum().backward()
    return step


def matmul(n):
    def setup(torch):
        a = torch.randn(n, n)
        b = torch.randn(n, n)
        return lambda: a @ b
    return setup


def numpy_matmul_gflops(n):
    a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
    b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
    from .worker import measure
    med, _ = measure(lambda: a @ b, 3, 10)
    return 2 * n ** 3 / med / 1e9


def _mlp(nn):
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))


def _lenet(nn):
    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84),
                         nn.ReLU(), nn.Linear(84, 10))


def train_step(make_model, batch, flat):
    """One SGD-momentum step (zero_grad, forward, cross-entropy, backward, step) on a real MNIST batch."""
    def setup(torch):
        torch.manual_seed(0)
        model = make_model(torch.nn)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = torch.nn.CrossEntropyLoss()
        x, y = _mnist_arrays(batch)[:2]
        x, y = torch.from_numpy(x.reshape(batch, 784) if flat else x), torch.from_numpy(y)

        def step():
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        return step
    return setup


def mlp_step(batch):
    """MLP 784-512-256-10 training step."""
    return train_step(_mlp, batch, flat=True)


def lenet_step(batch):
    """LeNet-5 training step."""
    return train_step(_lenet, batch, flat=False)


def mnist_epoch(torch):
    """One epoch of MLP training with a shuffling DataLoader, then test accuracy."""
    DataLoader, TensorDataset = torch.utils.data.DataLoader, torch.utils.data.TensorDataset
    nn = torch.nn
    x, y, xt, yt = _mnist_arrays()
    train = TensorDataset(torch.from_numpy(x.reshape(len(x), 784)), torch.from_numpy(y))
    xt, yt = torch.from_numpy(xt.reshape(len(xt), 784)), torch.from_numpy(yt)
    state = {}

    def step():
        torch.manual_seed(0)
        model = _mlp(nn)
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()
        for xb, yb in DataLoader(train, batch_size=64, shuffle=True):
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
        with torch.no_grad():
            state['acc'] = (model(xt).argmax(1) == yt).float().mean().item()
    step.state = state
    return step


def dataloader_epoch(num_workers, limit=10000):
    """One shuffled epoch over MNIST with ToTensor+Normalize per sample (benchmarks/dataloader.py's loaders)."""
    def setup(torch):
        from . import dataloader as dl
        if torch.__name__ == 'ember':
            loader, n = dl.ember_loader(num_workers, 64, limit)
        else:
            from ember.vision.datasets import MNIST
            raw = MNIST(dl.mnist_root(), train=True)
            loader, n = dl.torch_loader(num_workers, 64, limit, raw.data.numpy(), raw.targets.numpy())

        def step():
            for _ in loader:
                pass
        step.samples = n
        return step
    return setup


def import_time(lib):
    """Whole-process ``python -c 'import LIB'`` wall time (median of 5)."""
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, '-c', f'import {lib}'], check=True)
        times.append(time.perf_counter() - t0)
    times.sort()
    return {'seconds': times[2], 'best': times[0]}


def peak_memory_mlp(lib):
    """Peak resident memory (MiB) of a process running 20 MLP training steps at batch 256."""
    code = ("import resource, benchmarks.worker as w, benchmarks.workloads as b; t = w.load(%r); "
            "s = b.mlp_step(256)(t); [s() for _ in range(20)]; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)" % lib)
    out = subprocess.run([sys.executable, '-c', code], check=True, capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    mib = float(out.stdout.strip().splitlines()[-1])
    return {'seconds': mib / 1e3, 'best': mib / 1e3}  # run.py prints unit 'MiB' as seconds * 1e3


WORKLOADS = {
    'add 1 element': {'setup': add_small(1), 'unit': 'us', 'iters': 20, 'inner': 2000},
    'add 100 elements': {'setup': add_small(100), 'unit': 'us', 'iters': 20, 'inner': 2000},
    '10-op chain + backward (per chain)': {'setup': chain10, 'unit': 'us', 'iters': 20, 'inner': 100},
    'matmul 256^3': {'setup': matmul(256), 'iters': 20, 'inner': 5,
                     'extra': lambda t, s: {'numpy_GFLOPs': round(numpy_matmul_gflops(256), 1)}},
    'matmul 1024^3': {'setup': matmul(1024), 'iters': 10,
                      'extra': lambda t, s: {'numpy_GFLOPs': round(numpy_matmul_gflops(1024), 1)}},
    'MLP step batch 64': {'setup': mlp_step(64), 'iters': 30, 'inner': 5},
    'MLP step batch 256': {'setup': mlp_step(256), 'iters': 30, 'inner': 2},
    'LeNet-5 step batch 64': {'setup': lenet_step(64), 'iters': 20, 'inner': 2},
    'MNIST MLP epoch (DataLoader)': {'setup': mnist_epoch, 'unit': 's', 'warmup': 0, 'iters': 1,
                                     'extra': lambda t, s: {'test_acc': round(s.state['acc'], 4)}},
    'DataLoader epoch, 0 workers': {'setup': dataloader_epoch(0), 'unit': 's', 'warmup': 1, 'iters': 3,
                                    'extra': lambda t, s: {'samples': s.samples}},
    'DataLoader epoch, 2 workers': {'setup': dataloader_epoch(2), 'unit': 's', 'warmup': 1, 'iters': 3,
                                    'extra': lambda t, s: {'samples': s.samples}},
    'import time': {'whole_process': True, 'run': import_time, 'unit': 's'},
    'peak RSS, MLP steps b256': {'whole_process': True, 'run': peak_memory_mlp, 'unit': 'MiB'},
}
