"""Printing tensors exactly the way torch prints them: ``tensor([1., 2.])``, ``tensor(2.5000)``.

This follows ``torch/_tensor_str.py`` step by step (one formatter chosen for
all elements, int mode, scientific mode, summarisation, line wrapping and
suffixes), but works on NumPy arrays so that printing never builds a graph.
"""
import math

import numpy as np

from . import backend, dtypes

PRINT_OPTS = {'precision': 4, 'threshold': 1000, 'edgeitems': 3, 'linewidth': 80, 'sci_mode': None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Set how tensors print (same options and profiles as ``torch.set_printoptions``).

    Example::

        >>> ember.set_printoptions(precision=2)
        >>> ember.tensor([1.12345])
        tensor([1.12])
    """
    if profile == 'default':
        PRINT_OPTS.update(precision=4, threshold=1000, edgeitems=3, linewidth=80)
    elif profile == 'short':
        PRINT_OPTS.update(precision=2, threshold=1000, edgeitems=2, linewidth=80)
    elif profile == 'full':
        PRINT_OPTS.update(precision=4, threshold=math.inf, edgeitems=3, linewidth=80)
    for k, v in (('precision', precision), ('threshold', threshold), ('edgeitems', edgeitems),
                 ('linewidth', linewidth)):
        if v is not None:
            PRINT_OPTS[k] = v
    PRINT_OPTS['sci_mode'] = sci_mode


def get_printoptions():
    """The current print options as a dict accepted by ``set_printoptions``."""
    return dict(PRINT_OPTS)


class _Formatter:
    """One width and notation for every element of a tensor, as torch's ``_Formatter``."""

    def __init__(self, values):
        self.floating = values.dtype.kind == 'f'
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(f"{v}"))
            return
        nonzero = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero.size == 0:
            return
        absval = np.abs(nonzero).astype(np.float64)
        lo, hi = absval.min(), absval.max()
        self.int_mode = bool(np.all(nonzero == np.ceil(nonzero)))
        sci = PRINT_OPTS['sci_mode']
        self.sci_mode = (hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4) if sci is None else sci
        p = PRINT_OPTS['precision']
        for v in nonzero.tolist():
            if self.sci_mode:
                width = len(f"{v:.{p}e}")
            elif self.int_mode:
                width = len(f"{v:.0f}") + 1
            else:
                width = len(f"{v:.{p}f}")
            self.max_width = max(self.max_width, width)

    def format(self, value):
        """``value`` right-aligned to the common width."""
        if self.floating:
            p = PRINT_OPTS['precision']
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{p}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _join_complex(real_str, imag_str):
    imag_str = (imag_str + "j").lstrip()
    return real_str + imag_str if imag_str[0] in '+-' else real_str + "+" + imag_str


def _element(value, fmt1, fmt2):
    if fmt2 is None:
        return fmt1.format(value)
    return _join_complex(fmt1.format(value.real), fmt2.format(value.imag))


def _vector_str(values, indent, summarize, fmt1, fmt2):
    element_length = fmt1.max_width + 2 + (fmt2.max_width + 1 if fmt2 is not None else 0)
    per_line = max(1, math.floor((PRINT_OPTS['linewidth'] - indent) / element_length))
    edge = PRINT_OPTS['edgeitems']
    if summarize and not edge:
        data = ["..."]
    elif summarize and values.shape[0] > 2 * edge:
        data = ([_element(v, fmt1, fmt2) for v in values[:edge].tolist()] + [" ..."]
                + [_element(v, fmt1, fmt2) for v in values[-edge:].tolist()])
    else:
        data = [_element(v, fmt1, fmt2) for v in values.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _array_str(values, indent, summarize, fmt1, fmt2=None):
    if values.ndim == 0:
        return _element(values.item(), fmt1, fmt2)
    if values.ndim == 1:
        return _vector_str(values, indent, summarize, fmt1, fmt2)
    edge = PRINT_OPTS['edgeitems']
    n = values.shape[0]
    if summarize and n > 2 * edge:
        rows = list(range(edge)) + [None] + list(range(n - edge, n))
    else:
        rows = range(n)
    slices = ["..." if i is None else _array_str(values[i], indent + 1, summarize, fmt1, fmt2) for i in rows]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized(values):
    """The elements that a summarised print shows (they alone choose the format)."""
    edge = PRINT_OPTS['edgeitems']
    if values.ndim == 0:
        return values
    if values.ndim == 1:
        return np.concatenate((values[:edge], values[-edge:])) if values.shape[0] > 2 * edge else values
    if not edge:
        return values[(slice(0, 0),) * values.ndim]
    n = values.shape[0]
    rows = list(range(edge)) + list(range(n - edge, n)) if n > 2 * edge else range(n)
    return np.stack([_summarized(values[i]) for i in rows])


def _host_values(t):
    values = backend.to_numpy(t._data)
    # float16/bfloat16 print through float32, as torch formats their Python-float values.
    if values.dtype.name in ('bfloat16', 'float16'):
        values = values.astype(np.float32)
    return values


def tensor_str(values, indent):
    """The bracketed body of a tensor's repr (``values`` a host ndarray)."""
    if values.size == 0:
        return "[]"
    summarize = values.size > PRINT_OPTS['threshold']
    shown = _summarized(values) if summarize else values
    if values.dtype.kind == 'c':
        return _array_str(values, indent, summarize, _Formatter(shown.real), _Formatter(shown.imag))
    return _array_str(values, indent, summarize, _Formatter(shown))


def _add_suffixes(text, suffixes, indent):
    parts = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS['linewidth']:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _is_plain(t):
    from .tensor import Tensor
    if type(t) is Tensor:
        return True
    return type(t).__name__ == 'Parameter'


def tensor_repr(t):
    """``repr(t)`` as torch writes it, with ``ember.`` in dtype names."""
    prefix = "tensor(" if _is_plain(t) else f"{type(t).__name__}("
    indent = len(prefix)
    values = _host_values(t)
    suffixes = []
    if t.is_cuda:
        suffixes.append(f"device='{t.device}'")
    default = dtypes.get_default_dtype()
    default_complex = dtypes.complex128 if default is dtypes.float64 else dtypes.complex64
    dt = t.dtype
    if values.size == 0:
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
        if dt is not default:
            suffixes.append(f"dtype={dt}")
        body = "[]"
    else:
        if not PRINT_OPTS['edgeitems']:
            suffixes.append(f"size={tuple(values.shape)}")
        if dt not in (default, default_complex, dtypes.int64, dtypes.bool):
            suffixes.append(f"dtype={dt}")
        body = tensor_str(values, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
