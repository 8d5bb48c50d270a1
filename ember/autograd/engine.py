"""The backward engine: ``backward`` and ``grad``.

The graph is walked iteratively (a 100,000-op chain needs no recursion) in
reverse topological order. Each node receives the sum of the gradients of
its outputs, runs its backward, and hands each input gradient to the node
that produced that input, after reducing broadcast dimensions and casting to
the input's dtype -- the one place where that happens.
"""
import numpy as np

from . import grad_mode, anomaly
from .function import AccumulateGrad
from ..dtypes import from_numpy_dtype

_Tensor = None  # bound by ember.tensor


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, _Tensor):
        return (x,)
    return tuple(x)


def _edge(t):
    """The (node, output_nr) that receives the gradient of tensor ``t``."""
    if t.grad_fn is not None:
        return t.grad_fn, t._output_nr
    return t._grad_accumulator(), 0


def _make_grads(outputs, grads, create_graph):
    """Default (ones) and checked gradients for each output."""
    from .. import creation
    result = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = _Tensor._make(np.ones_like(out._data))  # the common loss.backward(): skip the factory
        elif not isinstance(g, _Tensor):
            g = creation.tensor(g, dtype=out.dtype)
        elif tuple(g.shape) != tuple(out.shape):
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] has a shape "
                f"of {out.shape}.")
        result.append(g)
    return result


def _topological_order(roots):
    """Nodes reachable from ``roots``, every consumer before what it consumes."""
    order, seen = [], set()
    stack = [(r, False) for r in roots]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        for nxt, _ in node.next_functions:
            if nxt is not None and nxt not in seen:
                stack.append((nxt, False))
    order.reverse()
    return order


def _sum_to(g, shape, node, i):
    """Reduce a broadcast gradient back to the input's ``shape``."""
    gshape = g._data.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, gshape[lead:])):
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index {i} - got {list(gshape)} but "
            f"expected shape compatible with {list(shape)}")
    dims = tuple(range(lead)) + tuple(lead + k for k, s in enumerate(shape) if s == 1 and gshape[lead + k] != 1)
    if dims:
        g = g.sum(dims, keepdim=True)
    if lead:
        g = g.reshape(shape)
    return g


def _run_node(node, grads, create_graph):
    """Call ``node``'s backward; return one gradient per input, reduced and cast."""
    if node._out_shapes is not None and node.materialize_grads and any(g is None for g in grads):
        from .. import creation
        grads = [g if g is not None else creation.zeros(shape, dtype=from_numpy_dtype(dt))
                 for g, (shape, dt) in zip(grads, node._out_shapes)]
    result = node.apply(*grads)  # grad mode is already create_graph (set once in _execute)
    result = result if isinstance(result, tuple) else (result,)
    nexts = node.next_functions
    if len(result) != len(nexts):
        # Extra trailing Nones are allowed, as in torch; a missing gradient is not.
        if len(result) < len(nexts) or any(r is not None for r in result[len(nexts):]):
            raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                               f"(expected {len(nexts)}, got {len(result)})")
        result = result[:len(nexts)]
    out = []
    for i, (g, meta) in enumerate(zip(result, node._input_meta)):
        if g is None or meta is None:
            out.append(None)
            continue
        if not isinstance(g, _Tensor):
            raise TypeError(f"{node.name()} returned a {type(g).__name__} as gradient {i}; expected a Tensor")
        shape, dt = meta
        if g._data.shape != shape:
            g = _sum_to(g, shape, node, i)
        if g._data.dtype != dt:
            g = g.to(from_numpy_dtype(dt))
        out.append(g)
    if anomaly._enabled:
        anomaly.check_gradients(node, out)
    return out


def _leaf_hooks(leaf, g):
    """Run the hooks registered on a leaf; a returned tensor replaces the gradient."""
    for hook in leaf._hooks:
        new = hook(g)
        if new is not None:
            g = new
    return g


def _accumulate(leaf, g, create_graph, owned, hooks=True):
    """Add ``g`` into ``leaf.grad`` as torch's AccumulateGrad does."""
    if hooks and leaf._hooks:
        g = _leaf_hooks(leaf, g)
    if leaf.grad is None:
        if create_graph:
            leaf.grad = g
            return
        arr = g._data
        # Never let .grad alias another tensor's memory or a read-only broadcast view.
        if arr.base is not None or not arr.flags.writeable or id(arr) in owned:
            arr = arr.copy()
        owned.add(id(arr))
        leaf.grad = _Tensor._wrap(arr)
    elif create_graph or leaf.grad.requires_grad:
        leaf.grad = leaf.grad + g
    else:
        leaf.grad._data += g._data
        leaf.grad._version[0] += 1


def _execute(roots, retain_graph, create_graph, targets=None):
    """Run backward from ``roots`` [(node, nr, grad)].

    With ``targets`` (a list of edges), gradients reaching them are captured
    and returned instead of being accumulated into leaves. Backward formulas
    record a graph only under ``create_graph``.
    """
    state = grad_mode.state
    prev, state.enabled = state.enabled, bool(create_graph)
    try:
        return _execute_nodes(roots, retain_graph, create_graph, targets)
    finally:
        state.enabled = prev


