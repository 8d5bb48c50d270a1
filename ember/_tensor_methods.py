"""Bind the functions of ``ember.ops`` to Tensor as methods and operators.

Each ops module lists the functions that are also Tensor methods in its
``TENSOR_METHODS`` tuple (``x.exp()`` is ``ember.exp(x)``); this file binds
those and defines the operators and in-place variants in one place.
"""
import importlib

from .ops import MODULES, arithmetic, comparison, indexing, inplace, linalg, unary
from .tensor import Tensor


def bind_module(module):
    """Make each name in ``module.TENSOR_METHODS`` a Tensor method."""
    for name in getattr(module, 'TENSOR_METHODS', ()):
        setattr(Tensor, name, getattr(module, name))
    for name, fn in getattr(module, 'ALIASES', {}).items():
        setattr(Tensor, name, fn)
    for name in getattr(module, 'INPLACE', ()):
        setattr(Tensor, name + '_', _inplace_method(getattr(module, name), name + '_'))


def _inplace_method(fn, name):
    """A method ``name`` running ``fn`` out of place and writing the result into self."""
    def method(self, *args, **kwargs):
        return inplace.apply_inplace(self, fn, *args, **kwargs)
    method.__name__ = name
    method.__doc__ = f"In-place version of ``{fn.__name__}``."
    return method


def _reflected(fn):
    def method(self, other):
        return fn(other, self)
    return method


def _binary_dunders():
    a, c = arithmetic, comparison
    T = Tensor
    T.__add__ = T.__radd__ = a.add
    T.__sub__ = a.sub
    T.__rsub__ = lambda self, other: a.Sub.apply(a._arg(other, 'rsub'), self)
    T.__mul__ = T.__rmul__ = a.mul
    T.__truediv__ = a.div
    T.__rtruediv__ = lambda self, other: a.Div.apply(a._arg(other, 'div'), self)
    T.__floordiv__ = a.floor_divide
    T.__rfloordiv__ = _reflected(lambda o, s: a.floor_divide(_as_tensor(o, s), s))
    T.__mod__ = a.remainder
    T.__rmod__ = _reflected(lambda o, s: a.remainder(_as_tensor(o, s), s))
    T.__pow__ = a.pow
    T.__rpow__ = lambda self, other: a.Pow.apply(a._arg(other, 'pow'), self)
    T.__matmul__ = linalg.matmul
    T.__rmatmul__ = _reflected(linalg.matmul)
    T.__neg__ = lambda self: unary.Neg.apply(self)
    T.__pos__ = lambda self: self
    T.__abs__ = lambda self: unary.Abs.apply(self)
    T.__eq__, T.__ne__ = c.eq, c.ne
    T.__lt__, T.__le__, T.__gt__, T.__ge__ = c.lt, c.le, c.gt, c.ge
    T.__and__ = T.__rand__ = c.bitwise_and
    T.__or__ = T.__ror__ = c.bitwise_or
    T.__xor__ = T.__rxor__ = c.bitwise_xor
    T.__invert__ = c.bitwise_not
    for op, fn in (('add', a.add), ('sub', a.sub), ('mul', a.mul), ('truediv', a.div),
                   ('floordiv', a.floor_divide), ('mod', a.remainder), ('pow', a.pow),
                   ('and', c.bitwise_and), ('or', c.bitwise_or), ('xor', c.bitwise_xor)):
        setattr(T, f'__i{op}__', _inplace_method(fn, f'__i{op}__'))


def _as_tensor(value, like):
    from .creation import tensor
    return tensor(value, device=like.device)


def _properties():
    T = Tensor
    T.__getitem__ = indexing.getitem
    T.__setitem__ = indexing.setitem
    T.T = property(lambda self: self.permute(*range(self.ndim - 1, -1, -1)), doc="Dimensions reversed.")
    T.mT = property(lambda self: self.transpose(-2, -1), doc="The last two dimensions swapped.")
    T.H = property(lambda self: self.T.conj() if self.is_complex() else self.T, doc="Conjugate transpose.")
    T.mH = property(lambda self: self.mT, doc="Conjugate transpose of the last two dimensions.")


def bind_all():
    """Bind every ops module, the ``new_*`` factories and the in-place samplers (once, from ember/__init__.py)."""
    for name in MODULES:
        bind_module(importlib.import_module(f'.ops.{name}', __package__))
    from . import creation, random
    bind_module(creation)
    bind_module(random)
    for name, fn in inplace.shape_methods().items():
        setattr(Tensor, name, fn)
    _binary_dunders()
    _properties()
