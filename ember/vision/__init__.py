"""ember.vision: datasets, transforms and image utilities in torchvision's layout (Pillow does the image work)."""
import importlib as _importlib

__all__ = ['datasets', 'transforms', 'utils']


def __getattr__(name):
    # Loaded on first use so that `import ember.vision` does not import Pillow until it is needed.
    if name in __all__:
        return _importlib.import_module(f'.{name}', __name__)
    raise AttributeError(f"module 'ember.vision' has no attribute '{name}'")


PILLOW_MISSING = ("ember.vision needs Pillow for images: pip install pillow (or pip install 'ember[vision]')")


_image = None


def pil_image():
    """Pillow's Image module (imported once, on first use), or an ImportError saying how to install it."""
    global _image
    if _image is None:
        try:
            from PIL import Image
        except ImportError as e:
            raise ImportError(PILLOW_MISSING) from e
        _image = Image
    return _image
