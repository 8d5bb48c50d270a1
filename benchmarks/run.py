"""Time every workload under ember and torch in separate processes, alternating A B A B.

Prints, per workload, the median over rounds of each side's per-step time,
the min-max spread across rounds, and the ember/torch ratio (lower is better
for ember). Without torch installed only ember's numbers are printed.
"""
import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time

from .workloads import WORKLOADS


def _run_one(name, lib):
    env = dict(os.environ)
    out = subprocess.run([sys.executable, '-m', 'benchmarks.worker', name, lib], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))), env=env, timeout=900)
    if out.returncode != 0:
        raise RuntimeError(f"{name} under {lib} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def _fmt(seconds, unit):
    if unit == 'us':
        return f"{seconds * 1e6:9.2f} us"
    if unit == 's':
        return f"{seconds:9.3f} s "
    if unit == 'MiB':
        return f"{seconds * 1e3:9.1f} MiB"
    return f"{seconds * 1e3:9.3f} ms"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--only', nargs='*', help='workload names (default: all)')
    parser.add_argument('--rounds', type=int, default=3, help='A B rounds per workload')
    parser.add_argument('--json', help='write the numbers to this file')
    args = parser.parse_args(argv)
    have_torch = importlib.util.find_spec('torch') is not None
    names = args.only or list(WORKLOADS)
    libs = ['ember', 'torch'] if have_torch else ['ember']
    print(f"# ember vs torch on {platform.node() or 'this machine'} ({os.cpu_count()} CPUs, "
          f"{platform.processor() or platform.machine()}), {time.strftime('%Y-%m-%d')}")
    print(f"{'workload':34s} {'ember':>13s} {'torch':>13s} {'ratio':>7s}   spread (ember | torch)  notes")
    results = {}
    for name in names:
        spec = WORKLOADS[name]
        runs = {lib: [] for lib in libs}
        for _ in range(args.rounds):
            for lib in libs:
                runs[lib].append(_run_one(name, lib))
        row = {}
        for lib in libs:
            secs = [r['seconds'] for r in runs[lib]]
            row[lib] = {'median': _median(secs), 'min': min(secs), 'max': max(secs),
                        'extra': {k: v for k, v in runs[lib][-1].items() if k not in ('seconds', 'best')}}
        unit = spec.get('unit', 'ms')
        e = row['ember']['median']
        line = f"{name:34s} {_fmt(e, unit)}"
        spread = f"{_fmt(row['ember']['min'], unit).strip()}-{_fmt(row['ember']['max'], unit).strip()}"
        if have_torch:
            t = row['torch']['median']
            ratio = (t / e) if spec.get('higher_is_better') else (e / t)
            row['ratio'] = ratio
            line += f" {_fmt(t, unit)} {ratio:7.2f}"
            spread += f" | {_fmt(row['torch']['min'], unit).strip()}-{_fmt(row['torch']['max'], unit).strip()}"
        notes = '; '.join(f"{k}={v}" for lib in libs for k, v in
                          ((f"{lib}.{k}", v) for k, v in row[lib]['extra'].items()))
        print(f"{line}   {spread}  {notes}", flush=True)
        results[name] = row
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)
