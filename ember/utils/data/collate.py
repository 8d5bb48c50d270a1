"""default_collate and default_convert: turn fetched samples into batched tensors, as torch does."""
import collections.abc
import re

import numpy as np

import ember
from ...tensor import Tensor
from . import _shared_memory

__all__ = ['default_collate', 'default_convert']

_NP_STR = re.compile(r'[SaUO]')
default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                                  "lists; found {}")


def _stack(batch):
    """``ember.stack(batch)`` written into shared memory when called inside a worker."""
    arrays = [t._data for t in batch]
    shape = arrays[0].shape
    for i, a in enumerate(arrays):
        if a.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                               f"and {list(a.shape)} at entry {i}")
    if type(arrays[0]) is not np.ndarray:  # CuPy: no shared memory, plain stack on the device
        xp = ember.backend.get_array_module(arrays[0])
        return Tensor._make(xp.stack(arrays))
    dtypes = {a.dtype for a in arrays}
    dtype = arrays[0].dtype if len(dtypes) == 1 else np.result_type(*dtypes)
    out = _shared_memory.empty((len(arrays),) + shape, dtype)
    if shape and shape[0] > 0:
        # Concatenating along the first axis into a reshaped view of ``out`` is the same stack,
        # without np.stack's per-array expand_dims (measurably faster for a batch of small images).
        np.concatenate(arrays, out=out.reshape((len(arrays) * shape[0],) + shape[1:]))
    else:
        np.stack(arrays, out=out)
    return Tensor._make(out)


def _numbers(batch, pytype, nptype):
    """A tensor from Python numbers all of exactly ``pytype`` (fast path), else via ember.tensor's inference."""
    if all(type(x) is pytype for x in batch):
        try:
            return Tensor._make(np.array(batch, dtype=nptype))
        except OverflowError:
            pass
    return ember.tensor(batch, dtype=ember.float64) if pytype is float else ember.tensor(batch)


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, '_fields')


def default_collate(batch):
    """Stack a list of samples into a batch, recursing into containers.

    * tensors -> stacked along a new first dimension
    * NumPy arrays and scalars -> tensors, stacked
    * float -> float64 tensor, int -> int64 tensor (bool -> bool tensor)
    * str / bytes -> the list unchanged
    * dict -> dict of collated values; namedtuple -> namedtuple of collated fields
    * tuple / list -> list of collated positions (all samples must have equal length)

    Example::

        >>> default_collate([(0, 'a', {'x': 1.5}), (1, 'b', {'x': 2.5})])
        [tensor([0, 1]), ('a', 'b'), {'x': tensor([1.5000, 2.5000], dtype=ember.float64)}]
    """
    elem = batch[0]
    elem_type = type(elem)
    if isinstance(elem, Tensor):
        return _stack(batch)
    if elem_type.__module__ == 'numpy' and elem_type.__name__ not in ('str_', 'string_', 'bytes_'):
        if elem_type.__name__ in ('ndarray', 'memmap'):
            if _NP_STR.search(elem.dtype.str) is not None:
                raise TypeError(default_collate_err_msg_format.format(elem.dtype))
            return _stack([ember.as_tensor(np.ascontiguousarray(b)) for b in batch])
        if elem.shape == ():  # NumPy scalars
            return ember.as_tensor(np.array(batch))
    if isinstance(elem, float):
        return _numbers(batch, float, np.float64)
    if isinstance(elem, int):
        return _numbers(batch, int, np.int64)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return elem_type(collated)
        except TypeError:  # mappings whose constructor takes other arguments
            return collated
    if _is_namedtuple(elem):
        return elem_type(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))  # tuples: strings come back as tuples, as in torch
        if isinstance(elem, tuple):
            return [default_collate(samples) for samples in transposed]
        try:
            return elem_type([default_collate(samples) for samples in transposed])
        except TypeError:
            return [default_collate(samples) for samples in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def default_convert(data):
    """Convert NumPy arrays and scalars in one (unbatched) sample to tensors, recursing into containers.

    Used instead of ``default_collate`` when ``batch_size=None``; Python numbers and strings stay as they are.
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == 'numpy' and elem_type.__name__ not in ('str_', 'string_', 'bytes_'):
        if elem_type.__name__ == 'ndarray' and _NP_STR.search(data.dtype.str) is not None:
            return data
        return ember.as_tensor(data if elem_type.__name__ == 'ndarray' else np.array(data))
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        try:
            return elem_type(converted)
        except TypeError:
            return converted
    if _is_namedtuple(data):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
