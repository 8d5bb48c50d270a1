"""``nn.Module``: the base class of every layer and model, as ``torch.nn.Module``.

A module keeps three ordered registries, filled on attribute assignment:
``_parameters`` (Parameters), ``_buffers`` (non-trainable state such as
running means) and ``_modules`` (children). Everything else — iteration
with dotted names, ``state_dict``, device/dtype moves, train/eval — walks
those registries.
"""
import itertools
from collections import OrderedDict, namedtuple

from ..autograd import grad_mode
from ..tensor import Tensor
from .parameter import Buffer, Parameter
from .utils.hooks import BackwardHook, RemovableHandle

__all__ = ['Module']


def _typename(obj):
    """torch.typename: 'ember.FloatTensor' for tensors, the qualified class name otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = type(obj)
    module = cls.__module__
    return cls.__qualname__ if module in ('builtins', None) else f"{module}.{cls.__qualname__}"


def _addindent(s, spaces):
    """Indent every line of ``s`` but the first (for nested reprs)."""
    lines = s.split('\n')
    if len(lines) == 1:
        return s
    return lines[0] + '\n' + '\n'.join(' ' * spaces + line for line in lines[1:])


class _IncompatibleKeys(namedtuple('IncompatibleKeys', ['missing_keys', 'unexpected_keys'])):
    """What ``load_state_dict(strict=False)`` returns."""
    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return '<All keys matched successfully>'
        return super().__repr__()

    __str__ = __repr__


class _LoadErrors(list):
    """The ``error_msgs`` list of a load, carrying the copies staged until every check has passed."""

    def __init__(self):
        super().__init__()
        self.copies = []


def _forward_unimplemented(self, *input):
    raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')


class Module:
    """Base class for all neural network modules; subclass it and define ``forward``.

    Example::

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)   # registered as a child module

            def forward(self, x):
                return self.fc(x).relu()
    """
    training: bool
    dump_patches = False
    _version = 1  # stored in state_dict metadata; subclasses bump it to migrate old checkpoints
    call_super_init = False

    def __init__(self, *args, **kwargs):
        if not self.call_super_init and kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        if not self.call_super_init and args:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but {len(args) + 1} were "
                            "given")
        # object.__setattr__ because our __setattr__ needs these registries to exist.
        setattr_ = object.__setattr__
        setattr_(self, 'training', True)
        setattr_(self, '_parameters', {})
        setattr_(self, '_buffers', {})
        setattr_(self, '_non_persistent_buffers_set', set())
        setattr_(self, '_modules', {})
        setattr_(self, '_forward_pre_hooks', OrderedDict())
        setattr_(self, '_forward_pre_hooks_with_kwargs', set())
        setattr_(self, '_forward_hooks', OrderedDict())
        setattr_(self, '_forward_hooks_with_kwargs', set())
        setattr_(self, '_backward_hooks', OrderedDict())
        setattr_(self, '_backward_pre_hooks', OrderedDict())
        setattr_(self, '_load_state_dict_post_hooks', OrderedDict())
        setattr_(self, '_state_dict_hooks', OrderedDict())

    forward = _forward_unimplemented

    # ---- registration ---------------------------------------------------
    def register_parameter(self, name, param):
        """Add a Parameter (or None) named ``name``; it is then an attribute and part of state_dict."""
        if '_parameters' not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, 'parameter', self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                             f"created explicitly. To express '{name}' as a function of another Tensor, compute "
                             "the value in the forward() method.")
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add a buffer (module state that is not a parameter); ``persistent=False`` keeps it out of state_dict."""
        if '_buffers' not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, 'buffer', self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name, module):
        """Add a child module (or None) named ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if '_modules' not in self.__dict__:
            raise AttributeError("cannot assign module before Module.__init__() call")
        self._check_name(name, 'module', self._modules)
        self._modules[name] = module

    register_module = add_module

    def _check_name(self, name, kind, registry):
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        if '.' in name:
            raise KeyError(f"{kind} name can't contain \".\", got: {name}")
        if name == '':
            raise KeyError(f"{kind} name can't be empty string \"\"")
        if hasattr(self, name) and name not in registry:
            raise KeyError(f"attribute '{name}' already exists")

    def __setattr__(self, name, value):
        # Same precedence as torch: a Parameter value, then a registered parameter name, then a
        # Module value / registered module name, then a Buffer value / registered buffer name.
        d = self.__dict__
        if isinstance(value, Parameter):
            if '_parameters' not in d:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep=self._parameters)
            self.register_parameter(name, value)
        elif name in d.get('_parameters', ()):
            self._check_value(name, value, Parameter, 'parameter', 'torch.nn.Parameter')
            self._parameters[name] = None
        elif isinstance(value, Module):
            if '_modules' not in d:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep=self._modules)
            self._modules[name] = value
        elif name in d.get('_modules', ()):
            self._check_value(name, value, Module, 'child module', 'torch.nn.Module')
            self._modules[name] = None
        elif isinstance(value, Buffer) or name in d.get('_buffers', ()):
            self._check_value(name, value, Tensor, 'buffer', 'torch.nn.Buffer, torch.Tensor')
            persistent = getattr(value, 'persistent', name not in self._non_persistent_buffers_set)
            self.register_buffer(name, value, persistent)
        else:
            object.__setattr__(self, name, value)

    @staticmethod
    def _check_value(name, value, cls, kind, expected):
        if value is not None and not isinstance(value, cls):
            raise TypeError(f"cannot assign '{_typename(value)}' as {kind} '{name}' ({expected} or None expected)")

    def _forget(self, name, keep):
        """Remove ``name`` from the instance dict and the registries other than ``keep``.

        ``keep`` is left alone so that re-assigning a registered name keeps its place in the order.
        """
        self.__dict__.pop(name, None)
        for registry in (self._parameters, self._buffers, self._modules):
            if registry is not keep:
                registry.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __getattr__(self, name):
        # Only called when normal lookup fails: look in the registries.
        d = self.__dict__
        for registry in ('_parameters', '_buffers', '_modules'):
            if registry in d and name in d[registry]:
                return d[registry][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for registry in (self._parameters, self._buffers, self._modules):
            if name in registry:
                del registry[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        keys = list(super().__dir__()) + list(self._parameters) + list(self._modules) + list(self._buffers)
        return sorted(k for k in set(keys) if not k[0].isdigit())

    def __setstate__(self, state):
        self.__dict__.update(state)

    # ---- lookup -----------------------------------------------------------
    def get_submodule(self, target):
        """The submodule at dotted path ``target`` ('' is self); AttributeError naming the missing part."""
        if target == '':
            return self
        mod = self
        for item in target.split('.'):
            if not hasattr(mod, item):
                raise AttributeError(f"{mod._get_name()} has no attribute `{item}`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return mod

    def get_parameter(self, target):
        """The Parameter at dotted path ``target``."""
        module_path, _, name = target.rpartition('.')
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(f"{mod._get_name()} has no attribute `{name}`")
        param = getattr(mod, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target):
        """The buffer at dotted path ``target``."""
        module_path, _, name = target.rpartition('.')
        mod = self.get_submodule(module_path)
        if not hasattr(mod, name):
            raise AttributeError(f"{mod._get_name()} has no attribute `{name}`")
        if name not in mod._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return getattr(mod, name)

    # ---- iteration --------------------------------------------------------
    def _named_members(self, get_members, prefix='', recurse=True, remove_duplicate=True):
        seen = set()  # ids: tensors compare elementwise, so never put them in a set directly
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else \
            [(prefix, self)]
        for module_prefix, module in modules:
            for k, v in get_members(module):
                if v is None or id(v) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(v))
                yield module_prefix + ('.' if module_prefix else '') + k, v

    def named_parameters(self, prefix='', recurse=True, remove_duplicate=True):
        """Yield ``(dotted_name, parameter)``, each shared parameter once."""
        yield from self._named_members(lambda m: m._parameters.items(), prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        """Yield the parameters of this module and (with ``recurse``) its descendants."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix='', recurse=True, remove_duplicate=True):
        """Yield ``(dotted_name, buffer)``."""
        yield from self._named_members(lambda m: m._buffers.items(), prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        """Yield the buffers of this module and (with ``recurse``) its descendants."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_children(self):
        """Yield ``(name, module)`` for the direct children, each module once."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        """Yield the direct child modules."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, memo=None, prefix='', remove_duplicate=True):
        """Yield ``(dotted_name, module)`` for self and every descendant, depth first."""
        if memo is None:
            memo = set()
        if id(self) in memo:
            return
        if remove_duplicate:
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ('.' if prefix else '') + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self):
        """Yield self and every descendant module."""
        for _, module in self.named_modules():
            yield module

    # ---- modes and bulk operations ---------------------------------------
    def train(self, mode=True):
        """Set training mode on this module and its descendants; returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self):
        """Set evaluation mode (``train(False)``); returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` of every parameter; returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters: to None (default) or to zeros."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                if p.grad.grad_fn is not None:
                    p.grad.detach_()
                else:
                    p.grad.requires_grad_(False)
                p.grad.zero_()

    def apply(self, fn):
        """Call ``fn`` on every descendant (children first) and then on self; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def _apply(self, fn, recurse=True):
        """Replace each parameter's and buffer's data by ``fn(tensor)``, keeping the Parameter objects."""
        if recurse:
            for module in self.children():
                module._apply(fn)
        for param in self._parameters.values():
            if param is None:
                continue
            with grad_mode.no_grad():
                param.data = fn(param)
                if param.grad is not None:
                    param.grad._data = fn(param.grad)._data
        for key, buf in self._buffers.items():
            if buf is not None:
                self._buffers[key] = fn(buf)
        return self

    def to(self, *args, **kwargs):
        """Move and/or cast parameters and buffers: ``to(device)``, ``to(dtype)``, ``to(tensor)``.

        Only floating-point (and complex) tensors change dtype, as in torch.
        """
        from .. import dtypes
        from ..ops.copy import _parse_to
        dtype, device, _ = _parse_to(args, dict(kwargs))
        if dtype is not None:
            dtype = dtypes.to_dtype(dtype)
            if not (dtype.is_floating_point or dtype.is_complex):
                raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but got desired "
                                f"dtype={dtype}")

        def convert(t):
            floating = t.is_floating_point() or t.is_complex()
            return t.to(device=device, dtype=dtype if floating else None)
        return self._apply(convert)

    def cpu(self):
        """Move every parameter and buffer to host memory."""
        return self._apply(lambda t: t.cpu())

    def cuda(self, device=None):
        """Move every parameter and buffer to a GPU."""
        return self._apply(lambda t: t.cuda(device))

    def type(self, dst_type):
        """Cast every parameter and buffer to ``dst_type``."""
        return self._apply(lambda t: t.type(dst_type))

    def float(self):
        """Cast floating-point parameters and buffers to float32."""
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self):
        """Cast floating-point parameters and buffers to float64."""
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self):
        """Cast floating-point parameters and buffers to float16."""
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def share_memory(self):
        """No-op on NumPy memory (kept for API compatibility); returns self."""
        return self

    # ---- calling ------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks or self._backward_pre_hooks):
            return self.forward(*args, **kwargs)
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, "
                                           f"new_kwargs), but got {result}.")
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        backward_hook = None
        if self._backward_hooks or self._backward_pre_hooks:
            backward_hook = BackwardHook(self, self._backward_hooks, self._backward_pre_hooks)
        if backward_hook is not None:
            args = backward_hook.setup_input_hook(args)
        result = self.forward(*args, **kwargs)
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id in self._forward_hooks_with_kwargs:
                hook_result = hook(self, args, kwargs, result)
            else:
                hook_result = hook(self, args, result)
            if hook_result is not None:
                result = hook_result
        if backward_hook is not None:
            result = backward_hook.setup_output_hook(result)
        return result

    _call_impl = __call__

    @staticmethod
    def _add_hook(hooks, hook, prepend=False, kwargs_ids=None, with_kwargs=False):
        """Put ``hook`` in the ordered dict ``hooks`` (first when ``prepend``) and return its handle.

        ``kwargs_ids`` is the set naming the hooks that take keyword arguments.
        """
        handle = RemovableHandle(hooks, (kwargs_ids,) if kwargs_ids is not None else ())
        hooks[handle.id] = hook
        if with_kwargs:
            kwargs_ids.add(handle.id)
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call ``hook(module, args)`` before forward; a returned value replaces the args."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend, self._forward_pre_hooks_with_kwargs,
                              with_kwargs)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """Call ``hook(module, args, output)`` after forward; a returned value replaces the output."""
        return self._add_hook(self._forward_hooks, hook, prepend, self._forward_hooks_with_kwargs, with_kwargs)

    def register_full_backward_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_input, grad_output)`` when the gradients of the module's inputs are known.

        A returned tuple replaces ``grad_input``.
        """
        return self._add_hook(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_output)`` when the gradients of the module's outputs are known.

        A returned tuple replaces ``grad_output``.
        """
        return self._add_hook(self._backward_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook):
        """Call ``hook(module, incompatible_keys)`` after this module's part of a load."""
        return self._add_hook(self._load_state_dict_post_hooks, hook)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        """Put this module's own parameters and persistent buffers into ``destination``."""
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()

    def state_dict(self, *args, destination=None, prefix='', keep_vars=False):
        """An OrderedDict of parameters and persistent buffers under dotted names (detached unless keep_vars)."""
        if args:  # the old positional form state_dict(destination, prefix, keep_vars)
            destination, prefix, keep_vars = (list(args) + [destination, prefix, keep_vars][len(args):])[:3]
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        if hasattr(destination, '_metadata'):
            destination._metadata[prefix[:-1]] = {'version': self._version}
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + '.', keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            result = hook(self, destination, prefix, {'version': self._version})
            if result is not None:
                destination = result
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        """Check this module's own entries of ``state_dict``; stage the copies (see ``load_state_dict``)."""
        local_state = {k: v for k, v in itertools.chain(self._parameters.items(), self._buffers.items())
                       if v is not None and k not in self._non_persistent_buffers_set}
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor or '
                                  f'Tensor-like object from checkpoint but received {type(value)}')
                continue
            if param.ndim == 0 and value.shape == (1,):
                value = value[0]  # torch's backward compatibility for old 1-element scalars
            if value.shape != param.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {_size(value)} from "
                                  f"checkpoint, the shape in current model is {_size(param)}.")
                continue
            staged = getattr(error_msgs, 'copies', None)
            if staged is not None:
                staged.append((param, value))
            else:
                with grad_mode.no_grad():
                    param.copy_(value)
        if strict:
            for key in state_dict:
                if key.startswith(prefix):
                    head = key[len(prefix):].split('.', 1)
                    if (head[0] not in self._modules) if len(head) > 1 else (head[0] not in local_state):
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy parameters and buffers from ``state_dict`` into this module and its descendants.

        Every key is checked first; on any missing, unexpected (when
        ``strict``) or size-mismatched key a RuntimeError lists them all and
        the module is left unchanged. Returns ``(missing_keys, unexpected_keys)``.
        """
        from collections.abc import Mapping
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing_keys, unexpected_keys, error_msgs = [], [], _LoadErrors()
        metadata = getattr(state_dict, '_metadata', None)
        state_dict = OrderedDict(state_dict)
        loaded = []

        def load(module, local_state_dict, prefix=''):
            local_metadata = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
            module._load_from_state_dict(local_state_dict, prefix, local_metadata, True, missing_keys,
                                         unexpected_keys, error_msgs)
            loaded.append(module)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + '.'
                    load(child, {k: v for k, v in local_state_dict.items() if k.startswith(child_prefix)},
                         child_prefix)

        load(self, state_dict)
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, 'Unexpected key(s) in state_dict: {}. '.format(
                    ', '.join(f'"{k}"' for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, 'Missing key(s) in state_dict: {}. '.format(
                    ', '.join(f'"{k}"' for k in missing_keys)))
        if error_msgs:
            raise RuntimeError('Error(s) in loading state_dict for {}:\n\t{}'.format(
                type(self).__name__, '\n\t'.join(error_msgs)))
        self._commit_copies(error_msgs.copies, assign)
        keys = _IncompatibleKeys(missing_keys, unexpected_keys)
        for module in loaded:
            for hook in module._load_state_dict_post_hooks.values():
                hook(module, keys)
        return keys

    def _commit_copies(self, copies, assign):
        """Write the staged ``(target, source)`` pairs once every check has passed."""
        with grad_mode.no_grad():
            for target, value in copies:
                if assign:
                    target._data = value._data
                else:
                    target.copy_(value)

    # ---- printing -------------------------------------------------------------
    def extra_repr(self):
        """The layer's own settings for its repr, e.g. ``in_features=4, out_features=2, bias=True``."""
        return ''

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split('\n') if extra else []
        child_lines = [f"({key}): {_addindent(repr(module), 2)}" for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        body = ''
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                body = extra_lines[0]
            else:
                body = '\n  ' + '\n  '.join(lines) + '\n'
        return f"{self._get_name()}({body})"


def _size(t):
    """A shape as load errors print it: ``ember.Size([3, 2])``."""
    return repr(t.shape)
