"""Switches for gradient recording: no_grad, enable_grad, set_grad_enabled, inference_mode."""
import functools


class _State:
    __slots__ = ('enabled',)

    def __init__(self):
        self.enabled = True


state = _State()  # read on the hot path as grad_mode.state.enabled


def is_grad_enabled():
    """True when operations record a graph for autograd."""
    return state.enabled


class _GradModeContext:
    """Base for context managers that are also decorators, as torch's are."""
    _mode = True

    def __enter__(self):
        self._prev = state.enabled
        state.enabled = self._mode

    def __exit__(self, *exc):
        state.enabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args()):
                return fn(*args, **kwargs)
        return wrapper

    def _args(self):
        return ()


class no_grad(_GradModeContext):
    """Context manager / decorator that disables graph recording."""
    _mode = False

    def __new__(cls, orig_func=None):
        # Allow the bare ``@no_grad`` form as well as ``@no_grad()``.
        self = super().__new__(cls)
        if callable(orig_func):
            return self(orig_func)
        return self

    def __init__(self, orig_func=None):
        pass


class enable_grad(no_grad):
    """Context manager / decorator that enables graph recording inside no_grad."""
    _mode = True


class set_grad_enabled(_GradModeContext):
    """Set recording on or off; works as a function, context manager or decorator."""

    def __init__(self, mode):
        self._mode = bool(mode)
        self._prev = state.enabled
        state.enabled = self._mode

    def __enter__(self):
        pass

    def __call__(self, fn):
        state.enabled = self._prev  # used as a decorator: do not switch now
        return super().__call__(fn)

    def _args(self):
        return (self._mode,)


class inference_mode(_GradModeContext):
    """Like no_grad (ember has no separate inference tensors)."""

    def __init__(self, mode=True):
        self._mode = not mode

    def _args(self):
        return (not self._mode,)
