"""MNIST/FashionMNIST from real gzipped IDX files written here; downloads against fake servers only."""
import gzip
import io
import os

import numpy as np
import pytest

import ember
from ember.vision.datasets import MNIST, FashionMNIST, bundled_mnist_root
from ember.vision.datasets import utils as dl_utils

pytest.importorskip("PIL")


def idx_bytes(array, type_code=0x08):
    header = bytes([0, 0, type_code, array.ndim]) + b''.join(int(n).to_bytes(4, 'big') for n in array.shape)
    return header + array.astype('>u1' if type_code == 0x08 else array.dtype).tobytes()


def write(path, data, gz=True):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if gz:
        with gzip.open(path + '.gz', 'wb') as f:
            f.write(data)
    else:
        with open(path, 'wb') as f:
            f.write(data)


def make_split(folder, prefix='train', n=5, gz=True, seed=0, n_labels=None):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n_labels or n, dtype=np.uint8)
    write(os.path.join(folder, f'{prefix}-images-idx3-ubyte'), idx_bytes(images), gz)
    write(os.path.join(folder, f'{prefix}-labels-idx1-ubyte'), idx_bytes(labels), gz)
    return images, labels


def test_reads_gzipped_files_in_torchvision_layout(tmp_path):
    images, labels = make_split(str(tmp_path / 'MNIST' / 'raw'))
    ds = MNIST(str(tmp_path))
    assert len(ds) == 5 and ds.data.dtype == ember.uint8 and ds.targets.dtype == ember.int64
    img, target = ds[3]
    assert img.mode == 'L' and img.size == (28, 28) and isinstance(target, int)
    np.testing.assert_array_equal(np.asarray(img), images[3])
    assert target == labels[3]
    assert ds.class_to_idx['3 - three'] == 3 and "Split: Train" in repr(ds)


def test_reads_raw_files_directly_in_root_and_test_split(tmp_path):
    images, labels = make_split(str(tmp_path), 't10k', n=4, gz=False)
    ds = MNIST(str(tmp_path), train=False)
    np.testing.assert_array_equal(ds.data.numpy(), images)
    assert ds.targets.tolist() == labels.tolist()


def test_fashion_mnist_and_transforms(tmp_path):
    images, labels = make_split(str(tmp_path / 'FashionMNIST' / 'raw'), n=3)
    ds = FashionMNIST(str(tmp_path), transform=lambda im: np.asarray(im).sum(), target_transform=lambda t: -t)
    x, y = ds[1]
    assert x == images[1].astype(np.int64).sum() and y == -int(labels[1])
    assert ds.classes[9] == 'Ankle boot'


def test_missing_files_say_where_and_how(tmp_path):
    with pytest.raises(RuntimeError) as e:
        MNIST(str(tmp_path))
    msg = str(e.value)
    assert 'train-images-idx3-ubyte' in msg and str(tmp_path / 'MNIST' / 'raw') in msg and 'download=True' in msg


def test_truncated_file_named(tmp_path):
    make_split(str(tmp_path))
    images = np.zeros((5, 28, 28), np.uint8)
    write(str(tmp_path / 'train-images-idx3-ubyte'), idx_bytes(images)[:-100])
    with pytest.raises(RuntimeError, match=r"train-images-idx3-ubyte\.gz is truncated"):
        MNIST(str(tmp_path))


def test_bad_magic_named(tmp_path):
    make_split(str(tmp_path))
    write(str(tmp_path / 'train-labels-idx1-ubyte'), b'\x12\x34\x08\x01' + bytes(8))
    with pytest.raises(RuntimeError, match=r"train-labels-idx1-ubyte\.gz is not an IDX file: bad magic"):
        MNIST(str(tmp_path))
    write(str(tmp_path / 'train-labels-idx1-ubyte'), idx_bytes(np.zeros((5, 2), np.uint8)))
    with pytest.raises(RuntimeError, match=r"train-labels-idx1-ubyte\.gz: expected an IDX file with 1 dim"):
        MNIST(str(tmp_path))


def test_corrupt_gzip_named(tmp_path):
    make_split(str(tmp_path))
    path = tmp_path / 'train-images-idx3-ubyte.gz'
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(RuntimeError, match=r"Could not read .*train-images-idx3-ubyte\.gz"):
        MNIST(str(tmp_path))


