"""``nn.Parameter`` and ``nn.Buffer``: tensors that a Module registers on assignment."""
from ..tensor import Tensor

__all__ = ['Parameter', 'Buffer']


class Parameter(Tensor):
    """A Tensor that is a module parameter: assigning it to a Module attribute registers it.

    ``Parameter(t)`` shares ``t``'s memory (and version counter) but is a new
    graph leaf; ``requires_grad`` is True by default. Operations on a
    Parameter return plain Tensors, as in torch.

    Example::

        >>> nn.Parameter(ember.ones(2))
        Parameter containing:
        tensor([1., 1.], requires_grad=True)
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        p = object.__new__(cls)
        p._init(data._data, False, version=data._version)
        if requires_grad:
            p.requires_grad = True  # the setter refuses integer dtypes with torch's error
        return p

    def __init__(self, data=None, requires_grad=True):
        pass  # everything happened in __new__; Tensor.__init__ would parse data again

    def __repr__(self):
        return 'Parameter containing:\n' + super().__repr__()


class _BufferMeta(type):
    # torch's Buffer(...) returns a plain Tensor marked ``_is_buffer``; isinstance checks the mark.
    def __instancecheck__(cls, instance):
        if cls is Buffer:
            return isinstance(instance, Tensor) and getattr(instance, '_is_buffer', False)
        return super().__instancecheck__(instance)


class Buffer(metaclass=_BufferMeta):
    """Marks a tensor as a module buffer: assigning it to a Module attribute registers it.

    ``Buffer(t, persistent=False)`` keeps the buffer out of ``state_dict``.
    The result is a plain Tensor (detached from ``t``, sharing its memory).
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from ..creation import empty
            data = empty(0)
        t = data.detach()
        if data.requires_grad:
            t.requires_grad = True
        t.persistent = persistent
        t._is_buffer = True
        return t


def is_lazy(param):
    """Always False: ember has no lazy (uninitialised) parameters."""
    return False
