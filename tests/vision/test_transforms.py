"""Transforms checked against Pillow run directly and hand-computed values (torchvision is not installed)."""
import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader, Dataset
from ember.vision import transforms as T
from ember.vision.transforms import functional as F
from tests.oracle import requires_torch, torch

Image = pytest.importorskip("PIL.Image")
from PIL import ImageEnhance, ImageOps  # noqa: E402


def rgb(h=6, w=8, seed=0):
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8))


def arr(img):
    return np.asarray(img)


@requires_torch
def test_to_tensor_matches_torch_division():
    img = rgb()
    x = T.ToTensor()(img)
    expected = torch.from_numpy(arr(img).copy()).permute(2, 0, 1).contiguous().float().div(255)
    assert x.dtype == ember.float32 and tuple(x.shape) == (3, 6, 8)
    np.testing.assert_array_equal(x.numpy(), expected.numpy())


def test_to_tensor_modes_and_ndarrays():
    grey = Image.fromarray(np.arange(12, dtype=np.uint8).reshape(3, 4))
    assert T.ToTensor()(grey).shape == (1, 3, 4)
    binary = Image.fromarray(np.array([[0, 255]], np.uint8)).convert('1')
    assert T.ToTensor()(binary).numpy().tolist() == [[[0.0, 1.0]]]  # mode '1' is scaled to 0/255 first
    f = np.random.rand(3, 4, 2).astype(np.float32)
    out = T.ToTensor()(f)
    assert out.dtype == ember.float32 and np.array_equal(out.numpy(), f.transpose(2, 0, 1))  # not scaled
    u = np.full((2, 2), 255, np.uint8)
    assert T.ToTensor()(u).numpy().tolist() == [[[1.0, 1.0], [1.0, 1.0]]]
    with pytest.raises(TypeError):
        T.ToTensor()([1, 2])


def test_pil_to_tensor_and_to_pil_image_round_trip():
    img = rgb()
    t = T.PILToTensor()(img)
    assert t.dtype == ember.uint8 and np.array_equal(t.numpy(), arr(img).transpose(2, 0, 1))
    back = T.ToPILImage()(t)
    assert back.mode == 'RGB' and np.array_equal(arr(back), arr(img))
    f = T.ToPILImage()(T.ToTensor()(img))
    assert np.array_equal(arr(f), arr(img))
    x = ember.tensor([[[0.0, 0.5, 0.999, 1.0]]])
    assert arr(T.ToPILImage()(x)).tolist() == [[0, 127, 254, 255]]  # x * 255 truncated, as torch's .byte()
    assert T.ToPILImage()(ember.zeros(1, 2, 2)).mode == 'L'
    assert T.ToPILImage()(ember.zeros(4, 2, 2)).mode == 'RGBA'
    assert T.ToPILImage()(ember.zeros(1, 2, 2), ).size == (2, 2)
    assert T.ToPILImage(mode='F')(ember.zeros(1, 2, 3)).mode == 'F'
    assert T.ToPILImage()(np.zeros((2, 2, 3), np.uint8)).mode == 'RGB'
    with pytest.raises(ValueError, match="pic should not have > 4 channels"):
        T.ToPILImage()(ember.zeros(5, 2, 2))
    with pytest.raises(ValueError, match="Incorrect mode"):
        T.ToPILImage(mode='RGB')(ember.zeros(1, 2, 2, dtype=ember.uint8))


@requires_torch
def test_normalize_matches_torch():
    x = np.random.default_rng(1).random((3, 4, 5)).astype(np.float32)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    out = T.Normalize(mean, std)(ember.from_numpy(x.copy()))
    t = torch.from_numpy(x)
    expected = (t - torch.tensor(mean).view(-1, 1, 1)) / torch.tensor(std).view(-1, 1, 1)
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-6, atol=1e-7)
    inp = ember.from_numpy(x.copy())
    res = T.Normalize(mean, std, inplace=True)(inp)
    assert res is inp and np.allclose(inp.numpy(), expected.numpy(), atol=1e-6)
    g = ember.from_numpy(x.copy()).requires_grad_()
    T.Normalize((0.5,), (2.0,))(g).sum().backward()
    assert np.allclose(g.grad.numpy(), 0.5)


