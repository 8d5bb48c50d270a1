"""Function (a differentiable operation) and the graph nodes it records.

A primitive subclasses ``Function`` with ``forward(ctx, *args)`` and
``backward(ctx, *grads)``. ``ctx`` *is* the graph node (``tensor.grad_fn``):
its class is named after the function, e.g. ``MulBackward0``.

Two kinds of forward exist:

* ember's own primitives set ``raw = True``: forward receives backend arrays
  (numpy/cupy) and returns arrays; ``ctx.save_for_backward(a, b)`` given the
  very arrays that came in (or went out) saves the Tensors they belong to.
* user-defined functions (``ember.autograd.Function``, as in torch) receive
  and return Tensors; forward runs under ``no_grad``.

Backward always receives and returns Tensors and is written with Tensor
operations, so ``create_graph=True`` differentiates it again.
"""
from .. import backend
from . import grad_mode, anomaly

_Tensor = None  # ember.tensor.Tensor, bound at import time by ember.tensor


class Node:
    """A node of the backward graph (``grad_fn``)."""

    next_functions = ()
    _saved = None          # tuple of SavedTensor, None when nothing saved
    _freed = False
    _pre_hooks = None      # {output_nr: [hook]} from Tensor.register_hook on non-leaves
    _retained = None       # {output_nr: weakref to a tensor with retain_grad()}
    _post_hooks = None
    _anomaly_trace = None
    _out_shapes = None     # (shape, dtype) per output, set only for multi-output nodes
    _fn = None             # the Function class whose backward this node runs

    def name(self):
        """The node's name, e.g. ``'MulBackward0'``."""
        return type(self).__name__

    def register_hook(self, fn):
        """Call ``fn(grad_inputs, grad_outputs)`` after this node ran."""
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(fn)
        return _RemovableHandle(self._post_hooks, fn)

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"


class _RemovableHandle:
    """Handle returned by hook registrations; ``remove()`` unregisters."""
    __slots__ = ('_hooks', '_fn')

    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)


class SavedTensor:
    """A tensor saved for backward, with the version it had when saved."""
    __slots__ = ('tensor', 'version', 'counter', 'data', 'output_nr')

    def __init__(self, tensor=None, data=None, counter=None, output_nr=-1):
        self.tensor = tensor          # an input (or constant) tensor, or None for an output
        self.counter = tensor._version if tensor is not None else counter
        self.version = self.counter[0]
        self.data = data              # array of a saved output (kept without a cycle)
        self.output_nr = output_nr

    def unpack(self, node):
        if self.counter[0] != self.version:
            t = self.tensor
            shape = list(t.shape) if t is not None else list(self.data.shape)
            dt = (t.dtype if t is not None else _Tensor._wrap(self.data).dtype)
            where = (f"output {self.output_nr} of {node.name()}" if t is None else
                     f"output {t._output_nr} of {t.grad_fn.name()}" if t.grad_fn is not None else
                     "a leaf tensor" if t.requires_grad else "a tensor that does not require grad")
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: [{dt} {shape}], which is {where}, is at version {self.counter[0]}; "
                f"expected version {self.version} instead. Hint: the backtrace further above can show "
                "the operation that failed to compute its gradient.")
        if self.tensor is not None:
            return self.tensor
        # A saved output is rebuilt on demand so that the node does not keep its
        # own output alive (output -> grad_fn -> output would be a cycle).
        return _Tensor._make(self.data, True, node, self.output_nr, self.counter)


class _SavedConstant:
    """A Python number saved for backward (used as is)."""
    __slots__ = ('value',)

    def __init__(self, value):
        self.value = value

    def unpack(self, node):
        return self.value


class BackwardNode(Node):
    """The ``ctx`` of a Function call, which becomes the outputs' ``grad_fn``."""
    materialize_grads = True
    needs_input_grad = ()
    _to_save = None
    _non_diff = None
    _input_meta = ()

    def save_for_backward(self, *items):
        """Keep tensors (or, in raw primitives, the arrays of inputs/outputs) for backward."""
        self._to_save = items

    def mark_non_differentiable(self, *items):
        """Declare outputs (tensors, or arrays in raw primitives) that get no gradient."""
        self._non_diff = {id(x) for x in items}

    def mark_dirty(self, *tensors):
        """Accepted for compatibility; in-place custom functions are recorded as out-of-place."""

    def set_materialize_grads(self, value):
        """Whether missing output gradients reach backward as zeros (True) or None."""
        self.materialize_grads = value

    @property
    def saved_tensors(self):
        """The tensors given to save_for_backward, checked against in-place changes."""
        if self._freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors "
                "after they have already been freed). Saved intermediate values of the graph are freed "
                "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
                "backward through the graph a second time or if you need to access saved tensors after "
                "calling backward.")
        saved = self._saved
        if saved is None:
            return ()
        return tuple(None if s is None else s.unpack(self) for s in saved)

    def apply(self, *grads):
        """Run the function's backward on output gradients."""
        return self._fn.backward(self, *grads)

    def release(self):
        """Free saved tensors after a backward that does not retain the graph."""
        if self._saved is not None or self._to_save is not None:
            self._saved = None
            self._freed = True


class AccumulateGrad(Node):
    """The node that adds incoming gradients into a leaf tensor's ``.grad``."""

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return 'AccumulateGrad'


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        # Torch names its built-in nodes 'MulBackward0' and custom ones 'MyFnBackward'.
        suffix = 'Backward0' if attrs.get('raw', getattr(cls, 'raw', False)) else 'Backward'
        cls._backward_cls = type(name + suffix, (BackwardNode,), {'_fn': cls})


