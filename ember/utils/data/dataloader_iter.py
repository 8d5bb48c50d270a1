"""The iterators behind ``iter(DataLoader)``: one loading in the main process, one driving worker processes.

The multi-process iterator keeps ``prefetch_factor * num_workers`` batches in
flight, hands them out in sampler order (a reorder buffer keyed by task
index), notices dead workers and timeouts, and on shutdown stops the workers
and removes any shared memory still in flight.
"""
import atexit
import itertools
import multiprocessing
import os
import queue
import secrets
import signal
import time
import weakref

import ember
from . import _shared_memory
from .dataset import IterableDataset
from .fetch import create_fetcher
from .worker import ExceptionWrapper, _IterableDatasetStopIteration, _ResumeIteration, worker_loop

# While waiting for a batch, check this often (seconds) whether a worker has died.
_WORKER_CHECK_INTERVAL = 0.25
# How long shutdown waits for a worker to exit before terminating it.
_JOIN_TIMEOUT = 2.0


def _exit_cause(exitcode):
    """'killed by signal SIGKILL' or 'exit code 1', for the dead-worker error."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            return f"killed by signal {-exitcode}"
        if name == 'SIGBUS':  # writing a batch into a full /dev/shm faults instead of raising
            return "killed by signal SIGBUS: shared memory (/dev/shm) may be too small for the batches"
        return f"killed by signal {name}"
    return f"exit code {exitcode}"


class _BaseDataLoaderIter:
    """What both iterators share: the sampler pass, the fetch settings and the workers' base seed."""

    def __init__(self, loader):
        self._dataset = loader.dataset
        self._is_iterable = isinstance(loader.dataset, IterableDataset)
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._prefetch_factor = loader.prefetch_factor
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._persistent_workers = loader.persistent_workers
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = int(ember.randint(0, 2 ** 63 - 1, (1,), generator=loader.generator).item())
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0

    def _next_index(self):
        return next(self._sampler_iter)

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        return data

    def __len__(self):
        return len(self._index_sampler)


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    """Loads each batch in the main process when it is asked for."""

    def __init__(self, loader):
        super().__init__(loader)
        self._fetcher = create_fetcher(self._is_iterable, self._dataset, self._auto_collation, self._collate_fn,
                                       self._drop_last)

    def _next_data(self):
        return self._fetcher.fetch(self._next_index())


_live_iterators = weakref.WeakSet()


@atexit.register
def _shutdown_all():
    # Daemonic workers die with the interpreter anyway; this also removes their shared memory files.
    for it in list(_live_iterators):
        it._shutdown_workers()


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Keeps ``prefetch_factor * num_workers`` batches in flight and returns them in sampler order."""

    def __init__(self, loader):
        super().__init__(loader)
        self._shutdown = True  # until the workers exist, there is nothing to shut down
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        self._shm_prefix = f'ember_dl_{os.getpid()}_{secrets.token_hex(4)}_'
        self._worker_result_queue = ctx.Queue()
        self._workers_done_event = ctx.Event()
        self._index_queues, self._workers = [], []
        self._shutdown = False
        _live_iterators.add(self)
        for worker_id in range(self._num_workers):
            index_queue = ctx.Queue()
            index_queue.cancel_join_thread()  # a dead worker must not make the main process hang at exit
            w = ctx.Process(target=worker_loop, daemon=True, args=(
                self._is_iterable, self._dataset, index_queue, self._worker_result_queue, self._workers_done_event,
                self._auto_collation, self._collate_fn, self._drop_last, self._base_seed, loader.worker_init_fn,
                worker_id, self._num_workers, self._shm_prefix))
            w.start()
            self._index_queues.append(index_queue)
            self._workers.append(w)
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0          # index of the next task to send to a worker
        self._rcvd_idx = 0          # index of the next batch to return
        self._task_info = {}        # task index -> (worker_id,) while pending, (worker_id, data) once arrived early
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # Persistent workers: reset each worker, discarding whatever the previous epoch left in flight.
            for q in self._index_queues:
                q.put(_ResumeIteration())
            remaining = self._num_workers
            while remaining > 0:
                idx, _ = self._get_data()
                if isinstance(idx, _ResumeIteration):
                    remaining -= 1
        for _ in range(max(self._prefetch_factor * self._num_workers, 1)):  # prefetch_factor=0: one at a time
            self._try_put_index()

    def _try_put_index(self):
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker_id = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_id]:
                break
        else:
            return  # every worker is exhausted (IterableDataset)
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _next_data(self):
        while True:
            while self._rcvd_idx < self._send_idx:
                info = self._task_info[self._rcvd_idx]
                if len(info) == 2 or self._workers_status[info[0]]:
                    break
                del self._task_info[self._rcvd_idx]  # its worker ran out of data: skip the task
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:
                return self._process_data(self._task_info.pop(self._rcvd_idx)[1])
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if isinstance(data, _IterableDatasetStopIteration):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                self._task_info[idx] += (data,)  # arrived early: keep it until its turn
            else:
                del self._task_info[idx]
                return self._process_data(data)

    def _process_data(self, data):
        self._rcvd_idx += 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def _get_data(self):
        """The next (task index, data) from any worker, raising if a worker died or ``timeout`` passed."""
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        while True:
            wait = _WORKER_CHECK_INTERVAL
            if deadline is not None:
                wait = min(wait, max(deadline - time.monotonic(), 0))
            try:
                return _shared_memory.loads(self._worker_result_queue.get(timeout=wait))
            except queue.Empty:
                pass
            self._check_workers_alive()
            if deadline is not None and time.monotonic() >= deadline:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")

    def _check_workers_alive(self):
        failed = [w for i, w in enumerate(self._workers) if self._workers_status[i] and not w.is_alive()]
        if failed:
            pids = ', '.join(str(w.pid) for w in failed)
            causes = ', '.join(_exit_cause(w.exitcode) for w in failed)
            self._shutdown_workers()
            raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly ({causes})")

    def _mark_worker_as_unavailable(self, worker_id):
        self._index_queues[worker_id].put(None)  # the worker exits once it reads this
        self._workers_status[worker_id] = False

    def _shutdown_workers(self):
        """Stop the workers, close the queues and remove any shared memory still in flight."""
        if self._shutdown:
            return
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for q in self._index_queues:
                q.put(None)
            for w in self._workers:
                w.join(timeout=_JOIN_TIMEOUT)
                if w.is_alive():  # stuck in a long __getitem__: do not wait for it
                    w.kill()
                    w.join()
            for q in self._index_queues:
                q.close()
            # Undelivered batches are not read back (a killed worker may have left half a message in the
            # pipe, and reading it would block): the pipe goes with the queue, their files with cleanup().
            self._worker_result_queue.cancel_join_thread()
            self._worker_result_queue.close()
        finally:
            _shared_memory.cleanup(self._shm_prefix)
            _live_iterators.discard(self)

    def __del__(self):
        try:
            self._shutdown_workers()
        except Exception:  # interpreter teardown: modules may already be gone
            pass
