"""Flatten parameters into one vector and back (``parameters_to_vector`` / ``vector_to_parameters``)."""
from ...tensor import Tensor

__all__ = ['parameters_to_vector', 'vector_to_parameters']


def _check_same_device(param, device):
    if device is None:
        return param.device
    if param.device != device:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return device


def parameters_to_vector(parameters):
    """Concatenate the flattened parameters into one 1-D tensor (differentiable)."""
    from ... import cat
    device, vec = None, []
    for param in parameters:
        device = _check_same_device(param, device)
        vec.append(param.reshape(-1))
    return cat(vec)


def vector_to_parameters(vec, parameters):
    """Make each parameter's data the matching slice of ``vec`` (sharing ``vec``'s memory)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    device, pointer = None, 0
    for param in parameters:
        device = _check_same_device(param, device)
        n = param.numel()
        param.data = vec[pointer:pointer + n].view(param.shape).data
        pointer += n
