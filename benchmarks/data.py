"""MNIST held in memory for the benchmarks: the full set from EMBER_MNIST_DIR, else ember's bundled subset."""
import glob
import gzip
import os

import numpy as np


def _read_idx(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim))
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _find(root, stem):
    hits = sorted(glob.glob(os.path.join(root, '**', stem + '*'), recursive=True))
    if not hits:
        raise FileNotFoundError(f"no {stem}* under {root}")
    return hits[0]


def mnist_root():
    """Where the benchmark reads MNIST from."""
    root = os.environ.get('EMBER_MNIST_DIR')
    if root:
        return root
    import ember
    return os.path.join(os.path.dirname(ember.__file__), 'data')


def load_mnist(n_train=None):
    """(x_train, y_train, x_test, y_test): images N x 1 x 28 x 28 float32 after ToTensor+Normalize."""
    root = mnist_root()
    x = _read_idx(_find(root, 'train-images'))
    y = _read_idx(_find(root, 'train-labels'))
    xt = _read_idx(_find(root, 't10k-images'))
    yt = _read_idx(_find(root, 't10k-labels'))
    if n_train is not None:
        x, y = x[:n_train], y[:n_train]

    def norm(a):
        return ((a.astype(np.float32) / 255.0 - 0.1307) / 0.3081)[:, None]
    return norm(x), y.astype(np.int64), norm(xt), yt.astype(np.int64)
