"""dtype objects, the default dtype and PyTorch's type-promotion rules.

Promotion follows ``torch.result_type``: operands fall in three tiers
(dimensioned tensors, zero-dim tensors, Python scalars) and a lower tier only
changes the result when it belongs to a higher category (bool < int < float).
This is not NumPy's rule: ``int32_tensor + 2.5`` is float32 here, float64 there.
"""
import builtins

import numpy as np


class dtype:
    """A tensor element type, printed as ``ember.float32``."""
    __slots__ = ('name', 'np', 'is_floating_point', 'is_signed', 'itemsize', 'is_complex')

    def __init__(self, name, np_dtype):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == 'f' or name == 'bfloat16'
        self.is_complex = self.np.kind == 'c'
        self.is_signed = self.np.kind in 'fic' or name == 'bfloat16'
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return f"ember.{self.name}"

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        """The real counterpart (identity for real dtypes)."""
        return {'complex64': float32, 'complex128': float64}.get(self.name, self)


def _by_name(name):
    return globals()[name]


bool = dtype('bool', np.bool_)
uint8 = dtype('uint8', np.uint8)
int8 = dtype('int8', np.int8)
int16 = dtype('int16', np.int16)
int32 = dtype('int32', np.int32)
int64 = dtype('int64', np.int64)
float16 = dtype('float16', np.float16)
float32 = dtype('float32', np.float32)
float64 = dtype('float64', np.float64)
complex64 = dtype('complex64', np.complex64)
complex128 = dtype('complex128', np.complex128)
half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128

ALL = [bool, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128]
try:  # bfloat16 needs ml_dtypes; without it the name simply does not exist
    import ml_dtypes
    bfloat16 = dtype('bfloat16', ml_dtypes.bfloat16)
    ALL.append(bfloat16)
except ImportError:
    pass

_from_np = {d.np: d for d in ALL}
_default = float32


def from_numpy_dtype(np_dtype):
    """The ember dtype for a NumPy dtype; TypeError for unsupported ones."""
    try:
        return _from_np[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype)}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool.") from None


def to_dtype(d):
    """Accept an ember dtype, a NumPy dtype or a Python type (float, int, bool)."""
    if isinstance(d, dtype):
        return d
    if d is builtins.float:
        return _default
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool
    try:
        return from_numpy_dtype(np.dtype(d))
    except TypeError:
        raise TypeError(f"expected an ember dtype, but got {d!r}") from None


def get_default_dtype():
    """The dtype of ``tensor(1.0)`` and of ``Tensor(...)``: float32 unless changed."""
    return _default


def set_default_dtype(d):
    """Set the default floating dtype (float32 or float64, as torch allows)."""
    global _default
    d = to_dtype(d)
    if d not in (float16, float32, float64) and d.name != 'bfloat16':
        raise TypeError(f"only floating-point types are supported as the default type, but got {d}")
    _default = d


def _category(d):
    return 3 if d.is_complex else 2 if d.is_floating_point else 0 if d is bool else 1


def promote_types(a, b):
    """``torch.promote_types``: the smallest dtype both ``a`` and ``b`` cast to safely."""
    if a is b:
        return a
    ca, cb = _category(a), _category(b)
    if ca != cb:
        hi, lo = (a, b) if ca > cb else (b, a)
        if hi.is_complex and lo.is_floating_point and lo.itemsize > hi.itemsize // 2:
            return complex128
        return hi  # torch: int64 + float16 is float16, unlike NumPy
    if {a.name, b.name} == {'float16', 'bfloat16'}:
        return float32
    return _from_np[np.promote_types(a.np, b.np)]


def _combine(higher, lower):
    # c10's combine_categories: a lower tier wins only with a higher category.
    if higher is None:
        return lower
    if lower is None or higher.is_floating_point or higher.is_complex:
        return higher
    if higher is bool or lower.is_floating_point or lower.is_complex:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(x):
    """The dtype a Python number has when it takes part in an operation."""
    t = type(x)
    if t is builtins.bool or t is np.bool_:
        return bool
    if t is builtins.int:
        return int64
    if t is builtins.float:
        return _default
    if t is builtins.complex:
        return complex64 if _default is float32 else complex128
    if isinstance(x, np.generic):
        return from_numpy_dtype(x.dtype)
    raise TypeError(f"expected a Tensor or a number, but got {t.__name__}")


def result_type_of(dims, zeros, scalars):
    """Combine the three tiers (lists of dtypes) as torch does."""
    tiers = []
    for group in (dims, zeros, scalars):
        r = None
        for d in group:
            r = d if r is None else promote_types(r, d)
        tiers.append(r)
    return _combine(tiers[0], _combine(tiers[1], tiers[2]))


def result_type_arrays(*operands):
    """torch.result_type over backend arrays (0-d ones form the middle tier) and scalars."""
    dims, zeros, scalars = [], [], []
    for x in operands:
        if hasattr(x, 'dtype') and hasattr(x, 'ndim') and not isinstance(x, np.generic):
            (dims if x.ndim else zeros).append(_from_np[x.dtype])
        else:
            scalars.append(scalar_dtype(x))
    return result_type_of(dims, zeros, scalars)


class finfo:
    """Machine limits of a floating dtype (``ember.finfo(ember.float32).eps``), as ``torch.finfo``."""

    def __init__(self, type=None):
        d = _default if type is None else to_dtype(type)
        if not d.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                            "'torch.finfo'")
        info = np.finfo(d.np)
        self.dtype = d.name
        self.bits = info.bits
        self.eps = builtins.float(info.eps)
        self.max = builtins.float(info.max)
        self.min = builtins.float(info.min)
        self.tiny = self.smallest_normal = builtins.float(info.smallest_normal)
        self.resolution = builtins.float(info.resolution)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype (``ember.iinfo(ember.int64).max``), as ``torch.iinfo``."""

    def __init__(self, type):
        d = to_dtype(type)
        if d.is_floating_point or d.is_complex:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'")
        info = np.iinfo(np.uint8 if d is bool else d.np)
        self.dtype = d.name
        self.bits = info.bits
        self.max = builtins.int(info.max)
        self.min = builtins.int(info.min)

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
