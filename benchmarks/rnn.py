"""Recurrent and attention layers (forward + backward) timed under ember and torch in the same run.

Usage: ``python -m benchmarks.rnn [--seq 50] [--batch 32] [--repeats 5]``. Prints milliseconds
per step (median after warm-up) for each library and the ember/torch ratio
(lower is better for ember) for a 2-layer RNN, LSTM and GRU (64 -> 128) and
a MultiheadAttention self-attention block (embed 128, 8 heads).
"""
import argparse

import numpy as np

from .lenet import measure


def make_step(lib, layer, seq, batch):
    """A closure running one forward and backward of ``layer`` on a fixed random batch."""
    lib.manual_seed(0)
    x_np = np.random.default_rng(0).standard_normal((seq, batch, 64 if layer != 'MHA' else 128))
    x = lib.from_numpy(x_np.astype(np.float32)).requires_grad_()
    if layer == 'MHA':
        model = lib.nn.MultiheadAttention(128, 8)
        forward = lambda: model(x, x, x)[0]  # noqa: E731
    else:
        model = getattr(lib.nn, layer)(64, 128, num_layers=2)
        forward = lambda: model(x)[0]  # noqa: E731

    def step():
        model.zero_grad()
        forward().sum().backward()
    return step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--seq', type=int, default=50)
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args(argv)
    import ember
    try:
        import torch
        torch.set_num_threads(2)
    except ImportError:
        torch = None
    for layer in ('RNN', 'LSTM', 'GRU', 'MHA'):
        t_ember = measure(make_step(ember, layer, args.seq, args.batch), warmup=1, repeats=args.repeats)
        line = f"{layer:5s} seq {args.seq} batch {args.batch}: ember {t_ember * 1e3:8.2f} ms"
        if torch is not None:
            t_torch = measure(make_step(torch, layer, args.seq, args.batch), warmup=1, repeats=args.repeats)
            line += f"  torch {t_torch * 1e3:8.2f} ms  ember/torch {t_ember / t_torch:.2f}"
        print(line)


if __name__ == '__main__':
    main()
