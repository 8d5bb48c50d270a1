"""Printing tensors the way torch prints them: ``tensor([1., 2.])``, ``tensor(2.5000)``."""
import numpy as np

from . import backend, dtypes

PRINT_OPTS = {'precision': 4, 'threshold': 1000, 'edgeitems': 3, 'linewidth': 80, 'sci_mode': None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Set how tensors print (same options as ``torch.set_printoptions``)."""
    if profile == 'default':
        PRINT_OPTS.update(precision=4, threshold=1000, edgeitems=3, linewidth=80)
    elif profile == 'short':
        PRINT_OPTS.update(precision=2, threshold=1000, edgeitems=2, linewidth=80)
    elif profile == 'full':
        PRINT_OPTS.update(precision=4, threshold=float('inf'), edgeitems=3, linewidth=80)
    for k, v in (('precision', precision), ('threshold', threshold), ('edgeitems', edgeitems),
                 ('linewidth', linewidth)):
        if v is not None:
            PRINT_OPTS[k] = v
    PRINT_OPTS['sci_mode'] = sci_mode


class _Formatter:
    """Chooses one format for all elements, as torch's _Formatter does."""

    def __init__(self, values):
        self.floating = values.dtype.kind == 'f'
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not self.floating:
            strs = [str(v) for v in values.ravel().tolist()] if values.size else ['']
            self.max_width = max(len(s) for s in strs)
            return
        finite = values[np.isfinite(values)].astype(np.float64)
        if finite.size == 0:
            self.max_width = max(len(str(v)) for v in values.ravel().tolist()) if values.size else 1
            self.int_mode = False
            return
        nonzero = np.abs(finite[finite != 0])
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        p = PRINT_OPTS['precision']
        if self.int_mode:
            if nonzero.size and nonzero.max() > 1e8:
                self.sci_mode = True
        elif nonzero.size:
            ratio = nonzero.max() / nonzero.min()
            if ratio > 1000 or nonzero.max() > 1e8 or nonzero.min() < 1e-4:
                self.sci_mode = True
        if PRINT_OPTS['sci_mode'] is not None:
            self.sci_mode = PRINT_OPTS['sci_mode']
        self.max_width = max((len(self._fmt(v)) for v in values.ravel().tolist()), default=1)

    def _fmt(self, v):
        p = PRINT_OPTS['precision']
        if not np.isfinite(v):
            return str(v).replace('inf', 'inf').replace('nan', 'nan')
        if self.sci_mode:
            return f"{v:.{p}e}"
        if self.int_mode:
            return f"{v:.0f}."
        return f"{v:.{p}f}"

    def format(self, v):
        s = self._fmt(v) if self.floating else str(v)
        return s.rjust(self.max_width)


def _summarize(values, edge):
    if values.ndim == 0:
        return values
    if values.shape[0] > 2 * edge:
        values = np.concatenate([values[:edge], values[-edge:]])
    return np.stack([_summarize(v, edge) for v in values]) if values.ndim > 1 else values


def _format_array(values, fmt, indent, summarize):
    edge = PRINT_OPTS['edgeitems']
    if values.ndim == 0:
        return fmt.format(values.item())
    if values.ndim == 1:
        items = [fmt.format(v) for v in values.tolist()]
        if summarize and len(items) > 2 * edge:
            items = items[:edge] + ['...'] + items[-edge:]
        per_line = max((PRINT_OPTS['linewidth'] - indent) // (fmt.max_width + 2), 1)
        lines = [', '.join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return '[' + (',\n' + ' ' * (indent + 1)).join(lines) + ']'
    rows = [_format_array(v, fmt, indent + 1, summarize) for v in values]
    if summarize and values.shape[0] > 2 * edge:
        rows = rows[:edge] + ['...'] + rows[-edge:]
    sep = ',' + '\n' * (values.ndim - 1) + ' ' * (indent + 1)
    return '[' + sep.join(rows) + ']'


def tensor_repr(t):
    """``repr(t)`` as torch writes it, with ember's name for dtypes."""
    values = backend.to_numpy(t._data)
    summarize = values.size > PRINT_OPTS['threshold']
    if values.dtype.name == 'bfloat16':
        values = values.astype(np.float32)
    if values.dtype == np.float16:
        values = values.astype(np.float32)
    prefix = 'tensor('
    if values.size == 0 and values.ndim == 1:
        body = '[]'
    elif values.size == 0:
        body = '[]'
    else:
        shown = _summarize(values, PRINT_OPTS['edgeitems']) if summarize else values
        fmt = _Formatter(shown)
        if values.dtype == np.bool_:
            fmt.max_width = max(len(str(v)) for v in shown.ravel().tolist())
        body = _format_array(values if not summarize else values, fmt, len(prefix), summarize) \
            if not summarize else _format_summarized(values, fmt)
    suffixes = []
    if values.size == 0 and values.ndim != 1:
        suffixes.append(f"size={tuple(values.shape)}")
    if t.is_cuda:
        suffixes.append(f"device='{t.device}'")
    default = dtypes.get_default_dtype()
    if not (t.dtype is default or t.dtype is dtypes.int64 or t.dtype is dtypes.bool) or \
            (values.size == 0 and t.dtype is not default and t.dtype is not dtypes.int64):
        suffixes.append(f"dtype={t.dtype}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return prefix + body + ''.join(', ' + s for s in suffixes) + ')'


def _format_summarized(values, fmt):
    return _format_array(values, fmt, len('tensor('), True)
