"""The Optimizer base class: parameter groups, per-parameter state, hooks, state_dict.

An algorithm subclasses ``Optimizer``, passes its hyperparameters as
``defaults`` and writes ``step``; everything else (grouping, the torch
state_dict format, hooks, ``zero_grad``) lives here. ``step`` always runs
under ``no_grad`` with the step hooks around it, as in torch.
"""
import functools
import itertools
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from copy import deepcopy

import numpy as np

from ..autograd import grad_mode
from ..tensor import Tensor

__all__ = ['Optimizer', 'required', 'register_optimizer_step_pre_hook', 'register_optimizer_step_post_hook']


class _RequiredParameter:
    """Marks a default that every parameter group must give (e.g. an SGD lr in old torch)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class RemovableHandle:
    """Handle returned by the hook registrations; ``remove()`` unregisters the hook."""
    _next_id = itertools.count()

    def __init__(self, hooks_dict):
        self._hooks = hooks_dict
        self.id = next(RemovableHandle._next_id)

    def remove(self):
        """Unregister the hook (a second call does nothing)."""
        self._hooks.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _register(hooks, hook, prepend=False):
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


_global_pre_hooks = OrderedDict()
_global_post_hooks = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """Call ``hook(optimizer, args, kwargs)`` before every optimizer's step; it may return new (args, kwargs)."""
    return _register(_global_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """Call ``hook(optimizer, args, kwargs)`` after every optimizer's step."""
    return _register(_global_post_hooks, hook)


def _hooked_step(step):
    """Wrap a subclass's ``step``: pre hooks, the update under no_grad, post hooks."""
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        for hook in itertools.chain(_global_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), but got "
                                       f"{result}.")
                args, kwargs = result
        with grad_mode.no_grad():
            out = step(self, *args, **kwargs)
        for hook in itertools.chain(self._optimizer_step_post_hooks.values(), _global_post_hooks.values()):
            hook(self, args, kwargs)
        return out
    wrapper.hooked = True
    return wrapper