def test_normalize_errors():
    with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
        T.Normalize((0,), (1,))(ember.zeros(1, 2, 2, dtype=ember.uint8))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize((0,), (0,))(ember.zeros(1, 2, 2))
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        T.Normalize((0,), (1,))(rgb())


def test_resize_shorter_edge_and_exact_size():
    img = rgb(10, 20)
    out = T.Resize(5)(img)
    assert out.size == (10, 5)
    assert np.array_equal(arr(out), arr(img.resize((10, 5), Image.Resampling.BILINEAR)))
    tall = rgb(21, 10)
    assert T.Resize(4)(tall).size == (4, 8)  # int(4 * 21 / 10) = 8
    out = T.Resize((7, 3), interpolation=T.InterpolationMode.NEAREST)(img)
    assert np.array_equal(arr(out), arr(img.resize((3, 7), Image.Resampling.NEAREST)))
    assert np.array_equal(arr(T.Resize(10)(img)), arr(img))
    assert T.Resize(5, max_size=8)(img).size == (8, 4)
    with pytest.raises(TypeError):
        T.Resize('big')


def test_center_crop_pil_and_tensor():
    img = rgb(7, 9)
    out = T.CenterCrop((3, 4))(img)
    top, left = int(round((7 - 3) / 2)), int(round((9 - 4) / 2))
    assert np.array_equal(arr(out), arr(img)[top:top + 3, left:left + 4])
    t = T.PILToTensor()(img)
    assert np.array_equal(T.CenterCrop((3, 4))(t).numpy(), arr(out).transpose(2, 0, 1))
    big = T.CenterCrop(10)(img)
    a = arr(big)
    assert big.size == (10, 10) and a[:1].sum() == 0 and np.array_equal(a[1:8, 0:9], arr(img))
    assert np.array_equal(T.CenterCrop(10)(t).numpy(), a.transpose(2, 0, 1))


def test_pad_modes_match_numpy():
    img = rgb(3, 4)
    out = T.Pad((1, 2), fill=9)(img)
    expected = np.pad(arr(img), ((2, 2), (1, 1), (0, 0)), constant_values=9)
    assert np.array_equal(arr(out), expected)
    for mode in ('edge', 'reflect', 'symmetric'):
        out = T.Pad((1, 2, 3, 1), padding_mode=mode)(img)
        assert np.array_equal(arr(out), np.pad(arr(img), ((2, 1), (1, 3), (0, 0)), mode=mode)), mode
        tout = T.Pad((1, 2, 3, 1), padding_mode=mode)(T.PILToTensor()(img))
        assert np.array_equal(tout.numpy(), arr(out).transpose(2, 0, 1)), mode
    with pytest.raises(ValueError):
        T.Pad(1, padding_mode='wrap')
    with pytest.raises(ValueError):
        T.Pad((1, 2, 3))


def _is_window(big, small):
    h, w = small.shape[:2]
    return any(np.array_equal(big[i:i + h, j:j + w], small)
               for i in range(big.shape[0] - h + 1) for j in range(big.shape[1] - w + 1))


def test_random_crop_padding_and_pad_if_needed():
    img = rgb(6, 8)
    out = T.RandomCrop(4)(img)
    assert out.size == (4, 4) and _is_window(arr(img), arr(out))
    out = T.RandomCrop(6, padding=2)(img)
    assert _is_window(np.pad(arr(img), ((2, 2), (2, 2), (0, 0))), arr(out))
    out = T.RandomCrop((8, 10), pad_if_needed=True)(img)
    assert out.size == (10, 8)
    with pytest.raises(ValueError, match=r"Required crop size \(8, 10\) is larger than input image size \(6, 8\)"):
        T.RandomCrop((8, 10))(img)
    t = T.RandomCrop(3)(T.PILToTensor()(img))
    assert tuple(t.shape) == (3, 3, 3) and _is_window(arr(img), t.numpy().transpose(1, 2, 0))


