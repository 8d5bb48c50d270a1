"""Hook plumbing for modules: removable handles and full backward hooks (as ``torch.utils.hooks``)."""
from ...autograd.function import Function
from ...tensor import Tensor


class RemovableHandle:
    """Returned by hook registrations; ``remove()`` (or leaving a ``with`` block) unregisters the hook."""
    _next_id = 0

    def __init__(self, hooks_dict, extra_dicts=()):
        self.hooks_dict = hooks_dict
        self.extra_dicts = extra_dicts  # e.g. the "with_kwargs" set, cleaned up together
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self):
        """Unregister the hook."""
        self.hooks_dict.pop(self.id, None)
        for extra in self.extra_dicts:
            extra.discard(self.id)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _HookBoundary(Function):
    """Identity on the module's input (or output) tensors whose backward reports their gradients."""

    @staticmethod
    def forward(ctx, on_grads, *tensors):
        ctx.on_grads = on_grads
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.on_grads(grads))


class BackwardHook:
    """Calls ``hook(module, grad_input, grad_output)`` for one forward call of a module.

    The inputs and outputs pass through ``_HookBoundary`` nodes: the output
    node runs the pre-hooks (``hook(module, grad_output)``, which may replace
    it) and records ``grad_output``; the input node receives all input
    gradients at once, runs the hooks, and passes on what they return.
    """

    def __init__(self, module, hooks, pre_hooks=None):
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks or {}
        self.grad_output = None
        self.n_inputs = 0
        self.input_index = ()

    def setup_input_hook(self, args):
        """Route the tensor arguments that require grad through an input boundary."""
        self.n_inputs = len(args)
        self.input_index = tuple(i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad)
        if not self.input_index:
            return args
        wrapped = _HookBoundary.apply(self._on_input_grads, *(args[i] for i in self.input_index))
        args = list(args)
        for i, w in zip(self.input_index, wrapped):
            args[i] = w
        return tuple(args)

    def setup_output_hook(self, result):
        """Route the output tensors through an output boundary."""
        single = isinstance(result, Tensor)
        outs = (result,) if single else result
        if not isinstance(outs, tuple):
            return result
        index = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
        if not index:
            return result
        wrapped = _HookBoundary.apply(self._on_output_grads, *(outs[i] for i in index))
        outs = list(outs)
        for i, w in zip(index, wrapped):
            outs[i] = w
        return outs[0] if single else tuple(outs)

    def _on_output_grads(self, grads):
        grads = tuple(grads)
        for hook in list(self.pre_hooks.values()):
            result = hook(self.module, grads)
            if result is not None:
                result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
                if len(result) != len(grads):
                    raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, got "
                                       f"{len(result)}, but expected {len(grads)}")
                grads = result
        self.grad_output = grads
        if not self.input_index:  # nothing upstream needs a gradient: torch calls the hooks now
            self._run_hooks((None,) * self.n_inputs)
        return grads

    def _on_input_grads(self, grads):
        grad_input = [None] * self.n_inputs
        for i, g in zip(self.input_index, grads):
            grad_input[i] = g
        grad_input = self._run_hooks(tuple(grad_input))
        return tuple(grad_input[i] for i in self.input_index)

    def _run_hooks(self, grad_input):
        for hook in list(self.hooks.values()):
            result = hook(self.module, grad_input, self.grad_output)
            if result is None:
                continue
            result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
            if len(result) != len(grad_input):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got "
                                   f"{len(result)}, but expected {len(grad_input)}")
            grad_input = result
        return grad_input
