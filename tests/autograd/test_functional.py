"""ember.autograd.functional against torch.autograd.functional."""
import numpy as np
import pytest

import ember
from tests.oracle import assert_same, randn, requires_torch, to_ember, to_torch, torch


def f_single(x):
    return (x.sin() * x).sum(0) if x.ndim else x.exp()


def f_pair(x, y):
    return x * y.exp(), (x * x).sum() + y.sum()


def scalar(x, y):
    return (x * x * y).sum() + (y ** 3).sum()


@requires_torch
@pytest.mark.parametrize('name,fn,args', [
    ('jacobian', f_single, (randn(3, 2),)), ('jacobian', f_pair, (randn(3), randn(3, seed=1))),
    ('hessian', scalar, (randn(3), randn(3, seed=1))), ('hessian', lambda x: (x ** 3).sum(), (randn(4),)),
    ('vjp', f_single, (randn(3, 2), randn(2, seed=2))), ('jvp', f_single, (randn(3, 2), randn(3, 2, seed=2))),
    ('vhp', scalar, ((randn(3), randn(3, seed=1)), (randn(3, seed=2), randn(3, seed=3)))),
    ('hvp', scalar, ((randn(3), randn(3, seed=1)), (randn(3, seed=2), randn(3, seed=3)))),
])
def test_functional_matches_torch(name, fn, args):
    def convert(a, conv):
        return tuple(conv(x) for x in a) if isinstance(a, tuple) else conv(a)
    if name in ('jacobian', 'hessian'):
        e = getattr(ember.autograd.functional, name)(fn, convert(args if len(args) > 1 else args[0], to_ember))
        t = getattr(torch.autograd.functional, name)(fn, convert(args if len(args) > 1 else args[0], to_torch))
    else:
        e = getattr(ember.autograd.functional, name)(fn, convert(args[0], to_ember), convert(args[1], to_ember))
        t = getattr(torch.autograd.functional, name)(fn, convert(args[0], to_torch), convert(args[1], to_torch))
    assert_same(e, t, atol=1e-4)