def test_random_crop_reproducible_with_seed():
    img = rgb(16, 16)
    ember.manual_seed(3)
    a = [arr(T.RandomCrop(5)(img)) for _ in range(4)]
    ember.manual_seed(3)
    b = [arr(T.RandomCrop(5)(img)) for _ in range(4)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(a[0], x) for x in a[1:])


def test_random_resized_crop():
    img = rgb(12, 12)
    out = T.RandomResizedCrop(6, scale=(1.0, 1.0), ratio=(1.0, 1.0))(img)
    assert np.array_equal(arr(out), arr(img.resize((6, 6), Image.Resampling.BILINEAR)))
    for _ in range(5):
        i, j, h, w = T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3))
        assert 0 <= i and 0 <= j and i + h <= 12 and j + w <= 12 and h > 0 and w > 0
    assert T.RandomResizedCrop((5, 7))(img).size == (7, 5)
    # impossible scale: falls back to the central crop of the allowed ratio
    assert T.RandomResizedCrop.get_params(rgb(4, 20), (2.0, 2.0), (1.0, 1.0)) == (0, 8, 4, 4)


def test_flips():
    img = rgb()
    assert np.array_equal(arr(T.RandomHorizontalFlip(p=1)(img)), arr(ImageOps.mirror(img)))
    assert np.array_equal(arr(T.RandomVerticalFlip(p=1)(img)), arr(ImageOps.flip(img)))
    assert T.RandomHorizontalFlip(p=0)(img) is img
    t = T.PILToTensor()(img)
    assert np.array_equal(T.RandomHorizontalFlip(p=1)(t).numpy(), t.numpy()[..., ::-1])
    assert np.array_equal(T.RandomVerticalFlip(p=1)(t).numpy(), t.numpy()[..., ::-1, :])


def test_random_rotation():
    img = rgb(6, 6)
    out = T.RandomRotation((90, 90))(img)
    assert np.array_equal(arr(out), arr(img.transpose(Image.Transpose.ROTATE_90)))
    out = T.RandomRotation((45, 45), fill=200)(img)
    assert np.array_equal(arr(out), arr(img.rotate(45, Image.Resampling.NEAREST, fillcolor=(200, 200, 200))))
    with pytest.raises(ValueError, match="must be positive"):
        T.RandomRotation(-3)
    assert -10 <= T.RandomRotation.get_params([-10, 10]) <= 10


def test_color_jitter_fixed_factors_equal_pillow():
    img = rgb()
    assert np.array_equal(arr(T.ColorJitter(brightness=(1.5, 1.5))(img)),
                          arr(ImageEnhance.Brightness(img).enhance(1.5)))
    assert np.array_equal(arr(T.ColorJitter(contrast=(0.5, 0.5))(img)), arr(ImageEnhance.Contrast(img).enhance(0.5)))
    assert np.array_equal(arr(T.ColorJitter(saturation=(0.2, 0.2))(img)), arr(ImageEnhance.Color(img).enhance(0.2)))
    h, s, v = [np.asarray(c) for c in img.convert('HSV').split()]
    shifted = Image.merge('HSV', [Image.fromarray(((h.astype(int) + 63) % 256).astype(np.uint8)), Image.fromarray(s),
                                  Image.fromarray(v)]).convert('RGB')
    assert np.array_equal(arr(T.ColorJitter(hue=(0.25, 0.25))(img)), arr(shifted))  # int(0.25 * 255) = 63
    neg = Image.merge('HSV', [Image.fromarray(((h.astype(int) - 25) % 256).astype(np.uint8)), Image.fromarray(s),
                              Image.fromarray(v)]).convert('RGB')
    assert np.array_equal(arr(F.adjust_hue(img, -0.1)), arr(neg))  # int(-25.5) = -25
    grey = img.convert('L')
    assert F.adjust_hue(grey, 0.3) is grey