class Optimizer:
    """Base class for all optimizers, as ``torch.optim.Optimizer``.

    Args:
        params: an iterable of tensors, of ``(name, tensor)`` pairs, or of
            dicts (parameter groups, each with its own options, e.g.
            ``[{'params': weights}, {'params': biases, 'lr': 1e-3}]``).
        defaults: the options a group takes when it does not give them.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Each class that defines step gets the hooks and no_grad around it, once.
        if 'step' in cls.__dict__ and not getattr(cls.__dict__['step'], 'hooked', False):
            cls.step = _hooked_step(cls.__dict__['step'])

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._init_hooks()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            f"but got {_typename(params)}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{'params': param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def _init_hooks(self):
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()

    def __getstate__(self):
        return {'defaults': self.defaults, 'state': self.state, 'param_groups': self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        if '_optimizer_step_pre_hooks' not in self.__dict__:
            self._init_hooks()
        self.defaults.setdefault('differentiable', False)

    def __repr__(self):
        lines = [self.__class__.__name__ + ' (']
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != 'params')
        return '\n'.join(lines) + '\n)'

    # ---- hooks ----------------------------------------------------------
    def register_step_pre_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` before ``step``; it may return new ``(args, kwargs)``."""
        return _register(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` after ``step``."""
        return _register(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """Call ``hook(optimizer)`` before ``state_dict`` builds the dict."""
        return _register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """Call ``hook(optimizer, state_dict)`` after ``state_dict``; a returned dict replaces it."""
        return _register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """Call ``hook(optimizer, state_dict)`` before loading; a returned dict is loaded instead."""
        return _register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """Call ``hook(optimizer)`` after ``load_state_dict``."""
        return _register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ---- state_dict -----------------------------------------------------
    def state_dict(self):
        """The optimizer state in torch's format.

        ``{'state': {0: {'step': tensor(3.), 'exp_avg': ...}, ...},
        'param_groups': [{'lr': 0.001, ..., 'params': [0, 1]}, ...]}``:
        parameters are replaced by integer ids numbered in group order.
        """
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        ids = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != 'params'}
            for p in group['params']:
                ids.setdefault(id(p), len(ids))
            packed['params'] = [ids[id(p)] for p in group['params']]
            groups.append(packed)
        state = {(ids[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {'state': state, 'param_groups': groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict):
        """Load a dict made by ``state_dict`` (of this optimizer class, from ember or converted from torch).

        Raises:
            ValueError: the number of groups or a group's size differs.
        """
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict['param_groups'])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g['params']) != len(s['params']) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = dict(zip(itertools.chain.from_iterable(g['params'] for g in saved_groups),
                          itertools.chain.from_iterable(g['params'] for g in groups)))
        state = defaultdict(dict)
        for key, value in state_dict['state'].items():
            if key in id_map:
                param = id_map[key]
                state[param] = _cast(param, value)
            else:
                state[key] = value
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved['params'] = group['params']
            if 'param_names' in group and 'param_names' not in saved:
                saved['param_names'] = group['param_names']
            new_groups.append(saved)
        self.__setstate__({'state': state, 'param_groups': new_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    # ---- the rest of the API --------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients: to None (default) or, with ``set_to_none=False``, to zeros."""
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    g = p.grad
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g._data[...] = 0
                    g._version[0] += 1

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        raise NotImplementedError

    def add_param_group(self, param_group):
        """Add a group of parameters (with its own options) to ``param_groups``.

        Raises:
            ValueError: a parameter is already in another group, or a
                required option is missing.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group['params']
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        param_group['params'] = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group['param_names'] = names
        for p in param_group['params']:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {_typename(p)}")
            if not self.defaults.get('differentiable', None) and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter "
                                 f"{name}")
            param_group.setdefault(name, default)
        params = param_group['params']
        if len(params) != len({id(p) for p in params}):
            import warnings
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group['params'])
            if ('param_names' in param_group) != ('param_names' in group):
                which = 'with names' if 'param_names' in param_group else 'without names'
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(id(p) for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ---- helpers for the algorithms -------------------------------------
    @staticmethod
    def _eval_closure(closure):
        """Run the closure with grad enabled (step itself runs under no_grad) and return its loss."""
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()

    def _params_with_grad(self, group):
        """Yield ``(param, grad array)`` for each parameter of ``group`` that has a gradient.

        The grad array is negated for ``maximize``. After the caller has
        updated ``param._data`` in place, the version counter is bumped, so
        a graph that saved the old values refuses to backward, as in torch.
        """
        maximize = group.get('maximize', False)
        for p in group['params']:
            if p.grad is None:
                continue
            g = p.grad._data
            yield p, (-g if maximize else g)
            p._version[0] += 1


def _typename(obj):
    return type(obj).__module__ + '.' + type(obj).__name__ if isinstance(obj, Tensor) else type(obj).__name__


def _cast(param, value, key=None):
    """A copy of a saved state value with tensors moved to ``param``'s device (and float dtype, except 'step')."""
    if isinstance(value, Tensor) or _is_foreign_tensor(value):
        t = value if isinstance(value, Tensor) else _from_foreign(value)
        if key != 'step' and param.is_floating_point():
            t = t.to(dtype=param.dtype, device=param.device)
        elif key != 'step':
            t = t.to(device=param.device)
        # A copy, so that stepping this optimizer does not write into the loaded dict.
        return Tensor._wrap(t._data.copy())
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
        return type(value)(_cast(param, v) for v in value)
    return value


def _is_foreign_tensor(value):
    # A torch tensor (or anything tensor-like) in a checkpoint: accepted without importing torch.
    return not isinstance(value, np.ndarray) and hasattr(value, 'detach') and hasattr(value, 'numpy')


def _from_foreign(value):
    return Tensor._wrap(np.array(value.detach().cpu().numpy(), copy=True))
