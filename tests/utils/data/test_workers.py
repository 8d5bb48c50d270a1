"""DataLoader with real worker processes: order, seeding, sharding, persistence, shared memory and faults."""
import multiprocessing
import os
import random
import signal
import time

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader, Dataset, IterableDataset, default_collate, get_worker_info

pytestmark = pytest.mark.skipif(not hasattr(os, 'fork'), reason="worker tests use the fork start method")


class Slow(Dataset):
    """Items that take uneven time, so workers finish out of order."""

    def __init__(self, n=12):
        self.n = n

    def __getitem__(self, i):
        time.sleep(0.02 * ((i * 7) % 3))
        return np.full((3, 4), i, dtype=np.float32), i

    def __len__(self):
        return self.n


class Rng(Dataset):
    """Each item reports the worker and draws from ember's, NumPy's and Python's RNGs."""

    def __getitem__(self, i):
        info = get_worker_info()
        return (info.id if info else -1, info.seed if info else -1, ember.rand(1).item(), float(np.random.rand()),
                random.random())

    def __len__(self):
        return 8


class Shard(IterableDataset):
    """Each worker yields its own slice of range(n)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        first, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(first, self.n, step))


class Faulty(Dataset):
    def __init__(self, kind, bad=3):
        self.kind, self.bad = kind, bad

    def __getitem__(self, i):
        if i == self.bad:
            if self.kind == 'value':
                raise ValueError(f"bad item {i}")
            if self.kind == 'key':
                raise KeyError(f"missing {i}")
            if self.kind == 'kill':
                os.kill(os.getpid(), signal.SIGKILL)
            if self.kind == 'sleep':
                time.sleep(1)
        return i

    def __len__(self):
        return 8


def _shm_files():
    return [f for f in os.listdir('/dev/shm') if f.startswith(f'ember_dl_{os.getpid()}_')] \
        if os.path.isdir('/dev/shm') else []


@pytest.fixture(autouse=True)
def _no_leaks():
    yield
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []
    assert _shm_files() == []


def test_batches_in_sampler_order_match_single_process():
    single = [(x.numpy(), y.tolist()) for x, y in DataLoader(Slow(), batch_size=2)]
    multi = [(x.numpy(), y.tolist()) for x, y in DataLoader(Slow(), batch_size=2, num_workers=2, timeout=20)]
    assert [y for _, y in multi] == [y for _, y in single] == [[2 * i, 2 * i + 1] for i in range(6)]
    for (a, _), (b, _) in zip(single, multi):
        np.testing.assert_array_equal(a, b)


def test_shuffled_order_same_as_single_process_with_generator():
    kw = dict(batch_size=3, shuffle=True)
    single = [y.tolist() for _, y in DataLoader(Slow(), generator=ember.Generator().manual_seed(3), **kw)]
    multi = [y.tolist() for _, y in DataLoader(Slow(), num_workers=2, generator=ember.Generator().manual_seed(3),
                                               timeout=20, **kw)]
    assert single == multi


class Big(Dataset):
    def __getitem__(self, i):
        return np.full((32, 32), i, dtype=np.float32)

    def __len__(self):
        return 6


def test_tensors_arrive_through_shared_memory():
    batches = list(DataLoader(Big(), batch_size=3, num_workers=2, timeout=20))
    assert [b[:, 0, 0].tolist() for b in batches] == [[0, 1, 2], [3, 4, 5]]
    x = batches[0]
    root = x._data
    while isinstance(root.base, np.ndarray):
        root = root.base
    assert isinstance(root.base, memoryview) and 'mmap' in type(root.base.obj).__name__
    x[0, 0, 0] = 5.0  # writable, like torch's shared tensors
    assert x[0, 0, 0].item() == 5.0


def test_worker_seeding_distinct_and_reproducible():
    def run():
        loader = DataLoader(Rng(), batch_size=None, num_workers=2, generator=ember.Generator().manual_seed(11),
                            timeout=20)
        return list(loader)
    a, b = run(), run()
    assert a == b
    ids = [item[0] for item in a]
    assert ids == [0, 1] * 4
    seeds = {item[0]: item[1] for item in a}
    assert seeds[1] == seeds[0] + 1
    for k in (2, 3, 4):  # worker 0's first draw differs from worker 1's, for each RNG
        assert a[0][k] != a[1][k]
    c = list(DataLoader(Rng(), batch_size=None, num_workers=2, generator=ember.Generator().manual_seed(12),
                        timeout=20))
    assert [x[2] for x in c] != [x[2] for x in a]


def test_get_worker_info_none_in_main_and_worker_init_fn():
    assert get_worker_info() is None
    ids = multiprocessing.get_context('fork').Queue()
    loader = DataLoader(Rng(), batch_size=4, num_workers=2, worker_init_fn=ids.put, timeout=20)
    list(loader)
    assert sorted([ids.get(timeout=5), ids.get(timeout=5)]) == [0, 1]


def test_iterable_dataset_sharded_by_worker_info():
    out = [b.tolist() for b in DataLoader(Shard(10), batch_size=2, num_workers=2, timeout=20)]
    assert sorted(sum(out, [])) == list(range(10))
    assert out[0] == [0, 2] and out[1] == [1, 3]
    dropped = [b.tolist() for b in DataLoader(Shard(10), batch_size=2, num_workers=2, drop_last=True, timeout=20)]
    assert all(len(b) == 2 for b in dropped) and len(dropped) == 4


def test_persistent_workers_keep_processes_across_epochs():
    loader = DataLoader(Shard(6), batch_size=2, num_workers=2, persistent_workers=True, timeout=20)
    first = [b.tolist() for b in loader]
    pids = sorted(p.pid for p in multiprocessing.active_children())
    second = [b.tolist() for b in loader]
    assert first == second and len(pids) == 2
    assert sorted(p.pid for p in multiprocessing.active_children()) == pids
    for b in loader:  # an epoch abandoned half-way: the next one still starts from the beginning
        break
    assert [b.tolist() for b in loader] == first
    del loader


def test_prefetch_factor_and_spawn_context():
    loader = DataLoader(Slow(6), batch_size=2, num_workers=1, prefetch_factor=1, multiprocessing_context='spawn',
                        timeout=60)
    assert [y.tolist() for _, y in loader] == [[0, 1], [2, 3], [4, 5]]


@pytest.mark.parametrize("kind,exc", [('value', ValueError), ('key', KeyError)])
def test_worker_exception_reraised_with_traceback(kind, exc):
    loader = DataLoader(Faulty(kind), batch_size=2, num_workers=2, timeout=20)
    with pytest.raises(exc) as info:
        list(loader)
    msg = str(info.value)
    assert f"Caught {exc.__name__} in DataLoader worker process 1.\nOriginal Traceback (most recent call last):" \
        in msg
    assert "in __getitem__" in msg and ("bad item 3" in msg or "missing 3" in msg)
    del info  # its traceback holds the iterator (as in torch, the epoch could go on); dropping it stops the workers


def test_killed_worker_raises_runtime_error_naming_it():
    loader = DataLoader(Faulty('kill'), batch_size=1, num_workers=2)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited unexpectedly \(killed by "
                                           r"signal SIGKILL\)"):
        list(loader)


class KillOnce(Dataset):
    """The first worker to fetch item 1 dies; later ones find the marker file and carry on."""

    def __init__(self, marker):
        self.marker = marker

    def __getitem__(self, i):
        if i == 1 and not os.path.exists(self.marker):
            open(self.marker, 'w').close()
            os.kill(os.getpid(), signal.SIGKILL)
        return i

    def __len__(self):
        return 4


def test_worker_init_fn_error_reported_and_persistent_loader_recovers(tmp_path):
    def init(worker_id):
        raise ValueError(f"init failed in {worker_id}")
    loader = DataLoader(Faulty('none'), batch_size=2, num_workers=1, worker_init_fn=init, timeout=20)
    with pytest.raises(ValueError, match="(?s)Caught ValueError in DataLoader worker process 0.*init failed in 0"):
        list(loader)
    del loader

    persistent = DataLoader(KillOnce(str(tmp_path / 'killed')), batch_size=2, num_workers=1, persistent_workers=True,
                            timeout=20)
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        list(persistent)
    # a fresh worker replaces the dead one
    assert [b.tolist() for b in persistent] == [[0, 1], [2, 3]]
    del persistent


def test_timeout_raises():
    loader = DataLoader(Faulty('sleep', bad=0), batch_size=1, num_workers=1, timeout=0.3)
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.3 seconds"):
        next(iter(loader))


def test_breaking_early_and_deleting_shut_workers_down():
    loader = DataLoader(Slow(40), batch_size=2, num_workers=2, timeout=20)
    for i, _ in enumerate(loader):
        if i == 1:
            break
    it = iter(loader)
    next(it)
    assert len(multiprocessing.active_children()) == 2
    del it
    assert multiprocessing.active_children() == []


def test_buffers_a_collate_fn_drops_do_not_pile_up():
    def sliced(batch):
        return default_collate(batch)[:, :16]  # a view: sent as a copy, the full batch buffer is dropped

    class Many(Big):
        def __len__(self):
            return 60

    loader = DataLoader(Many(), batch_size=2, num_workers=1, collate_fn=sliced, timeout=20)
    most = 0
    for i, batch in enumerate(loader):
        assert batch[0, 0, 0].item() == 2 * i and tuple(batch.shape) == (2, 16, 32)
        most = max(most, len(_shm_files()))
    assert most <= 4  # only what is in flight (prefetch_factor * num_workers), not one file per batch
