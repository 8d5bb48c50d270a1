"""The ``ember.*`` functions (``ember.exp``, ``ember.cat``...) gathered from ``ember.ops``."""
import importlib

from .ops import MODULES

__all__ = []
for _name in MODULES:
    _module = importlib.import_module(f'.ops.{_name}', __package__)
    for _fn in getattr(_module, '__all__', ()):
        globals()[_fn] = getattr(_module, _fn)
        __all__.append(_fn)