class Function(metaclass=_FunctionMeta):
    """A differentiable operation: subclass it, define forward/backward, call ``.apply``.

    Example::

        class Exp(Function):
            @staticmethod
            def forward(ctx, x):
                y = x.exp()
                ctx.save_for_backward(y)
                return y

            @staticmethod
            def backward(ctx, grad):
                y, = ctx.saved_tensors
                return grad * y
    """
    raw = False      # True for ember primitives whose forward works on arrays
    is_view = False  # True when the output shares memory with the first input

    @staticmethod
    def forward(ctx, *args, **kwargs):
        """Compute the outputs; override it."""
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Optionally override (with a ctx-free ``forward``) to save what backward needs."""
        raise NotImplementedError("setup_context is not overridden")

    @staticmethod
    def backward(ctx, *grads):
        """Gradients of the inputs given the gradients of the outputs; override it."""
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward, and record a graph node when an input requires grad."""
        Tensor = _Tensor
        record = False
        if grad_mode.state.enabled:
            for a in args:
                if isinstance(a, Tensor) and a._requires_grad:
                    record = True
                    break
        ctx = cls._backward_cls()
        if backend._cupy:  # devices can only differ once CuPy is in use; CPU-only runs skip the check
            _check_same_device(args)
        if cls.raw:
            arrays = [a._data if isinstance(a, Tensor) else a for a in args]
            out = cls.forward(ctx, *arrays, **kwargs)
        else:
            arrays = None
            # custom functions may consult needs_input_grad in forward (to decide what to save)
            ctx.needs_input_grad = tuple(record and isinstance(a, Tensor) and a._requires_grad for a in args)
            with grad_mode.no_grad():
                if cls.setup_context is Function.setup_context:
                    out = cls.forward(ctx, *args, **kwargs)
                else:  # torch 2's style: forward without ctx, then setup_context(ctx, inputs, output)
                    out = cls.forward(*args, **kwargs)
                    cls.setup_context(ctx, args, out)
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        if not record:
            if cls.raw:
                if single:  # the common case, without a generator
                    out = Tensor._make(out)
                    if cls.is_view:
                        base = args[0]
                        out._version, out._base = base._version, base._base if base._base is not None else base
                    return out
                results = tuple(Tensor._make(o) for o in outs)
            else:
                results = outs
            if cls.is_view:
                base = args[0]
                for r in results:
                    r._version, r._base = base._version, base._base if base._base is not None else base
            return results[0] if single else results
        return _record(cls, ctx, args, arrays, outs, single)


_NO_EDGE = (None, 0)


def _check_same_device(args):
    """torch's error for an operation mixing tensors on different devices."""
    devices = {a.device for a in args if isinstance(a, _Tensor)}
    if len(devices) > 1:
        first, second = sorted(str(d) for d in devices)[:2]
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{second} and {first}!")


def _record(cls, ctx, args, arrays, outs, single):
    """Wrap outputs with ``ctx`` as their grad_fn and link ctx to the inputs' nodes."""
    Tensor = _Tensor
    nexts, needs, meta = [], [], []
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            fn = a.grad_fn
            nexts.append((fn, a._output_nr) if fn is not None else (a._grad_accumulator(), 0))
            needs.append(True)
            d = a._data
            meta.append((d.shape, d.dtype))
        else:
            nexts.append(_NO_EDGE)
            needs.append(False)
            meta.append(None)
    ctx.next_functions = tuple(nexts)
    if anomaly._enabled:
        anomaly.record_trace(ctx)
    ctx.needs_input_grad = tuple(needs)
    ctx._input_meta = tuple(meta)
    non_diff = ctx._non_diff
    results = []
    base = args[0] if cls.is_view else None
    for i, o in enumerate(outs):
        data = o._data if isinstance(o, Tensor) else o
        diff = (non_diff is None or id(o) not in non_diff)
        if diff:
            kind = data.dtype.kind
            diff = kind == 'f' or kind == 'c' or data.dtype.name == 'bfloat16'
        if base is not None:
            t = Tensor._make(data, diff, ctx if diff else None, i, base._version)
            t._base = base._base if base._base is not None else base
        else:
            t = Tensor._make(data, diff, ctx if diff else None, i)
        results.append(t)
    if len(outs) > 1:
        ctx._out_shapes = tuple((r._data.shape, r._data.dtype) for r in results)
    if ctx._to_save is not None:
        ctx._saved = _resolve_saved(ctx._to_save, args, arrays, outs, results)
        ctx._to_save = None
    return results[0] if single else tuple(results)


def _resolve_saved(items, args, arrays, outs, results):
    """Turn what forward saved into SavedTensors pointing at inputs, outputs or constants."""
    Tensor = _Tensor
    saved = []
    for item in items:
        # (np.float64 is a float subclass: a NumPy scalar output must not be taken for a constant)
        if item is None or (isinstance(item, (int, float, bool, complex)) and not hasattr(item, 'dtype')):
            saved.append(None if item is None else _SavedConstant(item))
            continue
        found = None
        for j, o in enumerate(outs):
            if item is o:
                r = results[j]
                found = SavedTensor(data=r._data, counter=r._version, output_nr=j) if r.grad_fn is not None \
                    else SavedTensor(r)
                break
        if found is None:
            for j, a in enumerate(args):
                if item is a or (arrays is not None and item is arrays[j] and isinstance(a, Tensor)):
                    found = SavedTensor(a)
                    break
        if found is None:  # an intermediate value: a constant for the backward graph
            found = SavedTensor(item if isinstance(item, Tensor) else Tensor._wrap(item))
        saved.append(found)
    return tuple(saved)


FunctionCtx = BackwardNode


def once_differentiable(backward):
    """Decorate a custom Function's backward that cannot itself be differentiated (runs it without recording)."""
    import functools

    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with grad_mode.no_grad():
            return backward(ctx, *grads)
    return wrapper
