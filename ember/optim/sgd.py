"""Stochastic gradient descent, with momentum and Nesterov momentum."""
from ..tensor import Tensor
from .optimizer import Optimizer
from ._util import axpy_, check_lr, value, weight_decayed

__all__ = ['SGD']


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    With gradient :math:`g_t` (negated when ``maximize``), weight decay
    :math:`\lambda`, momentum :math:`\mu` and dampening :math:`\tau`:

    .. math::
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \\
        b_t &= \begin{cases} g_t & t = 1 \\ \mu b_{t-1} + (1 - \tau) g_t & t > 1 \end{cases} \\
        g_t &\leftarrow \begin{cases} g_t + \mu b_t & \text{nesterov} \\ b_t & \text{otherwise} \end{cases}
              \quad (\text{when } \mu \ne 0) \\
        \theta_t &= \theta_{t-1} - \gamma g_t

    State per parameter: ``momentum_buffer`` :math:`b_t` (only when momentum is non-zero).

    Args:
        params: parameters or parameter groups to optimize.
        lr (float): learning rate :math:`\gamma` (default 1e-3).
        momentum (float): momentum factor (default 0).
        dampening (float): dampening for momentum (default 0).
        weight_decay (float): L2 penalty (default 0).
        nesterov (bool): Nesterov momentum; needs momentum > 0 and zero dampening.
        maximize (bool): maximize the objective instead of minimizing it.

    Example:
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, default in (('nesterov', False), ('maximize', False), ('foreach', None),
                                 ('differentiable', False), ('fused', False)):
                group.setdefault(key, default)

    def step(self, closure=None):
        """Perform one SGD update on every parameter that has a gradient; return the closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr, momentum, dampening = value(group['lr']), group['momentum'], group['dampening']
            nesterov, weight_decay = group['nesterov'], group['weight_decay']
            for p, grad in self._params_with_grad(group):
                grad = weight_decayed(grad, p._data, weight_decay)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get('momentum_buffer')
                    if buf is None:
                        buf = state['momentum_buffer'] = Tensor._wrap(grad.copy())
                    else:
                        # In place with fused axpy passes and no temporaries: the update is
                        # memory-bound, so every pass over the arrays counts.
                        buf._data *= momentum
                        axpy_(buf._data, 1 - dampening, grad)
                    if nesterov:
                        grad = grad + momentum * buf._data
                    else:
                        grad = buf._data
                axpy_(p._data, -lr, grad)
        return loss
