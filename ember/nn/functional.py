"""``ember.nn.functional``: the stateless forms of the layers and losses (``F.relu``, ``F.conv2d``...).

The implementations live in ``ember/nn/_functional/``, one file per family.
"""
import importlib

FAMILIES = ('activation', 'linear', 'dropout', 'embedding', 'loss', 'conv', 'pooling', 'normalization', 'vision',
            'attention', 'distance')

__all__ = []
for _name in FAMILIES:
    _module = importlib.import_module(f'..._functional.{_name}'.replace('...', '.'), 'ember.nn')
    for _fn in getattr(_module, '__all__', ()):
        globals()[_fn] = getattr(_module, _fn)
        __all__.append(_fn)
