"""Anomaly detection: name the forward operation whose backward produced NaN."""
import traceback
import warnings

_enabled = False


def is_enabled():
    """True inside ``detect_anomaly``."""
    return _enabled


class detect_anomaly:
    """Context manager (and decorator) that checks every backward result for NaN.

    Each recorded operation also keeps the stack of its forward call, so the
    error can say where the failing operation was created.
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        global _enabled
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should "
                      "only be enabled for debugging.", stacklevel=2)
        self._prev, _enabled = _enabled, self.check_nan

    def __exit__(self, *exc):
        global _enabled
        _enabled = self._prev
        return False

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly(detect_anomaly):
    """Turn anomaly detection on or off, as a function or context manager."""

    def __init__(self, mode, check_nan=True):
        global _enabled
        self.check_nan = check_nan
        self._prev, _enabled = _enabled, bool(mode) and check_nan

    def __enter__(self):
        pass


def record_trace(node):
    """Remember where ``node`` was created (called while anomaly mode is on)."""
    node._anomaly_trace = ''.join(traceback.format_stack()[:-3])


def check_gradients(node, grads):
    """Raise if a gradient computed by ``node`` holds NaN."""
    from .. import backend
    for i, g in enumerate(grads):
        if g is None:
            continue
        xp = backend.get_array_module(g._data)
        if g._data.dtype.kind in 'fc' and bool(xp.isnan(g._data).any()):
            trace = node._anomaly_trace or '(no forward trace recorded)\n'
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.\n"
                               f"The forward call that created it:\n{trace}")
