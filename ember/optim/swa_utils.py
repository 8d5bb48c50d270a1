"""Stochastic weight averaging and EMA: AveragedModel, update_bn, SWALR, as ``torch.optim.swa_utils``.

Example:
    >>> swa_model = AveragedModel(model)
    >>> swa_sched = SWALR(optimizer, swa_lr=0.05)
    >>> for epoch in range(epochs):
    ...     train_one_epoch(model, optimizer)
    ...     if epoch >= swa_start:
    ...         swa_model.update_parameters(model)
    ...         swa_sched.step()
    >>> update_bn(loader, swa_model)
"""
import itertools
import math
import warnings
from copy import deepcopy

from .. import int64
from ..autograd import grad_mode
from ..creation import tensor
from ..nn.module import Module
from ..nn.modules.batchnorm import _BatchNorm
from ._util import lerp_
from .lr_scheduler.base import LRScheduler, _format_param

__all__ = ['AveragedModel', 'update_bn', 'SWALR', 'get_ema_multi_avg_fn', 'get_swa_multi_avg_fn', 'get_ema_avg_fn',
           'get_swa_avg_fn']


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def _lerp_lists(averaged, current, weight):
    """In place, ``a <- lerp(a, c, weight)`` for float tensors; the plain formula for integer ones."""
    for a, c in zip(averaged, current):
        if a.is_floating_point() or a.is_complex():
            lerp_(a._data, c._data, weight)
        else:
            a._data[...] = a._data + (c._data - a._data) * weight
        a._version[0] += 1


def get_ema_multi_avg_fn(decay=0.999):
    """An in-place exponential moving average over lists: :math:`a \\leftarrow \\text{decay}\\, a + (1 - \\text{decay})\\, p`."""
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _):
        _lerp_lists(ema_param_list, current_param_list, 1 - decay)
    return ema_update


def get_swa_multi_avg_fn():
    """An in-place running mean over lists: :math:`a \\leftarrow a + (p - a) / (n + 1)`."""
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        _lerp_lists(averaged_param_list, current_param_list, float(1 / (float(num_averaged) + 1)))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """The EMA of one tensor: ``decay * ema + (1 - decay) * current``."""
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """The running mean of one tensor: ``averaged + (current - averaged) / (num_averaged + 1)``."""
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters are the running average (SWA) or EMA of ``model``'s.

    Args:
        model (Module): the model to average (deep-copied).
        device: where to keep the averaged copy.
        avg_fn: ``avg_fn(averaged, current, num_averaged) -> new averaged`` per tensor.
        multi_avg_fn: in-place update of lists of tensors (e.g. ``get_ema_multi_avg_fn(0.99)``).
        use_buffers (bool): average buffers too (otherwise they are copied from ``model``).
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer('n_averaged', tensor(0, dtype=int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        """Run the averaged copy of the model."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Fold ``model``'s current parameters into the average (the first call copies them)."""
        with grad_mode.no_grad():
            self._update(model)

    def _update(self, model):
        if self.use_buffers:
            mine = list(itertools.chain(self.module.parameters(), self.module.buffers()))
            theirs = list(itertools.chain(model.parameters(), model.buffers()))
        else:
            mine, theirs = list(self.parameters()), list(model.parameters())
        theirs = [p.detach().to(a.device) for a, p in zip(mine, theirs)]
        mine = mine[:len(theirs)]
        n = int(self.n_averaged)
        if n == 0:
            for a, p in zip(mine, theirs):
                a.detach().copy_(p)
        elif self.multi_avg_fn is not None:
            self.multi_avg_fn(mine, theirs, self.n_averaged)
        elif self.avg_fn is not None:
            for a, p in zip(mine, theirs):
                a.detach().copy_(self.avg_fn(a.detach(), p, self.n_averaged))
        else:
            # torch's CPU path: the running mean written as a + (p - a) / (n + 1).
            for a, p in zip(mine, theirs):
                a._data[...] = a._data + (p._data - a._data) / (n + 1)
                a._version[0] += 1
        if not self.use_buffers:
            for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                b_swa.detach().copy_(b_model.detach().to(b_swa.device))
        self.n_averaged._data += 1
        self.n_averaged._version[0] += 1


def update_bn(loader, model, device=None):
    """Recompute the BatchNorm running statistics of ``model`` with one pass over ``loader``.

    The statistics become plain averages over the batches (momentum None
    during the pass), as the averaged weights need.
    """
    with grad_mode.no_grad():
        momenta = {}
        for module in model.modules():
            if isinstance(module, _BatchNorm):
                module.reset_running_stats()
                momenta[module] = module.momentum
        if not momenta:
            return
        was_training = model.training
        model.train()
        for module in momenta:
            module.momentum = None
        for inputs in loader:
            if isinstance(inputs, (list, tuple)):
                inputs = inputs[0]
            if device is not None:
                inputs = inputs.to(device)
            model(inputs)
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's lr to ``swa_lr`` over ``anneal_epochs`` epochs (cos or linear), then hold it."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy='cos', last_epoch=-1):
        swa_lrs = _format_param('swa_lr', optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group['swa_lr'] = lr
        if anneal_strategy not in ['cos', 'linear']:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        """The lrs one annealing step closer to ``swa_lr``."""
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                          UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        prev_lrs = [self._get_initial_lr(g['lr'], g['swa_lr'], prev_alpha) for g in self.optimizer.param_groups]
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [g['swa_lr'] * alpha + lr * (1 - alpha) for g, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == 'cos' else self._linear_anneal

    def state_dict(self):
        """The attributes except the optimizer and the anneal function."""
        return {k: v for k, v in self.__dict__.items() if k not in ('optimizer', 'anneal_func')}

    def load_state_dict(self, state_dict):
        """Restore the attributes saved by ``state_dict``."""
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