def test_count_mismatch_names_both_files(tmp_path):
    make_split(str(tmp_path), n=5, n_labels=4)
    with pytest.raises(RuntimeError, match=r"holds 5 images but .*train-labels-idx1-ubyte\.gz holds 4 labels"):
        MNIST(str(tmp_path))


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _serve(monkeypatch, files, calls):
    def opener(url, timeout):
        calls.append(url)
        name = url.rsplit('/', 1)[1]
        if name not in files:
            raise OSError(f"404 {url}")
        return FakeResponse(files[name])
    monkeypatch.setattr(dl_utils, '_urlopen', opener)


def test_download_noop_when_files_present(tmp_path, monkeypatch):
    make_split(str(tmp_path / 'MNIST' / 'raw'), 'train')
    make_split(str(tmp_path / 'MNIST' / 'raw'), 't10k')
    calls = []
    _serve(monkeypatch, {}, calls)
    assert len(MNIST(str(tmp_path), download=True)) == 5
    assert calls == []


def test_download_fetches_checks_md5_and_reads(tmp_path, monkeypatch):
    src = tmp_path / 'src'
    make_split(str(src), 'train')
    make_split(str(src), 't10k')
    files = {p.name: p.read_bytes() for p in src.iterdir()}
    resources = [(name, dl_utils.calculate_md5(str(src / name))) for name, _ in MNIST.resources]
    monkeypatch.setattr(MNIST, 'resources', resources)
    monkeypatch.setattr(MNIST, 'mirrors', ['http://127.0.0.1:9/a/', 'http://127.0.0.1:9/b/'])
    calls = []
    _serve(monkeypatch, files, calls)
    ds = MNIST(str(tmp_path / 'root'), download=True)
    assert len(ds) == 5 and len(calls) == 4
    assert sorted(os.listdir(tmp_path / 'root' / 'MNIST' / 'raw')) == sorted(files)


def test_download_md5_mismatch_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(MNIST, 'mirrors', ['http://127.0.0.1:9/'])
    _serve(monkeypatch, {name: b'not the file' for name, _ in MNIST.resources}, [])
    with pytest.raises(RuntimeError, match="MD5 mismatch"):
        MNIST(str(tmp_path), download=True)
    assert os.listdir(tmp_path / 'MNIST' / 'raw') == []


def test_download_failure_on_unreachable_host_leaves_nothing(tmp_path, monkeypatch):
    # Port 9 on the loopback interface: the connection is refused at once, no real host is contacted.
    monkeypatch.setattr(MNIST, 'mirrors', ['http://127.0.0.1:9/'])
    with pytest.raises(RuntimeError, match=r"Error downloading train-images-idx3-ubyte\.gz"):
        MNIST(str(tmp_path), download=True)
    assert os.listdir(tmp_path / 'MNIST' / 'raw') == []


def test_bundled_subset_is_stratified():
    train, test = MNIST(bundled_mnist_root()), MNIST(bundled_mnist_root(), train=False)
    assert len(train) == 6000 and len(test) == 1000
    assert np.bincount(train.targets.numpy()).tolist() == [600] * 10
    assert np.bincount(test.targets.numpy()).tolist() == [100] * 10
    size = sum(os.path.getsize(os.path.join(bundled_mnist_root(), f)) for f in os.listdir(bundled_mnist_root()))
    assert size < 2.5e6


@pytest.mark.skipif(not os.environ.get('EMBER_MNIST_DIR'), reason="EMBER_MNIST_DIR (full MNIST) is not set")
def test_full_mnist_from_env():
    root = os.environ['EMBER_MNIST_DIR']
    train, test = MNIST(root, download=True), MNIST(root, train=False)
    assert len(train) == 60000 and len(test) == 10000
    assert train[0][1] == 5 and test[0][1] == 7
    assert train.data.shape == (60000, 28, 28)


def test_non_byte_images_rejected(tmp_path):
    make_split(str(tmp_path))
    write(str(tmp_path / 'train-images-idx3-ubyte'), idx_bytes(np.zeros((5, 28, 28), '>f4'), type_code=0x0D))
    with pytest.raises(RuntimeError, match=r"train-images-idx3-ubyte\.gz: expected uint8 images"):
        MNIST(str(tmp_path))
