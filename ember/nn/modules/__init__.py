"""Every layer family, one file each (``Conv2d`` lives in ``conv.py``)."""
import importlib

FAMILIES = ('container', 'linear', 'activation', 'dropout', 'sparse', 'flatten', 'loss', 'conv', 'pooling',
            'batchnorm', 'normalization', 'padding', 'rnn', 'attention', 'distance', 'transformer')

__all__ = []
for _name in FAMILIES:
    _module = importlib.import_module(f'.{_name}', __package__)
    for _cls in getattr(_module, '__all__', ()):
        globals()[_cls] = getattr(_module, _cls)
        __all__.append(_cls)
