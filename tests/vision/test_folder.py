"""ImageFolder / DatasetFolder over real PNG folders written here, and the folder-splitting script."""
import importlib.util
import os

import numpy as np
import pytest

from ember.utils.data import DataLoader
from ember.vision import transforms as T
from ember.vision.datasets import DatasetFolder, FakeData, ImageFolder

Image = pytest.importorskip("PIL.Image")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make_folder(root, per_class=None, size=(6, 4)):
    """root/<class>/<i>.png with pixel values encoding (class, i); returns {path: array}."""
    per_class = per_class or {'dog': 3, 'cat': 2}
    written = {}
    for c, (name, n) in enumerate(sorted(per_class.items())):
        os.makedirs(os.path.join(root, name), exist_ok=True)
        for i in range(n):
            arr = np.full((size[1], size[0], 3), (c * 50, i * 10, 7), dtype=np.uint8)
            path = os.path.join(root, name, f'{i:02d}.png')
            Image.fromarray(arr).save(path)
            written[path] = arr
    return written


def test_image_folder_classes_samples_targets(tmp_path):
    written = make_folder(str(tmp_path))
    (tmp_path / 'cat' / 'notes.txt').write_text('not an image')
    ds = ImageFolder(str(tmp_path))
    assert ds.classes == ['cat', 'dog'] and ds.class_to_idx == {'cat': 0, 'dog': 1}
    assert [os.path.relpath(p, tmp_path) for p, _ in ds.samples] == \
        ['cat/00.png', 'cat/01.png', 'dog/00.png', 'dog/01.png', 'dog/02.png']
    assert ds.targets == [0, 0, 1, 1, 1] and ds.imgs == ds.samples and len(ds) == 5
    img, target = ds[3]
    assert img.mode == 'RGB' and target == 1
    np.testing.assert_array_equal(np.asarray(img), written[ds.samples[3][0]])


def test_is_valid_file_loader_and_transforms(tmp_path):
    make_folder(str(tmp_path))
    ds = ImageFolder(str(tmp_path), is_valid_file=lambda p: p.endswith('00.png'), transform=T.ToTensor(),
                     target_transform=lambda t: t + 10)
    assert len(ds) == 2 and ds[1][1] == 11 and tuple(ds[0][0].shape) == (3, 4, 6)
    custom = ImageFolder(str(tmp_path), loader=lambda p: os.path.basename(p))
    assert custom[0] == ('00.png', 0)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        DatasetFolder(str(tmp_path), loader=np.load)


def test_dataset_folder_with_extensions(tmp_path):
    for c in ('a', 'b'):
        os.makedirs(tmp_path / c)
        np.save(tmp_path / c / 'x.npy', np.arange(3) + ord(c))
    ds = DatasetFolder(str(tmp_path), loader=np.load, extensions=('.npy',))
    assert ds.extensions == ('.npy',) and ds[1][0].tolist() == [98, 99, 100] and ds[1][1] == 1


def test_empty_class_and_missing_folders(tmp_path):
    make_folder(str(tmp_path))
    os.makedirs(tmp_path / 'empty')
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty"):
        ImageFolder(str(tmp_path))
    assert len(ImageFolder(str(tmp_path), allow_empty=True).classes) == 3
    os.makedirs(tmp_path / 'none')
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        ImageFolder(str(tmp_path / 'none'))
    with pytest.raises(FileNotFoundError):
        ImageFolder(str(tmp_path / 'does-not-exist'))


def test_corrupt_and_truncated_images_named(tmp_path):
    make_folder(str(tmp_path))
    bad = tmp_path / 'cat' / '00.png'
    bad.write_bytes(b'this is no png')
    ds = ImageFolder(str(tmp_path))
    with pytest.raises(OSError, match=r"cat/00\.png"):
        ds[0]
    good = (tmp_path / 'dog' / '00.png').read_bytes()
    (tmp_path / 'dog' / '00.png').write_bytes(good[:len(good) // 2])
    with pytest.raises(OSError, match=r"dog/00\.png"):
        ds[2]


def test_image_folder_through_workers(tmp_path):
    make_folder(str(tmp_path), {'a': 4, 'b': 4})
    loader = DataLoader(ImageFolder(str(tmp_path), transform=T.ToTensor()), batch_size=3, num_workers=2, timeout=30)
    batches = list(loader)
    assert [tuple(x.shape) for x, _ in batches] == [(3, 3, 4, 6), (3, 3, 4, 6), (2, 3, 4, 6)]
    assert sum((y.tolist() for _, y in batches), []) == [0] * 4 + [1] * 4


def test_fake_data():
    ds = FakeData(size=5, image_size=(3, 6, 8), num_classes=4, transform=T.PILToTensor())
    x, y = ds[2]
    x2, y2 = ds[2]
    assert tuple(x.shape) == (3, 6, 8) and 0 <= y < 4
    assert (x.numpy() == x2.numpy()).all() and y == y2
    assert not (ds[3][0].numpy() == x.numpy()).all()
    with pytest.raises(IndexError):
        ds[5]


def _split_module():
    spec = importlib.util.spec_from_file_location('split_image_folder',
                                                  os.path.join(ROOT, 'scripts', 'split_image_folder.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_split_image_folder_script(tmp_path):
    split = _split_module().split_image_folder
    make_folder(str(tmp_path / 'src'), {'a': 10, 'b': 21})
    counts = split(str(tmp_path / 'src'), str(tmp_path / 'out'), seed=1)
    assert counts == {'train': {'a': 8, 'b': 17}, 'valid': {'a': 1, 'b': 2}, 'test': {'a': 1, 'b': 2}}
    parts = {s: ImageFolder(str(tmp_path / 'out' / s)) for s in ('train', 'valid', 'test')}
    names = {s: sorted(os.path.relpath(p, tmp_path / 'out' / s) for p, _ in d.samples) for s, d in parts.items()}
    assert sorted(sum(names.values(), [])) == sorted(
        os.path.relpath(p, tmp_path / 'src') for p, _ in ImageFolder(str(tmp_path / 'src')).samples)
    split(str(tmp_path / 'src'), str(tmp_path / 'again'), seed=1)
    again = sorted(os.listdir(tmp_path / 'again' / 'valid' / 'b'))
    assert again == sorted(os.listdir(tmp_path / 'out' / 'valid' / 'b'))
    split(str(tmp_path / 'src'), str(tmp_path / 'other'), seed=2)
    assert any(sorted(os.listdir(tmp_path / 'other' / s / c)) != sorted(os.listdir(tmp_path / 'out' / s / c))
               for s in ('valid', 'test') for c in ('a', 'b'))
    with pytest.raises(ValueError):
        split(str(tmp_path / 'src'), str(tmp_path / 'x'), ratios=(0.5, 0.5))
