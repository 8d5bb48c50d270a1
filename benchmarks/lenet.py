"""LeNet-5 training step (batch 64, 1x28x28 inputs) timed under ember and torch in the same run.

Usage: ``python -m benchmarks.lenet [--batch 64] [--repeats 20] [--profile]``. Prints
milliseconds per step (median after warm-up) for each library and the
ember/torch ratio (lower is better for ember), both in wall-clock time and in
CPU time of the process (all threads): on a busy machine the wall clock mostly
measures the scheduler, CPU time still measures the work. ``--profile`` prints
ember's cProfile top entries instead.
"""
import argparse
import os
import statistics
import time

import numpy as np


def lenet(nn):
    """LeNet-5 as a PyTorch user writes it."""
    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84),
                         nn.ReLU(), nn.Linear(84, 10))


def make_step(lib, batch, lr=0.01):
    """A closure running zero_grad, forward, cross-entropy, backward and an SGD update."""
    lib.manual_seed(0)
    model = lenet(lib.nn)
    rng = np.random.default_rng(0)
    x = lib.from_numpy(rng.standard_normal((batch, 1, 28, 28)).astype(np.float32))
    y = lib.from_numpy(rng.integers(0, 10, batch).astype(np.int64))
    params = list(model.parameters())

    def step():
        """One training step; returns the loss."""
        model.zero_grad()
        loss = lib.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= lr * p.grad
        return loss
    return step


def measure(step, warmup=3, repeats=20):
    """Median (wall seconds, CPU seconds) per call after ``warmup`` calls."""
    for _ in range(warmup):
        step()
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def main(argv=None):
    """Time both libraries (or profile ember) and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--profile', action='store_true', help="cProfile ember's step instead of timing")
    args = parser.parse_args(argv)
    import ember
    ember_step = make_step(ember, args.batch)
    if args.profile:
        import cProfile
        import pstats
        measure(ember_step, 3, 1)  # warm up
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.repeats):
            ember_step()
        prof.disable()
        pstats.Stats(prof).sort_stats('tottime').print_stats(25)
        return
    load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else 0.0
    if load > (os.cpu_count() or 1):
        print(f"note: load average {load:.1f} exceeds {os.cpu_count()} CPUs; wall-clock times are unreliable")
    e_wall, e_cpu = measure(ember_step, repeats=args.repeats)
    print(f"LeNet-5 train step, batch {args.batch}: ember {e_wall * 1e3:8.2f} ms wall {e_cpu * 1e3:8.2f} ms CPU")
    try:
        import torch
    except ImportError:
        print("torch is not installed: no ratio")
        return
    torch.set_num_threads(2)
    t_wall, t_cpu = measure(make_step(torch, args.batch), repeats=args.repeats)
    print(f"LeNet-5 train step, batch {args.batch}: torch {t_wall * 1e3:8.2f} ms wall {t_cpu * 1e3:8.2f} ms CPU")
    print(f"ember/torch ratio: {e_wall / t_wall:.2f} wall, {e_cpu / t_cpu:.2f} CPU")


if __name__ == '__main__':
    main()
