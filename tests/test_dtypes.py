"""dtypes, aliases, the default dtype and torch's promotion rules."""
import itertools

import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, torch
from tests.test_tensor import same_repr

NAMES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64']
ALIASES = {'float': 'float32', 'double': 'float64', 'half': 'float16', 'int': 'int32', 'long': 'int64',
           'short': 'int16', 'cfloat': 'complex64', 'cdouble': 'complex128'}


def test_dtype_objects_and_aliases():
    for name in NAMES:
        d = getattr(ember, name)
        assert isinstance(d, ember.dtype) and repr(d) == f'ember.{name}'
        assert ember.zeros(1, dtype=d).dtype is d
    for alias, name in ALIASES.items():
        assert getattr(ember, alias) is getattr(ember, name)


@requires_torch
@pytest.mark.parametrize('name', NAMES)
def test_dtype_properties_match_torch(name):
    e, t = getattr(ember, name), getattr(torch, name)
    assert e.is_floating_point == t.is_floating_point
    assert e.is_signed == t.is_signed
    assert e.itemsize == t.itemsize
    assert ember.zeros(2, dtype=e).element_size() == torch.zeros(2, dtype=t).element_size()


@requires_torch
@pytest.mark.parametrize('a,b', list(itertools.combinations_with_replacement(NAMES, 2)))
def test_promote_types_matches_torch(a, b):
    assert ember.promote_types(getattr(ember, a), getattr(ember, b)).name == \
        str(torch.promote_types(getattr(torch, a), getattr(torch, b))).replace('torch.', '')


OPERANDS = {
    'int_t': lambda m: m.tensor([1, 2]), 'i32_t': lambda m: m.tensor([1, 2], dtype=m.int32),
    'u8_t': lambda m: m.tensor([1, 2], dtype=m.uint8), 'bool_t': lambda m: m.tensor([True, False]),
    'f16_t': lambda m: m.tensor([1., 2.], dtype=m.float16), 'f32_t': lambda m: m.tensor([1., 2.]),
    'f64_0d': lambda m: m.tensor(1., dtype=m.float64), 'i64_0d': lambda m: m.tensor(3),
    'int': lambda m: 2, 'float': lambda m: 2.5, 'bool': lambda m: True,
}


@requires_torch
@pytest.mark.parametrize('a,b', list(itertools.product(OPERANDS, repeat=2)))
def test_result_type_matches_torch(a, b):
    if not any(k.endswith(('_t', '_0d')) for k in (a, b)):
        pytest.skip("torch.result_type needs at least one tensor")
    same_repr(lambda m: m.result_type(OPERANDS[a](m), OPERANDS[b](m)))


@requires_torch
@pytest.mark.parametrize('a,b', list(itertools.product(NAMES, repeat=2)))
def test_can_cast_matches_torch(a, b):
    assert ember.can_cast(getattr(ember, a), getattr(ember, b)) == torch.can_cast(getattr(torch, a), getattr(torch, b))


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda m: m.tensor([1, 2]) / 2, lambda m: m.tensor([1, 2], dtype=m.int32) + 2.5,
    lambda m: m.tensor([True]) + 1, lambda m: m.tensor([1.], dtype=m.float16) * m.tensor(2., dtype=m.float64),
    lambda m: m.tensor([1], dtype=m.uint8) + m.tensor([1], dtype=m.int8), lambda m: m.tensor([1]) * 1.5,
])
def test_promotion_in_ops(fn):
    same_repr(fn)


@pytest.mark.parametrize('d', ['float64', 'float16'])
def test_default_dtype(d):
    ember.set_default_dtype(getattr(ember, d))
    assert ember.get_default_dtype() is getattr(ember, d)
    assert ember.tensor([1.5]).dtype is getattr(ember, d)
    assert ember.zeros(2).dtype is getattr(ember, d) and ember.Tensor([1]).dtype is getattr(ember, d)
    assert ember.arange(0, 1, 0.5).dtype is getattr(ember, d)
    assert (ember.tensor([1, 2]) / 2).dtype is getattr(ember, d)
    assert ember.tensor([1, 2]).dtype is ember.int64


def test_set_default_dtype_rejects_integers():
    with pytest.raises(TypeError):
        ember.set_default_dtype(ember.int32)


def test_bfloat16_when_available():
    if not hasattr(ember, 'bfloat16'):
        pytest.skip("ml_dtypes is not installed")
    t = ember.tensor([1.5, 2.0], dtype=ember.bfloat16)
    assert t.dtype is ember.bfloat16 and t.is_floating_point() and t.element_size() == 2
    assert (t.float() * 2).tolist() == [3.0, 4.0]


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda m: m.finfo(m.float32), lambda m: m.finfo(m.float16).eps, lambda m: m.finfo().max,
    lambda m: m.finfo(m.float64).tiny, lambda m: m.finfo(m.float32).bits, lambda m: m.finfo(m.float64).resolution,
    lambda m: m.finfo(m.int32), lambda m: m.iinfo(m.int64), lambda m: m.iinfo(m.uint8).max,
    lambda m: m.iinfo(m.int8).min,
    lambda m: m.iinfo(m.int16).bits, lambda m: m.iinfo(m.float32), lambda m: m.channels_last,
    lambda m: m.contiguous_format,
])
def test_finfo_iinfo_and_memory_formats(fn):
    same_repr(fn)
