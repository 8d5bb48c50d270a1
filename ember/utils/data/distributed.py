"""DistributedSampler: each process of a multi-process job reads its own slice of the dataset."""
import math

import ember

from .sampler import Sampler

__all__ = ['DistributedSampler']


def _process_group():
    """(world_size, rank) of the initialised default process group, as torch.distributed reports them."""
    try:
        dist = ember.distributed
        if dist.is_available() and dist.is_initialized():
            return dist.get_world_size(), dist.get_rank()
    except (ImportError, AttributeError):
        pass
    raise RuntimeError("Default process group has not been initialized, please make sure to call "
                       "init_process_group.")


class DistributedSampler(Sampler):
    """Indices for one of ``num_replicas`` processes: rank ``r`` takes every ``num_replicas``-th index from ``r``.

    Without ``drop_last`` the index list is padded by repeating its start so that
    every rank gets ``ceil(len / num_replicas)`` indices; with it, the tail is cut.
    With ``shuffle`` the permutation is seeded by ``seed + epoch``: call
    ``set_epoch(epoch)`` at the start of each epoch so all ranks agree on a new order.

    Example::

        >>> list(DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False))
        [1, 3, 0]
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            world, my_rank = _process_group()
            num_replicas = world if num_replicas is None else num_replicas
            rank = my_rank if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        if drop_last and len(dataset) % num_replicas != 0:
            self.num_samples = math.ceil((len(dataset) - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(len(dataset) / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        if self.shuffle:
            g = ember.Generator().manual_seed(self.seed + self.epoch)
            indices = ember.randperm(len(self.dataset), generator=g).tolist()
        else:
            indices = list(range(len(self.dataset)))
        if not self.drop_last:
            padding = self.total_size - len(indices)
            if padding <= len(indices):
                indices += indices[:padding]
            else:
                indices += (indices * math.ceil(padding / len(indices)))[:padding]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Set the epoch that seeds the shuffle, so each epoch (on every rank alike) gets a new order."""
        self.epoch = epoch
