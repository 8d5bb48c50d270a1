"""Whole-function derivatives, as ``torch.autograd.functional``: vjp, jvp, jacobian, hessian, vhp, hvp.

Each is built from ``autograd.grad``; jvp uses the double-vjp trick
(the vjp is linear in ``v``, so differentiating it with respect to ``v``
gives the Jacobian-vector product).
"""
from .engine import grad
from .grad_mode import enable_grad


def _tuple(x):
    return (tuple(x), True) if isinstance(x, (tuple, list)) else ((x,), False)


def _prepare(inputs):
    """Fresh leaves sharing the inputs' memory, so the function is differentiated from here."""
    return tuple(x.detach().requires_grad_(True) for x in inputs)


def _zeros_where_none(grads, like):
    from .. import creation
    return tuple(creation.zeros_like(x) if g is None else g for g, x in zip(grads, like))


def _finish(values, create_graph, is_tuple):
    values = tuple(v if create_graph else v.detach() for v in values)
    return values if is_tuple else values[0]


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``."""
    inputs, in_tuple = _tuple(inputs)
    with enable_grad():
        xs = _prepare(inputs)
        outs, out_tuple = _tuple(func(*xs))
        vs = _tuple(v)[0] if v is not None else (None,) * len(outs)
        g = grad(outs, xs, vs, create_graph=create_graph, allow_unused=True)
    return _finish(outs, create_graph, out_tuple), _finish(_zeros_where_none(g, xs), create_graph, in_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``: the Jacobian-vector product at ``inputs``."""
    from .. import creation
    inputs, in_tuple = _tuple(inputs)
    with enable_grad():
        xs = _prepare(inputs)
        outs, out_tuple = _tuple(func(*xs))
        us = tuple(creation.zeros_like(o).requires_grad_(True) for o in outs)
        g = grad(outs, xs, us, create_graph=True, allow_unused=True)
        pairs = [(gi, vi) for gi, vi in zip(g, _tuple(v)[0] if v is not None else (None,) * len(xs))
                 if gi is not None]
        jv = grad([p[0] for p in pairs], us, [p[1] for p in pairs], create_graph=create_graph, allow_unused=True)
    return _finish(outs, create_graph, out_tuple), _finish(_zeros_where_none(jv, outs), create_graph, out_tuple)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy='reverse-mode'):
    """The Jacobian of ``func`` at ``inputs``: shape ``output.shape + input.shape`` per (output, input) pair."""
    from .. import creation
    from ..ops.joining import stack
    inputs, in_tuple = _tuple(inputs)
    with enable_grad():
        xs = _prepare(inputs)
        outs, out_tuple = _tuple(func(*xs))
        result = []
        for out in outs:
            rows = [[] for _ in xs]
            flat = out.reshape(-1)
            for k in range(flat.shape[0]):
                g = grad(flat[k], xs, retain_graph=True, create_graph=create_graph, allow_unused=True)
                for i, gi in enumerate(_zeros_where_none(g, xs)):
                    rows[i].append(gi)
            per_input = []
            for i, x in enumerate(xs):
                if rows[i]:
                    j = stack(rows[i]).reshape(tuple(out.shape) + tuple(x.shape))
                else:
                    j = creation.zeros(tuple(out.shape) + tuple(x.shape), dtype=x.dtype)
                per_input.append(j if create_graph else j.detach())
            result.append(tuple(per_input) if in_tuple else per_input[0])
    return tuple(result) if out_tuple else result[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy='reverse-mode'):
    """The Hessian of a scalar ``func`` at ``inputs`` (the Jacobian of its gradient)."""
    inputs, in_tuple = _tuple(inputs)

    def gradient(*xs):
        out = func(*xs)
        g = grad(out, xs, create_graph=True, allow_unused=True)
        return _zeros_where_none(g, xs) if in_tuple else _zeros_where_none(g, xs)[0]
    return jacobian(gradient, inputs if in_tuple else inputs[0], create_graph=create_graph)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T H)`` for a scalar ``func``."""
    inputs, in_tuple = _tuple(inputs)
    with enable_grad():
        xs = _prepare(inputs)
        out = func(*xs)
        g = _zeros_where_none(grad(out, xs, create_graph=True, allow_unused=True), xs)
        pairs = [(gi, vi) for gi, vi in zip(g, _tuple(v)[0]) if gi.requires_grad]
        h = grad([p[0] for p in pairs], xs, [p[1] for p in pairs], create_graph=create_graph, allow_unused=True) \
            if pairs else (None,) * len(xs)
    return _finish((out,), create_graph, False), _finish(_zeros_where_none(h, xs), create_graph, in_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H v)`` for a scalar ``func`` (the Hessian is symmetric, so this equals vhp)."""
    return vhp(func, inputs, v, create_graph, strict)
