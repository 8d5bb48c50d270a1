"""Run one workload under one library in this process and print its timings as JSON.

Usage: ``python -m benchmarks.worker WORKLOAD ember|torch``. The parent
(benchmarks/run.py) starts one such process per measurement, alternating
libraries, so each side gets a fresh interpreter and neither warms the other.
"""
import json
import sys
import time


def load(lib):
    """Import ``lib`` as the module a PyTorch script calls ``torch``."""
    if lib == 'torch':
        import torch
        torch.set_num_threads(2)
        return torch
    import ember
    return ember


def measure(step, warmup, iters, inner=1):
    """Median and min seconds per call of ``step`` over ``iters`` timed calls of ``inner`` steps each."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        for _ in range(inner):
            step()
        times.append((time.perf_counter() - t0) / inner)
    times.sort()
    return times[len(times) // 2], times[0]


def main():
    from .workloads import WORKLOADS
    name, lib = sys.argv[1], sys.argv[2]
    spec = WORKLOADS[name]
    if spec.get('whole_process'):
        result = spec['run'](lib)
    else:
        torch = load(lib)
        step = spec['setup'](torch)
        median, best = measure(step, spec.get('warmup', 3), spec.get('iters', 20), spec.get('inner', 1))
        result = {'seconds': median, 'best': best}
        if 'extra' in spec:
            result.update(spec['extra'](torch, step))
    print(json.dumps(result))


if __name__ == '__main__':
    main()
