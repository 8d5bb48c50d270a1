"""ember.vision: datasets, transforms and image utilities in torchvision's layout (Pillow does the image work)."""
import importlib as _importlib

__all__ = ['datasets', 'transforms', 'utils']


def __getattr__(name):
    # Loaded on first use so that `import ember.vision` does not import Pillow until it is needed.
    if name in __all__:
        return _importlib.import_module(f'.{name}', __name__)
    raise AttributeError(f"module 'ember.vision' has no attribute '{name}'")
