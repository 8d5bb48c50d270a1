"""DataLoader throughput on MNIST with ToTensor + Normalize: ember against torch in the same run.

Usage: ``python -m benchmarks.dataloader [--workers 0 2] [--batch 64] [--epochs 3] [--limit N]``.

Reads MNIST from EMBER_MNIST_DIR (the four IDX files), else ember's bundled
6,000-image subset. ember runs ``vision.datasets.MNIST`` with
``vision.transforms`` and its own DataLoader; torch (torchvision is not
installed) runs its DataLoader over the same decoded uint8 images, building
the same PIL image per item and doing torchvision's ToTensor + Normalize by
hand with torch ops. Each epoch (shuffled, batch 64, worker start-up
included) is timed whole; the median epoch gives samples/s, and the ratio
is ember/torch (higher is better for ember). The CPU microseconds spent per
sample (main process and workers together) are printed too: on a busy
machine they compare the two implementations more reliably than wall time.
"""
import argparse
import os
import resource
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

MEAN, STD = 0.1307, 0.3081


def mnist_root():
    """EMBER_MNIST_DIR if set, else the bundled subset."""
    from ember.vision.datasets import bundled_mnist_root
    return os.environ.get('EMBER_MNIST_DIR') or bundled_mnist_root()


def ember_loader(num_workers, batch, limit):
    import ember
    from ember.utils.data import DataLoader, Subset
    from ember.vision import datasets, transforms
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((MEAN,), (STD,))])
    ds = datasets.MNIST(mnist_root(), train=True, transform=tf)
    if limit:
        ds = Subset(ds, range(min(limit, len(ds))))
    return DataLoader(ds, batch_size=batch, shuffle=True, num_workers=num_workers,
                      generator=ember.Generator().manual_seed(0)), len(ds)


def torch_loader(num_workers, batch, limit, images, labels):
    import torch
    from PIL import Image

    class TorchMNIST(torch.utils.data.Dataset):
        """torchvision's MNIST.__getitem__ with ToTensor + Normalize written out in torch ops."""

        def __init__(self, data, targets):
            self.data, self.targets = torch.from_numpy(data), torch.from_numpy(targets)
            self.mean, self.std = torch.tensor([MEAN]).view(-1, 1, 1), torch.tensor([STD]).view(-1, 1, 1)

        def __getitem__(self, i):
            img = Image.fromarray(self.data[i].numpy())
            x = torch.from_numpy(np.array(img, np.uint8, copy=True))
            x = x.view(img.size[1], img.size[0], 1).permute((2, 0, 1)).contiguous().to(torch.float32).div(255)
            x = x.sub(self.mean).div(self.std)
            return x, int(self.targets[i])

        def __len__(self):
            return len(self.data)

    n = min(limit, len(images)) if limit else len(images)
    ds = TorchMNIST(images[:n], labels[:n])
    return torch.utils.data.DataLoader(ds, batch_size=batch, shuffle=True, num_workers=num_workers,
                                       generator=torch.Generator().manual_seed(0)), n


def _cpu_seconds():
    """CPU time of this process and of its finished children (the workers, once an epoch has shut them down)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def time_epochs(loader, epochs):
    """(wall seconds, CPU seconds) per full epoch (iterator creation, i.e. worker start-up, included)."""
    times = []
    for _ in range(epochs + 1):  # the first epoch warms caches and imports
        start, cpu = time.perf_counter(), _cpu_seconds()
        for x, y in loader:
            pass
        times.append((time.perf_counter() - start, _cpu_seconds() - cpu))
    return times[1:]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--workers', type=int, nargs='*', default=[0, 2])
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--limit', type=int, default=20000, help='samples per epoch at most (0: all)')
    args = parser.parse_args(argv)
    from ember.vision.datasets import MNIST
    raw = MNIST(mnist_root(), train=True)
    images, labels = raw.data.numpy(), raw.targets.numpy()
    try:
        import torch
    except ImportError:
        torch = None
    print(f"# DataLoader throughput, MNIST train from {mnist_root()} ({os.cpu_count()} CPUs), batch {args.batch}, "
          f"ToTensor+Normalize, {time.strftime('%Y-%m-%d')}")
    print(f"{'num_workers':>11s} {'ember samples/s':>16s} {'torch samples/s':>16s} {'ember/torch':>12s}"
          f" {'ember CPU us/sample':>20s} {'torch CPU us/sample':>20s}")
    for nw in args.workers:
        loader, n = ember_loader(nw, args.batch, args.limit)
        runs = {'ember': time_epochs(loader, args.epochs)}
        del loader
        if torch is not None:
            tloader, _ = torch_loader(nw, args.batch, args.limit, images, labels)
            runs['torch'] = time_epochs(tloader, args.epochs)
            del tloader
        rate = {k: n / statistics.median(w for w, _ in v) for k, v in runs.items()}
        cpu = {k: statistics.median(c for _, c in v) / n * 1e6 for k, v in runs.items()}
        line = f"{nw:>11d} {rate['ember']:>16,.0f}"
        if 'torch' in rate:
            line += f" {rate['torch']:>16,.0f} {rate['ember'] / rate['torch']:>12.2f}"
        line += f" {cpu['ember']:>20,.1f}" + (f" {cpu['torch']:>20,.1f}" if 'torch' in cpu else '')
        print(line, flush=True)


if __name__ == '__main__':
    main()
