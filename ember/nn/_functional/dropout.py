"""Dropout: zero random elements (or whole channels) while training, scaling the rest by ``1/(1-p)``."""
import warnings

import numpy as np

from ... import backend
from ...ops.inplace import apply_inplace
from ...random import _rng
from ...tensor import Tensor

__all__ = ['dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout', 'feature_alpha_dropout']

_SELU_ALPHA_PRIME = 1.7580993408473766  # -scale * alpha of SELU: the value dropped units take


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(input, shape, p, generator=None):
    """A 0/1 array of ``shape`` (broadcastable to input) with ones kept with probability ``1 - p``."""
    keep = _rng(generator).random(shape) >= p
    return backend.to_device_array(keep.astype(input._data.dtype), input.device)


def _apply_noise(input, noise_shape, p, inplace, alpha):
    """``input * mask / (1 - p)`` (or the alpha-dropout affine map) as differentiable tensor ops."""
    if p == 1:
        scale, shift = Tensor._wrap(np.zeros((), input._data.dtype)), None
        compute = lambda t: t * scale  # noqa: E731  (keeps the graph, like torch's input * 0)
    else:
        mask = _keep_mask(input, noise_shape, p)
        if alpha:
            a = 1.0 / np.sqrt((_SELU_ALPHA_PRIME ** 2 * p + 1) * (1 - p))
            shift = Tensor._wrap((mask - 1) * (_SELU_ALPHA_PRIME * a) + _SELU_ALPHA_PRIME * a * p)
            scale = Tensor._wrap(mask * a)
            compute = lambda t: t * scale + shift  # noqa: E731
        else:
            scale = Tensor._wrap(mask / (1 - p))
            compute = lambda t: t * scale  # noqa: E731
    return apply_inplace(input, compute) if inplace else compute(input)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1/(1-p)`` (identity unless training)."""
    _check_p(p)
    if not training or p == 0:
        return input
    return _apply_noise(input, tuple(input.shape), p, inplace, alpha=False)


def _feature_dropout(input, p, training, inplace, lead):
    """Channel dropout: one draw per index of the first ``lead`` dims, broadcast over the rest."""
    _check_p(p)
    if not training or p == 0:
        return input
    noise_shape = tuple(input.shape[:lead]) + (1,) * (input.ndim - lead)
    return _apply_noise(input, noise_shape, p, inplace, alpha=False)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of ``(N, C, L)`` or ``(C, L)`` inputs."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, "
                           "a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _feature_dropout(input, p, training, inplace, 2 if input.ndim == 3 else 1)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of ``(N, C, H, W)`` inputs (3-D inputs are taken as ``(N, C, L)``, as torch)."""
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will "
                      "result in an error in a future release. To retain the behavior and silence this warning, "
                      "please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on "
                      "inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 3D or 4D inputs).")
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
                      "dim. This behavior will change in a future release to interpret the input as one without "
                      "a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, "
                      "please switch to using dropout1d instead.")
    return _feature_dropout(input, p, training, inplace, 2)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` inputs."""
    if input.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is deprecated and will "
                      "result in an error in a future release. To retain the behavior and silence this warning, "
                      "please use dropout instead. Note that dropout3d exists to provide channel-wise dropout on "
                      "inputs with 3 spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 4D or 5D inputs).")
    return _feature_dropout(input, p, training, inplace, 2 if input.ndim == 5 else 1)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU activations' mean and variance: dropped units take SELU's negative saturation."""
    _check_p(p)
    if not training or p == 0:
        return input
    return _apply_noise(input, tuple(input.shape), p, inplace, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels."""
    _check_p(p)
    if not training or p == 0:
        return input
    return _apply_noise(input, tuple(input.shape[:2]) + (1,) * (input.ndim - 2), p, inplace, alpha=True)
