"""The worker side of a multi-process DataLoader: get_worker_info, seeding, the worker loop, error wrapping."""
import os
import queue
import random
import sys
import traceback

import numpy as np

import ember
from ... import _perf
from . import _shared_memory
from .fetch import create_fetcher

__all__ = ['WorkerInfo', 'get_worker_info']

# How often a waiting worker checks that its parent is still alive (seconds).
MP_STATUS_CHECK_INTERVAL = 1.0

_worker_info = None


class WorkerInfo:
    """What a worker process knows about itself: ``id``, ``num_workers``, ``seed`` and its copy of ``dataset``."""

    __initialized = False

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs)
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self):
        items = ', '.join(f'{k}={getattr(self, k)}' for k in self.__keys)
        return f'{self.__class__.__name__}({items})'


def get_worker_info():
    """The current worker's WorkerInfo inside a DataLoader worker process, None in the main process.

    An IterableDataset uses it to read only its shard::

        info = get_worker_info()
        if info is not None:
            start = info.id; step = info.num_workers
    """
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process with its traceback text."""

    def __init__(self, exc_info=None, where="in background"):
        exc_info = exc_info or sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = ''.join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the exception again, its message naming the worker and quoting the original traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)  # KeyError would repr() the text and mangle the newlines
        try:
            exception = self.exc_type(msg)
        except TypeError:  # exception types whose constructor takes other arguments
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            # Break the exception -> traceback -> this frame -> exception cycle, so that dropping the
            # exception frees the DataLoader iterator (and stops its workers) without waiting for the gc.
            del exception


class _KeyErrorMessage(str):
    def __repr__(self):
        return self


class _IterableDatasetStopIteration:
    """Sent by a worker whose IterableDataset copy is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch (and echoed back once they have reset)."""

    def __init__(self, seed=None):
        self.seed = seed


def _seed_worker(seed, worker_id):
    """Seed Python's, NumPy's and ember's RNGs as torch seeds a worker."""
    random.seed(seed)
    ember.manual_seed(seed)
    np.random.seed(np.random.SeedSequence([seed & 0xFFFFFFFFFFFFFFFF, worker_id]).generate_state(4))


def worker_loop(is_iterable, dataset, index_queue, data_queue, done_event, auto_collation, collate_fn, drop_last,
                base_seed, init_fn, worker_id, num_workers, shm_prefix):
    """Body of a worker process: fetch the batches whose indices arrive on ``index_queue``."""
    global _worker_info
    parent = os.getppid()
    where = f"in DataLoader worker process {worker_id}"
    try:
        seed = base_seed + worker_id
        _seed_worker(seed, worker_id)
        # One BLAS thread per worker, as torch does: workers plus the main process already fill
        # the cores, and OpenBLAS's spinning threads collapse when oversubscribed.
        _perf.set_blas_threads(1)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        _shared_memory.set_prefix(f'{shm_prefix}{worker_id}_')
        init_exception = fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(is_iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=where)
        iteration_end = False
        while True:
            try:
                r = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if os.getppid() != parent:  # the main process died: nobody will read our batches
                    break
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put(_shared_memory.dumps((r, None)))
                iteration_end = False
                if init_exception is None:  # a fresh pass over an IterableDataset
                    fetcher = create_fetcher(is_iterable, dataset, auto_collation, collate_fn, drop_last)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue  # shutting down or exhausted: skip until told to stop or resume
            idx, index = r
            if init_exception is not None:  # every batch reports the failed set-up, there is no fetcher
                data = init_exception
            else:
                data = _fetch(fetcher, index, is_iterable, worker_id, where)
                iteration_end = isinstance(data, _IterableDatasetStopIteration)
            try:
                payload = _shared_memory.dumps((idx, data))
            except Exception:  # an unpicklable sample: report it instead of dying silently
                payload = _shared_memory.dumps((idx, ExceptionWrapper(where=where)))
            data_queue.put(payload)
            del data, payload
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        # The main process may not read what is still buffered; do not block exit on it.
        data_queue.cancel_join_thread()
        data_queue.close()


def _fetch(fetcher, index, is_iterable, worker_id, where):
    try:
        return fetcher.fetch(index)
    except StopIteration:
        if is_iterable:
            return _IterableDatasetStopIteration(worker_id)
        return ExceptionWrapper(where=where)
    except Exception:
        return ExceptionWrapper(where=where)
