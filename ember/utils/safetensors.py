"""safetensors files: ``save_file`` / ``load_file`` for dicts of tensors, through the safetensors package.

The files are the format every framework reads (torch, JAX, TF...): a JSON
header and raw little-endian data, with no pickle and so nothing to execute.
"""
import numpy as np

from .. import backend
from ..tensor import Tensor


def _numpy_api():
    try:
        import safetensors.numpy as st
    except ImportError as e:
        raise ImportError("ember.utils.safetensors needs the safetensors package: pip install safetensors") from e
    return st


def save_file(tensors, filename, metadata=None):
    """Write a ``{name: tensor}`` dict (contiguous copies) to ``filename``."""
    for k, v in tensors.items():
        if not isinstance(v, Tensor):
            raise TypeError(f"save_file expects a dict of tensors, but {k!r} is a {type(v).__name__}")
    arrays = {k: np.ascontiguousarray(backend.to_numpy(v.detach()._data)) for k, v in tensors.items()}
    _numpy_api().save_file(arrays, str(filename), metadata=metadata)


def load_file(filename, device='cpu'):
    """Read a safetensors file into a ``{name: tensor}`` dict on ``device``."""
    from ..creation import tensor as make
    return {k: make(v, device=device) for k, v in _numpy_api().load_file(str(filename)).items()}


def save_model(model, filename, metadata=None):
    """Save ``model.state_dict()`` as safetensors."""
    save_file({k: v for k, v in model.state_dict().items()}, filename, metadata)


def load_model(model, filename, strict=True, device='cpu'):
    """Load a safetensors file into ``model`` (``load_state_dict`` semantics)."""
    return model.load_state_dict(load_file(filename, device), strict=strict)