def _execute_nodes(roots, retain_graph, create_graph, targets):
    order = _topological_order([r[0] for r in roots])
    needed = None
    if targets is not None:
        target_nodes = {n for n, _ in targets}
        needed = set()
        # A node runs only when its inputs lead to a target; a target's own node is not run (its
        # gradient is captured on the way in), so a non-leaf target keeps the graph below it intact.
        for node in reversed(order):
            if any(n in needed or n in target_nodes for n, _ in node.next_functions if n is not None):
                needed.add(node)
    captured = {edge: None for edge in targets or ()}
    buffers = {}
    owned = set()
    for node, nr, g in roots:
        owned.add(id(g._data))
        _add_to_buffer(buffers, node, nr, g)
    for node in order:
        grads = buffers.pop(node, None)
        if grads is None:
            continue
        if node._pre_hooks or node._retained:
            _run_tensor_hooks(node, grads)
        if targets is not None:
            if type(node) is AccumulateGrad and node.variable._hooks:
                grads[0] = _leaf_hooks(node.variable, grads[0])
            for nr, g in enumerate(grads):
                if (node, nr) in captured:
                    captured[(node, nr)] = g if captured[(node, nr)] is None else captured[(node, nr)] + g
            if node not in needed or type(node) is AccumulateGrad:
                continue
        elif type(node) is AccumulateGrad:
            _accumulate(node.variable, grads[0], create_graph, owned)
            continue
        in_grads = _run_node(node, grads, create_graph)
        if node._post_hooks:
            for hook in node._post_hooks:
                hook(tuple(in_grads), tuple(grads))
        if not retain_graph:
            node.release()
        for (nxt, nr), g in zip(node.next_functions, in_grads):
            if nxt is not None and g is not None:
                _add_to_buffer(buffers, nxt, nr, g)
    return captured


def _add_to_buffer(buffers, node, nr, g):
    grads = buffers.get(node)
    if grads is None:
        n = len(node._out_shapes) if node._out_shapes is not None else 1
        grads = buffers[node] = [None] * n
    grads[nr] = g if grads[nr] is None else grads[nr] + g


def _run_tensor_hooks(node, grads):
    """Hooks and retain_grad registered on non-leaf tensors (the node's outputs)."""
    if node._pre_hooks:
        for nr, hooks in node._pre_hooks.items():
            for hook in hooks:
                if grads[nr] is not None:
                    new = hook(grads[nr])
                    if new is not None:
                        grads[nr] = new
    if node._retained:
        for nr, ref in node._retained.items():
            t = ref()
            if t is not None and grads[nr] is not None:
                g = grads[nr]
                if t.grad is None:
                    t.grad = _Tensor._wrap(g._data.copy()) if not g.requires_grad else g
                else:
                    t.grad = t.grad + g


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate into leaves' ``.grad`` the gradients of ``tensors`` (weighted by ``grad_tensors``)."""
    tensors = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors if grad_tensors is not None else grad_variables) or (None,) * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(f"got {len(grads)} tensors and {len(tensors)} gradients")
    if retain_graph is None:
        retain_graph = create_graph
    for i, t in enumerate(tensors):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    grads = _make_grads(tensors, grads, create_graph)
    roots = [(*_edge(t), g) for t, g in zip(tensors, grads)]
    inputs = _as_tuple(inputs)
    if not inputs:
        _execute(roots, retain_graph, create_graph)
        return
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    edges = [_edge(t) for t in inputs]
    captured = _execute(roots, retain_graph, create_graph, edges)
    owned = set()
    for t, e in zip(inputs, edges):
        if captured[e] is not None:
            if t.grad_fn is None:
                _accumulate(t, captured[e], create_graph, owned, hooks=False)  # hooks ran on capture
            elif not t._retains_grad:  # a retained non-leaf already received it from its retain_grad hook
                g = captured[e] if create_graph else captured[e].detach()
                t.grad = g if t.grad is None else t.grad + g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return the gradients of ``outputs`` with respect to ``inputs`` as a tuple (nothing accumulates)."""
    outputs = _as_tuple(outputs)
    single_input = isinstance(inputs, _Tensor)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(grads)} and {len(outputs)}")
    if retain_graph is None:
        retain_graph = create_graph
    for i, t in enumerate(outputs):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    for t in inputs:
        if not isinstance(t, _Tensor) or not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _make_grads(outputs, grads, create_graph)
    edges = [_edge(t) for t in inputs]
    captured = _execute([(*_edge(t), g) for t, g in zip(outputs, grads)], retain_graph, create_graph, edges)
    result = []
    for t, e in zip(inputs, edges):
        g = captured[e]
        if g is None:
            if not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used in the "
                                   "graph. Set allow_unused=True if this is the desired behavior.")
            if materialize_grads:
                from .. import creation
                g = creation.zeros_like(t)
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)
