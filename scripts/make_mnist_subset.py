"""Make ember's bundled MNIST subset (ember/data/): a stratified, deterministic sample of the real files.

    python scripts/make_mnist_subset.py /path/to/mnist            # 600 train + 100 test images per digit
    python scripts/make_mnist_subset.py /path/to/mnist --train-per-class 600 --test-per-class 100

Each digit keeps the first N of a permutation drawn with a fixed seed; the
chosen images stay in their original order. The output is gzipped IDX with
a zero timestamp, so the same input always gives byte-identical files.
"""
import argparse
import gzip
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ember.vision.datasets.mnist import read_idx  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'ember', 'data')


def stratified(labels, per_class, seed):
    """Sorted indices: ``per_class`` random picks of each label (fewer if a label is rarer)."""
    rng = np.random.default_rng(seed)
    picks = [rng.permutation(np.flatnonzero(labels == c))[:per_class] for c in np.unique(labels)]
    return np.sort(np.concatenate(picks))


def write_idx(path, array):
    """Write a uint8 array as gzipped IDX (magic 0x0000080N, big-endian sizes)."""
    header = bytes([0, 0, 0x08, array.ndim]) + b''.join(int(n).to_bytes(4, 'big') for n in array.shape)
    with open(path, 'wb') as raw, gzip.GzipFile(filename='', mode='wb', fileobj=raw, mtime=0,
                                                compresslevel=9) as f:
        f.write(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('source', help='folder with the four official MNIST IDX files (.gz or raw)')
    parser.add_argument('--out', default=OUT)
    parser.add_argument('--train-per-class', type=int, default=600)
    parser.add_argument('--test-per-class', type=int, default=100)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for prefix, per_class in (('train', args.train_per_class), ('t10k', args.test_per_class)):
        paths = {kind: os.path.join(args.source, f'{prefix}-{kind}-idx{n}-ubyte')
                 for kind, n in (('images', 3), ('labels', 1))}
        paths = {k: p + '.gz' if os.path.exists(p + '.gz') else p for k, p in paths.items()}
        images, labels = read_idx(paths['images'], 3), read_idx(paths['labels'], 1)
        keep = stratified(labels, per_class, args.seed)
        write_idx(os.path.join(args.out, f'{prefix}-images-idx3-ubyte.gz'), images[keep])
        write_idx(os.path.join(args.out, f'{prefix}-labels-idx1-ubyte.gz'), labels[keep])
        print(f'{prefix}: {len(keep)} of {len(labels)} images, per class {np.bincount(labels[keep]).tolist()}')


if __name__ == '__main__':
    main()
