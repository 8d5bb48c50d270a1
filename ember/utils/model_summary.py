"""``ember.utils.summary(model, input_size)``: torchinfo's table of layers, output shapes and parameters."""
from .. import creation, random
from ..autograd import grad_mode

_WIDTHS = (40, 26, 15)


class ModelStatistics:
    """The result of ``summary``: ``str()`` gives the table; counts are attributes."""

    def __init__(self, rows, total_params, trainable_params, input_bytes, output_bytes, param_bytes, mult_adds):
        self.rows = rows
        self.total_params, self.trainable_params = total_params, trainable_params
        self.input_bytes, self.output_bytes, self.param_bytes = input_bytes, output_bytes, param_bytes
        self.total_mult_adds = mult_adds

    def __str__(self):
        line = '=' * sum(_WIDTHS)
        head = ''.join(s.ljust(w) for s, w in zip(('Layer (type:depth-idx)', 'Output Shape', 'Param #'), _WIDTHS))
        body = [''.join(str(c).ljust(w) for c, w in zip(row, _WIDTHS)).rstrip() for row in self.rows]
        mb = lambda b: f"{b / 1e6:.2f}"
        return '\n'.join([line, head, line, *body, line,
                          f"Total params: {self.total_params:,}",
                          f"Trainable params: {self.trainable_params:,}",
                          f"Non-trainable params: {self.total_params - self.trainable_params:,}",
                          f"Total mult-adds (M): {self.total_mult_adds / 1e6:.2f}", line,
                          f"Input size (MB): {mb(self.input_bytes)}",
                          f"Forward/backward pass size (MB): {mb(self.output_bytes)}",
                          f"Params size (MB): {mb(self.param_bytes)}",
                          f"Estimated Total Size (MB): {mb(self.input_bytes + self.output_bytes + self.param_bytes)}",
                          line])

    __repr__ = __str__


def _shape_of(out):
    if hasattr(out, 'shape'):
        return list(out.shape)
    if isinstance(out, (list, tuple)) and out:
        return _shape_of(out[0])
    return '--'


def _nbytes(out):
    if hasattr(out, 'numel'):
        return out.numel() * out.element_size()
    if isinstance(out, (list, tuple)):
        return sum(_nbytes(o) for o in out)
    return 0


def summary(model, input_size=None, input_data=None, depth=3, dtypes=None, device=None, verbose=1, **kwargs):
    """Run ``model`` on a random batch of ``input_size`` (or on ``input_data``) and tabulate its layers.

    Each row names a module as ``Type: depth-index`` (torchinfo's style), its
    output shape and its own parameter count; the footer gives totals and
    memory estimates. Returns a ModelStatistics; prints it when verbose.
    """
    if input_data is None:
        if input_size is None:
            raise ValueError("summary() needs input_size or input_data")
        sizes = [input_size] if isinstance(input_size[0], int) else list(input_size)
        types = dtypes or [None] * len(sizes)
        input_data = [random.randn(*s, dtype=t, device=device) if t is None or t.is_floating_point
                      else creation.zeros(*s, dtype=t, device=device) for s, t in zip(sizes, types)]
    inputs = input_data if isinstance(input_data, (list, tuple)) else [input_data]
    records, handles, counters = {}, [], {}

    def walk(module, d):
        for child in module.children():
            idx = counters[d] = counters.get(d, 0) + 1
            records[id(child)] = {'module': child, 'depth': d, 'idx': idx, 'out': None, 'order': len(records)}
            handles.append(child.register_forward_hook(_hook(id(child))))
            walk(child, d + 1)

    def _hook(key):
        def hook(module, inp, out):
            records[key]['out'] = out
        return hook

    walk(model, 1)
    with grad_mode.no_grad():
        out = model(*inputs)
    for h in handles:
        h.remove()
    rows = [(type(model).__name__, _shape_of(out), '--')]
    mult_adds, act_bytes = 0, 0
    for rec in sorted(records.values(), key=lambda r: r['order']):
        if rec['depth'] > depth:
            continue
        m = rec['module']
        own = sum(p.numel() for p in m.parameters(recurse=False))
        has_children = any(True for _ in m.children())
        count = f"{own:,}" if own else '--'
        name = '│    ' * (rec['depth'] - 1) + f"├─{type(m).__name__}: {rec['depth']}-{rec['idx']}"
        rows.append((name, _shape_of(rec['out']), count))
        act_bytes += _nbytes(rec['out'])
        weight = getattr(m, 'weight', None)
        if weight is not None and hasattr(rec['out'], 'shape') and not has_children:
            spatial = 1
            shape = rec['out'].shape
            for s in shape[2:]:
                spatial *= s
            mult_adds += weight.numel() * spatial * (shape[0] if shape else 1)
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    stats = ModelStatistics(rows, total, trainable, sum(_nbytes(x) for x in inputs), 2 * act_bytes,
                            sum(p.numel() * p.element_size() for p in params), mult_adds)
    if verbose:
        print(stats)
    return stats
