"""make_grid and save_image against hand-computed layouts and the PNG read back with Pillow."""
import numpy as np
import pytest

import ember
from ember.vision.utils import make_grid, save_image

Image = pytest.importorskip("PIL.Image")


def batch(n=5, c=3, h=2, w=3):
    return ember.from_numpy(np.arange(n * c * h * w, dtype=np.float32).reshape(n, c, h, w) / (n * c * h * w))


def test_grid_layout_and_padding():
    x = batch()
    g = make_grid(x, nrow=2, padding=1, pad_value=-1.0)
    # 3 rows of 2 cells, each cell (2+1)x(3+1) plus a final border of 1
    assert tuple(g.shape) == (3, 3 * 3 + 1, 2 * 4 + 1)
    a, xs = g.numpy(), x.numpy()
    for k in range(5):
        y, col = divmod(k, 2)
        np.testing.assert_array_equal(a[:, 1 + 3 * y:3 + 3 * y, 1 + 4 * col:4 + 4 * col], xs[k])
    assert (a[:, 0, :] == -1).all() and (a[:, 7:9, 5:8] == -1).all()  # border and the empty sixth cell


def test_single_image_grey_and_list_inputs():
    one = make_grid(batch(1, 3))
    assert tuple(one.shape) == (3, 2, 3)  # a single image comes back without padding
    grey = make_grid(batch(2, 1), padding=0)
    assert tuple(grey.shape) == (3, 2, 6) and np.array_equal(grey.numpy()[0], grey.numpy()[2])
    as_list = make_grid([t for t in batch(4)], nrow=4)
    assert np.array_equal(as_list.numpy(), make_grid(batch(4), nrow=4).numpy())
    assert tuple(make_grid(ember.zeros(4, 5)).shape) == (3, 4, 5)


def test_normalize_value_range_and_scale_each():
    x = ember.from_numpy(np.array([[[[0.0, 2.0]]], [[[4.0, 6.0]]]], dtype=np.float32))
    g = make_grid(x, normalize=True, padding=0).numpy()[0]
    np.testing.assert_allclose(g, [[0, 1 / 3, 2 / 3, 1]], rtol=1e-6)
    each = make_grid(x, normalize=True, scale_each=True, padding=0).numpy()[0]
    np.testing.assert_allclose(each, [[0, 1, 0, 1]])
    clipped = make_grid(x, normalize=True, value_range=(1.0, 5.0), padding=0).numpy()[0]
    np.testing.assert_allclose(clipped, [[0, 0.25, 0.75, 1]])
    assert x.numpy()[1, 0, 0, 1] == 6.0  # the input is left alone
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(x, normalize=True, value_range=[0, 1])


def test_save_image_png_round_trip(tmp_path):
    x = batch(3)
    path = tmp_path / 'grid.png'
    save_image(x, str(path), nrow=3, padding=1)
    img = np.asarray(Image.open(path))
    expected = np.clip(make_grid(x, nrow=3, padding=1).numpy() * 255 + 0.5, 0, 255).astype(np.uint8)
    assert img.shape == (4, 13, 3) and np.array_equal(img, expected.transpose(1, 2, 0))
