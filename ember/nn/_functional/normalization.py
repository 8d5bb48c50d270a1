"""Normalisation functionals: ``F.batch_norm``, ``F.layer_norm``, ``F.group_norm``, ``F.instance_norm``,
``F.rms_norm``, ``F.local_response_norm`` (the fused primitive is in ember/ops/normalization.py)."""
import math

import numpy as np

from ...autograd import grad_mode
from ...ops.normalization import NormAffine


def _channel_shape(x):
    """(1, C, 1, ...): how a per-channel vector broadcasts against (N, C, *)."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def _per_channel(t, x):
    return None if t is None else t.reshape(_channel_shape(x))


def _update_running(running, batch, momentum, correction=1.0):
    """``running = (1 - momentum) * running + momentum * batch`` in place (no graph), as torch does."""
    data = running._data
    data *= 1 - momentum
    data += (momentum * correction) * batch.reshape(data.shape).astype(data.dtype, copy=False)
    running._version[0] += 1


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    """Normalise each channel of (N, C, *) by batch statistics (training) or running ones (eval).

    In training the running statistics, when given, are updated in place:
    ``running = (1 - momentum) * running + momentum * batch`` (unbiased variance).
    """
    if input.ndim < 2:
        raise ValueError(f"Expected 2D or higher input (got {input.ndim}D input)")
    c = input.shape[1]
    for name, t in (('running_mean', running_mean), ('running_var', running_var), ('weight', weight),
                    ('bias', bias)):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    dims = (0,) + tuple(range(2, input.ndim))
    count = input.numel() // c if c else 0
    if training:
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"{_size_repr(input)}")
        save = []
        y = NormAffine.apply(input, _per_channel(weight, input), _per_channel(bias, input), dims=dims, eps=eps,
                             save=save)
        if running_mean is not None:
            _update_running(running_mean, save[0], momentum)
        if running_var is not None:
            _update_running(running_var, save[1], momentum, count / (count - 1))
        return y
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    shape = _channel_shape(input)
    stats = (running_mean._data.reshape(shape).copy(), running_var._data.reshape(shape).copy())
    return NormAffine.apply(input, _per_channel(weight, input), _per_channel(bias, input), dims=dims, eps=eps,
                            stats=stats)


def _size_repr(t):
    return f"torch.Size([{', '.join(map(str, t.shape))}])"


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    """Normalise over the last ``len(normalized_shape)`` dims, then scale by ``weight`` and shift by ``bias``."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    d = len(shape)
    if d == 0 or tuple(input.shape[input.ndim - d:]) != shape or input.ndim < d:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(shape)}")
    dims = tuple(range(input.ndim - d, input.ndim))
    return NormAffine.apply(input, weight, bias, dims=dims, eps=eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """Normalise (N, C, *) over groups of ``C / num_groups`` channels (and all spatial positions)."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(input.shape)} and num_groups={num_groups}")
    for name, t in (('weight', weight), ('bias', bias)):
        if t is not None and (t.ndim != 1 or t.numel() != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {list(t.shape)} and input of shape {list(input.shape)}")
    grouped = input.reshape(n, num_groups, -1)
    y = NormAffine.apply(grouped, None, None, dims=(2,), eps=eps).reshape(input.shape)
    if weight is not None:
        y = y * _per_channel(weight, input)
    if bias is not None:
        y = y + _per_channel(bias, input)
    return y


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-05):
    """Normalise each (sample, channel) plane of (N, C, *) over its spatial positions."""
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher input (got {input.ndim}D input)")
    dims = tuple(range(2, input.ndim))
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    count = math.prod(input.shape[2:])
    if count <= 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{_size_repr(input)}")
    save = []
    y = NormAffine.apply(input, _per_channel(weight, input), _per_channel(bias, input), dims=dims, eps=eps,
                         save=save)
    # Running statistics average the per-instance statistics over the batch.
    if running_mean is not None:
        _update_running(running_mean, save[0].mean(0), momentum)
    if running_var is not None:
        _update_running(running_var, save[1].mean(0), momentum, count / (count - 1))
    return y


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``x / sqrt(mean(x**2) + eps) * weight`` over the last ``len(normalized_shape)`` dims."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    y = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return y * weight if weight is not None else y


def local_response_norm(input, size, alpha=0.0001, beta=0.75, k=1.0):
    """Divide each element by ``(k + alpha / size * sum of squares over ``size`` neighbouring channels) ** beta``."""
    from .pooling import avg_pool2d, avg_pool3d
    from .vision import pad
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} dimensions)")
    if input.numel() == 0:
        return input
    div = (input * input).unsqueeze(1)
    if input.ndim == 3:
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.reshape(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.reshape(sizes)
    div = (div * alpha + k) ** beta
    return input / div


__all__ = ('batch_norm', 'layer_norm', 'group_norm', 'instance_norm', 'rms_norm', 'local_response_norm')
