"""Padding and resampling modules against torch: values, gradients, repr."""
import pytest

import ember
from tests.oracle import requires_torch, compare, compare_raises, randn, torch


MODULES = [
    ('ZeroPad1d', (2,), (2, 3, 4)), ('ZeroPad2d', ((1, 2, 0, 3),), (2, 3, 4, 5)), ('ZeroPad3d', (1,), (1, 2, 2, 3, 2)),
    ('ConstantPad1d', ((1, 2), 3.5), (2, 3, 4)), ('ConstantPad2d', (1, -1.0), (2, 3, 4, 5)),
    ('ConstantPad3d', ((1, 0, 0, 1, 2, 0), 2.0), (1, 2, 2, 3, 2)),
    ('ReflectionPad1d', (2,), (2, 3, 4)), ('ReflectionPad2d', ((1, 2, 3, 0),), (2, 3, 4, 5)),
    ('ReflectionPad3d', (1,), (1, 2, 2, 3, 2)),
    ('ReplicationPad1d', (3,), (2, 3, 4)), ('ReplicationPad2d', ((1, 2, 3, 0),), (2, 3, 4, 5)),
    ('ReplicationPad3d', (1,), (1, 2, 2, 3, 2)),
    ('CircularPad1d', (2,), (2, 3, 4)), ('CircularPad2d', ((1, 2, 3, 0),), (2, 3, 4, 5)),
    ('Upsample', (None, 2.0), (1, 2, 3, 4)), ('UpsamplingNearest2d', ((5, 7),), (1, 2, 3, 4)),
    ('UpsamplingBilinear2d', (None, 2),  (1, 2, 3, 4)), ('PixelShuffle', (2,), (2, 8, 3, 4)),
    ('PixelUnshuffle', (2,), (2, 2, 4, 6)), ('ChannelShuffle', (3,), (2, 6, 2, 2)), ('Unfold', (2,), (2, 3, 4, 5)), ('Fold', ((4, 5), 2), (2, 12, 12)),
]


@requires_torch
@pytest.mark.parametrize('name,args,shape', MODULES, ids=[m[0] for m in MODULES])
def test_module(name, args, shape):
    e, t = getattr(ember.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(e) == repr(t)
    compare(lambda x: (e if isinstance(x, ember.Tensor) else t)(x), randn(*shape, seed=1))


@requires_torch
def test_upsample_modes_repr():
    for kw in (dict(size=3, mode='bilinear'), dict(scale_factor=(2, 3), mode='nearest'),
               dict(scale_factor=1.5, mode='bicubic', align_corners=True)):
        assert repr(ember.nn.Upsample(**kw)) == repr(torch.nn.Upsample(**kw))
    up = lambda x: (ember.nn if isinstance(x, ember.Tensor) else torch.nn).Upsample(scale_factor=1.5,
                                                                                       mode='bilinear')(x)
    compare(up, randn(2, 2, 4, 4))


@requires_torch
def test_reflection_pad_too_large():
    compare_raises(lambda x: (ember.nn if isinstance(x, ember.Tensor) else torch.nn).ReflectionPad1d(4)(x),
                   randn(1, 2, 4))