def test_color_jitter_ranges_and_errors():
    cj = T.ColorJitter(brightness=0.5, contrast=2, saturation=(0.1, 0.9), hue=0.1)
    assert cj.brightness == (0.5, 1.5) and cj.contrast == (0.0, 3.0) and cj.saturation == (0.1, 0.9)
    assert cj.hue == (-0.1, 0.1) and T.ColorJitter().brightness is None
    assert cj(rgb()).size == (8, 6)
    with pytest.raises(ValueError, match="If brightness is a single number, it must be non negative."):
        T.ColorJitter(brightness=-1)
    with pytest.raises(ValueError, match="hue values should be between"):
        T.ColorJitter(hue=0.7)
    with pytest.raises(TypeError):
        T.ColorJitter(contrast=[1, 2, 3])
    with pytest.raises(ValueError):
        F.adjust_hue(rgb(), 0.6)


def test_grayscale():
    img = rgb()
    assert np.array_equal(arr(T.Grayscale()(img)), arr(img.convert('L')))
    three = T.Grayscale(3)(img)
    assert three.mode == 'RGB' and all(np.array_equal(arr(three)[..., c], arr(img.convert('L'))) for c in range(3))


def test_compose_lambda_random_apply_random_choice():
    img = rgb()
    pipeline = T.Compose([T.Lambda(lambda im: im.convert('L')), T.ToTensor(), T.Normalize((0.5,), (0.5,))])
    out = pipeline(img)
    assert tuple(out.shape) == (1, 6, 8) and out.min().item() >= -1 and out.max().item() <= 1
    assert 'Normalize(mean=(0.5,), std=(0.5,))' in repr(pipeline)
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)
    flip = T.RandomHorizontalFlip(p=1)
    assert T.RandomApply([flip], p=0.0)(img) is img
    assert np.array_equal(arr(T.RandomApply([flip], p=1.0)(img)), arr(ImageOps.mirror(img)))
    choice = T.RandomChoice([T.Lambda(lambda x: 'a'), T.Lambda(lambda x: 'b')])
    assert {choice(img) for _ in range(30)} == {'a', 'b'}
    assert {T.RandomChoice([T.Lambda(lambda x: 'a'), T.Lambda(lambda x: 'b')], p=[0, 1])(img)
            for _ in range(10)} == {'b'}


def test_resize_tensor_matches_pil_per_channel():
    img = rgb(10, 20)
    x = T.ToTensor()(img)
    out = T.Resize(5)(x)
    assert tuple(out.shape) == (3, 5, 10) and out.dtype == ember.float32
    expected = np.stack([np.asarray(Image.fromarray(c).resize((10, 5), Image.Resampling.BILINEAR))
                         for c in x.numpy()])
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)
    u = T.Resize((4, 6))(T.PILToTensor()(img))
    assert u.dtype == ember.uint8 and tuple(u.shape) == (3, 4, 6)
    pil = arr(img.resize((6, 4), Image.Resampling.BILINEAR)).transpose(2, 0, 1)
    assert np.abs(u.numpy().astype(int) - pil).max() <= 1  # float resampling, then rounded
    assert tuple(T.Resize(3)(ember.zeros(2, 1, 6, 6)).shape) == (2, 1, 3, 3)


def test_geometric_ops_reject_other_inputs_clearly():
    with pytest.raises(TypeError, match="img should be PIL Image or Tensor"):
        T.Resize(3)(np.zeros((4, 4)))
    with pytest.raises(TypeError, match="img should be PIL Image"):
        T.RandomRotation(3)(ember.zeros(3, 4, 4))


class Augmented(Dataset):
    def __getitem__(self, i):
        return T.ToTensor()(T.RandomCrop(4)(rgb(12, 12, seed=0)))

    def __len__(self):
        return 8


def test_augmentations_differ_per_worker_and_repeat_with_generator():
    def run(seed):
        loader = DataLoader(Augmented(), batch_size=None, num_workers=2, timeout=30,
                            generator=ember.Generator().manual_seed(seed))
        return [x.numpy() for x in loader]
    a, b, c = run(0), run(0), run(1)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))
    assert not np.array_equal(a[0], a[1])  # first item of worker 0 vs of worker 1
