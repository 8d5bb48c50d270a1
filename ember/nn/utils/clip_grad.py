"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_``.

Both work on the gradients' arrays in place, outside autograd, like an
optimizer step.
"""
import math

import numpy as np

from ... import backend
from ...tensor import Tensor

__all__ = ['clip_grad_norm_', 'clip_grad_value_', 'clip_grad_norm', 'get_total_norm', 'clip_grads_with_norm_']


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _vector_norm(x, p):
    """The ``p``-norm of an array as a 0-d array of its dtype (p may be inf, -inf or 0)."""
    a = np.abs(x)
    if p == math.inf:
        return a.max() if a.size else np.zeros((), x.dtype)
    if p == -math.inf:
        return a.min()
    if p == 0:
        return np.asarray((a != 0).sum(), dtype=x.dtype)
    if p == 1:
        return a.sum()
    if p == 2:
        return np.sqrt((a * a).sum())
    return (a ** p).sum() ** (1.0 / p)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of all ``tensors`` taken together (the norm of their norms), a 0-d tensor."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    tensors = [t for t in tensors if t is not None]
    norm_type = float(norm_type)
    if not tensors:
        from ...creation import tensor
        return tensor(0.0)
    norms = [_vector_norm(t._data, norm_type) for t in tensors]
    xp = backend.get_array_module(tensors[0]._data)
    dtype = np.result_type(*[n.dtype for n in norms])
    total = _vector_norm(xp.stack([xp.asarray(n, dtype=dtype) for n in norms]), norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so "
                           "it cannot be clipped. To disable this error and scale the gradients by the non-finite "
                           "norm anyway, set `error_if_nonfinite=False`")
    return Tensor._wrap(xp.asarray(total))


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))`` in place."""
    grads = _grads(parameters)
    if not grads:
        return
    total = total_norm._data
    coef = np.minimum(float(max_norm) / (total + 1e-6), 1.0).astype(total.dtype)
    for g in grads:
        data = g._data
        with np.errstate(invalid='ignore'):  # an inf norm gives nan gradients, as in torch
            data *= coef.astype(data.dtype)
        g._version[0] += 1


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Rescale gradients in place so that their joint ``norm_type``-norm is at most ``max_norm``.

    Returns the total norm before clipping, as a 0-d tensor. ``norm_type``
    may be ``inf`` (largest absolute value).

    Example::

        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        parameters = list(parameters)  # iterated twice: generators must be materialised
    total = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of ``clip_grad_norm_``."""
    import warnings
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element to ``[-clip_value, clip_value]`` in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._version[0] += 1
