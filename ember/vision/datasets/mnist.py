"""MNIST and FashionMNIST: 28x28 grey images with labels, read from IDX files (gzipped or not).

Files are looked for in ``root/<ClassName>/raw/`` (torchvision's layout) and
then directly in ``root``. A small real subset of MNIST ships with ember::

    >>> from ember.vision.datasets import MNIST, bundled_mnist_root
    >>> train = MNIST(bundled_mnist_root(), train=True)    # 6,000 images, 600 per digit
    >>> test = MNIST(bundled_mnist_root(), train=False)    # 1,000 images, 100 per digit
"""
import gzip
import os
import zlib

import numpy as np

import ember
from .utils import download_url
from .vision import VisionDataset
from .. import pil_image

__all__ = ['MNIST', 'FashionMNIST', 'bundled_mnist_root', 'read_idx']

# IDX type codes: https://yann.lecun.com/exdb/mnist/ (the "THE IDX FILE FORMAT" section).
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype('>i2'), 0x0C: np.dtype('>i4'),
              0x0D: np.dtype('>f4'), 0x0E: np.dtype('>f8')}


def bundled_mnist_root():
    """The directory holding ember's bundled MNIST subset (6,000 train + 1,000 test, stratified by digit).

    Pass it as ``root`` to :class:`MNIST`; it needs no network. See ``ember/data/README.md`` for the licence.
    """
    return os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), 'data')


def _read_bytes(path):
    try:
        if path.endswith('.gz'):
            with gzip.open(path, 'rb') as f:
                return f.read()
        with open(path, 'rb') as f:
            return f.read()
    except (OSError, EOFError, zlib.error) as e:
        raise RuntimeError(f"Could not read {path}: {e} (the file is corrupt or truncated; delete it and "
                           f"download again)") from e


def read_idx(path, expected_ndim=None):
    """Read an IDX file (``.gz`` or raw) into a NumPy array, with errors that name the file.

    Raises:
        RuntimeError: bad magic number, unexpected number of dimensions, or truncated data.
    """
    data = _read_bytes(path)
    if len(data) < 4:
        raise RuntimeError(f"{path} is truncated: {len(data)} bytes, too short for an IDX header")
    zero, type_code, ndim = int.from_bytes(data[:2], 'big'), data[2], data[3]
    if zero != 0 or type_code not in _IDX_TYPES or ndim == 0:
        raise RuntimeError(f"{path} is not an IDX file: bad magic number 0x{data[:4].hex()} (expected 0x0000 "
                           f"followed by a type code and a dimension count, e.g. 0x00000803 for images)")
    if expected_ndim is not None and ndim != expected_ndim:
        raise RuntimeError(f"{path}: expected an IDX file with {expected_ndim} dimension(s), but its magic number "
                           f"0x{data[:4].hex()} says {ndim}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise RuntimeError(f"{path} is truncated: the header needs {header} bytes, the file has {len(data)}")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim))
    dtype = np.dtype(_IDX_TYPES[type_code])
    need = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header < need:
        raise RuntimeError(f"{path} is truncated: the header promises shape {shape} ({need} bytes of data) but "
                           f"only {len(data) - header} bytes follow")
    arr = np.frombuffer(data, dtype, count=int(np.prod(shape)), offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder('='))


class MNIST(VisionDataset):
    """The MNIST digits: items are ``(PIL image 'L' 28x28, int label)``.

    Args:
        root: directory with the IDX files, in ``root/MNIST/raw/`` or directly in ``root``.
        train: the 60,000 training images (else the 10,000 test images).
        transform: applied to the PIL image (e.g. ``transforms.ToTensor()``).
        target_transform: applied to the label.
        download: fetch the files into ``root/MNIST/raw/`` if missing (MD5-checked; no network when present).

    Attributes:
        data: uint8 tensor (N, 28, 28); targets: int64 tensor (N,); classes; class_to_idx.
    """

    mirrors = ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/']
    resources = [('train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'),
                 ('train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'),
                 ('t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'),
                 ('t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c')]
    classes = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven',
               '8 - eight', '9 - nine']

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        prefix = 'train' if train else 't10k'
        images_path = self._find(f'{prefix}-images-idx3-ubyte')
        labels_path = self._find(f'{prefix}-labels-idx1-ubyte')
        images = read_idx(images_path, expected_ndim=3)
        labels = read_idx(labels_path, expected_ndim=1)
        if images.dtype != np.uint8:
            raise RuntimeError(f"{images_path}: expected uint8 images (IDX type 0x08), got {images.dtype}")
        if len(images) != len(labels):
            raise RuntimeError(f"{type(self).__name__}: {images_path} holds {len(images)} images but {labels_path} "
                               f"holds {len(labels)} labels")
        self.data = ember.from_numpy(np.ascontiguousarray(images))
        self.targets = ember.from_numpy(labels.astype(np.int64))

    @property
    def raw_folder(self):
        """``root/<ClassName>/raw``, where downloads go."""
        return os.path.join(self.root, type(self).__name__, 'raw')

    def _search_dirs(self):
        return [self.raw_folder, self.root]

    @staticmethod
    def _path(directory, stem):
        """``directory/stem.gz`` or ``directory/stem``, whichever exists, else None."""
        for name in (stem + '.gz', stem):
            if os.path.isfile(os.path.join(directory, name)):
                return os.path.join(directory, name)
        return None

    def _find(self, stem):
        """The path of ``stem`` or ``stem.gz`` in the search directories, else a RuntimeError saying where."""
        for d in self._search_dirs():
            path = self._path(d, stem)
            if path is not None:
                return path
        raise RuntimeError(f"Dataset not found: no {stem}[.gz] in {' or '.join(self._search_dirs())}. "
                           f"Use download=True to fetch it, or copy the four IDX files there "
                           f"(ember.vision.datasets.bundled_mnist_root() has a small MNIST subset).")

    def _check_exists(self):
        stems = [name[:-len('.gz')] for name, _ in self.resources]
        return any(all(self._path(d, s) is not None for s in stems) for d in self._search_dirs())

    def download(self):
        """Fetch the missing files from the mirrors into ``raw_folder`` (MD5-checked, no partial files)."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            if self._path(self.raw_folder, filename[:-len('.gz')]) is not None:
                continue
            errors = []
            for mirror in self.mirrors:
                try:
                    download_url(mirror + filename, self.raw_folder, filename, md5)
                    break
                except RuntimeError as e:
                    errors.append(str(e))
            else:
                raise RuntimeError(f"Error downloading {filename}:\n" + '\n'.join(errors))

    def __getitem__(self, index):
        img = pil_image().fromarray(self.data._data[index])  # a 2-D uint8 array is mode 'L'
        return self._apply(img, int(self.targets._data[index]))

    def __len__(self):
        return len(self.data)

    @property
    def class_to_idx(self):
        """Class name -> label."""
        return {c: i for i, c in enumerate(self.classes)}

    @property
    def train_data(self):
        """Alias of ``data`` (torchvision's old name)."""
        return self.data

    @property
    def train_labels(self):
        """Alias of ``targets`` (torchvision's old name)."""
        return self.targets

    test_data = train_data
    test_labels = train_labels

    def extra_repr(self):
        return f"Split: {'Train' if self.train else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: the same IDX format and layout as MNIST, ten clothing classes."""

    mirrors = ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/']
    resources = [('train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'),
                 ('train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'),
                 ('t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'),
                 ('t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310')]
    classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag',
               'Ankle boot']
