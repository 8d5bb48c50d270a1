"""Batches cross from worker to main process through shared memory files, not pickled copies.

A worker collates a batch straight into a file under ``/dev/shm`` (see
``empty``), and the pickler below sends only the file's name; the main process
maps the file, unlinks it at once (the mapping lives on until the tensor is
freed) and wraps it as a tensor without copying. Every file carries the
loader's prefix, so whatever a killed worker or an abandoned epoch leaves
behind is removed by ``cleanup(prefix)`` when the workers shut down.
"""
import io
import itertools
import mmap
import os
import pickle
import weakref

import numpy as np

from ...tensor import Tensor

SHM_DIR = '/dev/shm'
AVAILABLE = os.path.isdir(SHM_DIR) and os.access(SHM_DIR, os.W_OK)
THRESHOLD = 4096  # bytes: smaller arrays are cheaper to pickle than to map

_prefix = None    # set in a worker process; None elsewhere (no shared memory needed)
_counter = itertools.count()


class _SharedMap(mmap.mmap):
    """An mmap that remembers the shared memory file it maps and whether its name was sent."""
    name = None
    sent = None


def _unlink_unsent(name, sent):
    # A worker-side buffer freed without being sent (e.g. a collate_fn that sliced the batch):
    # nobody else will ever open the file, so remove it now rather than at shutdown.
    if not sent[0]:
        try:
            os.unlink(os.path.join(SHM_DIR, name))
        except OSError:
            pass


def set_prefix(prefix):
    """Enable shared-memory batches in this (worker) process, naming files ``prefix<n>``."""
    global _prefix
    _prefix = prefix if AVAILABLE else None


def _create(nbytes):
    name = f'{_prefix}{next(_counter)}'
    fd = os.open(os.path.join(SHM_DIR, name), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.ftruncate(fd, nbytes)
        mm = _SharedMap(fd, nbytes)
    finally:
        os.close(fd)
    mm.name, mm.sent = name, [False]
    weakref.finalize(mm, _unlink_unsent, name, mm.sent)
    return mm


def empty(shape, dtype):
    """A new array in shared memory when in a worker and large enough, else an ordinary one."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if _prefix is None or nbytes < THRESHOLD:
        return np.empty(shape, dtype)
    return np.frombuffer(_create(nbytes), dtype).reshape(shape)


def _shared_map(arr):
    """The _SharedMap when ``arr`` is exactly the whole of one, else None."""
    root = arr
    while isinstance(root.base, np.ndarray):
        root = root.base
    mm = root.base
    if isinstance(mm, memoryview):  # np.frombuffer wraps the mmap in a memoryview
        mm = mm.obj
    if not isinstance(mm, _SharedMap) or not arr.flags.c_contiguous or arr.nbytes != len(mm):
        return None
    if arr.__array_interface__['data'][0] != root.__array_interface__['data'][0]:
        return None
    return mm


def attach(name, shape, dtype, requires_grad):
    """Main-process side: map the worker's file, unlink it, and wrap it as a tensor (no copy)."""
    path = os.path.join(SHM_DIR, name)
    fd = os.open(path, os.O_RDWR)
    try:
        nbytes = os.fstat(fd).st_size
        mm = mmap.mmap(fd, nbytes)
    finally:
        os.close(fd)
        os.unlink(path)
    t = Tensor._make(np.frombuffer(mm, np.dtype(dtype)).reshape(shape))
    if requires_grad:
        t.requires_grad = True
    return t


class _Pickler(pickle.Pickler):
    """Pickles plain CPU tensors by shared memory file name; everything else as usual."""

    def reducer_override(self, obj):
        if type(obj) is not Tensor or type(obj._data) is not np.ndarray or obj.grad_fn is not None:
            return NotImplemented
        arr = obj._data
        mm = _shared_map(arr)
        if mm is None:
            if arr.nbytes < THRESHOLD:
                return NotImplemented
            copy = empty(arr.shape, arr.dtype)
            copy[...] = arr
            mm = _shared_map(copy)
        mm.sent[0] = True  # from here on the main process owns (and unlinks) the file
        return attach, (mm.name, arr.shape, arr.dtype.str, obj.requires_grad)


def dumps(obj):
    """Serialise ``obj`` for the trip to the main process (shared memory for big tensors in workers)."""
    if _prefix is None:
        return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


loads = pickle.loads


def cleanup(prefix):
    """Remove every shared memory file whose name starts with ``prefix`` (left by dead or stopped workers)."""
    if not AVAILABLE:
        return
    for name in os.listdir(SHM_DIR):
        if name.startswith(prefix):
            try:
                os.unlink(os.path.join(SHM_DIR, name))
            except OSError:
                pass
