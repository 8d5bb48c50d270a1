"""Adagrad: per-coordinate learning rates from the sum of squared gradients."""
import numpy as np

from .optimizer import Optimizer
from ._util import advance, check_lr, check_nonnegative, full_state, real, scalar_state, value

__all__ = ['Adagrad']


class Adagrad(Optimizer):
    r"""Adagrad, as ``torch.optim.Adagrad``.

    .. math::
        \tilde\gamma_t &= \frac{\gamma}{1 + (t - 1)\eta} \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \\
        s_t &= s_{t-1} + g_t^2 \\
        \theta_t &= \theta_{t-1} - \tilde\gamma_t \frac{g_t}{\sqrt{s_t} + \epsilon}

    with :math:`s_0` = ``initial_accumulator_value``. As in torch, the
    state (``step``, ``sum``) exists for every parameter from construction.

    Args:
        params: parameters or parameter groups to optimize.
        lr (float): learning rate (default 1e-2).
        lr_decay (float): :math:`\eta` (default 0).
        weight_decay (float): L2 penalty (default 0).
        initial_accumulator_value (float): starting value of the sums (default 0).
        eps (float): added to the denominator (default 1e-10).
        maximize (bool): maximize the objective instead of minimizing it.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_lr(lr)
        check_nonnegative(lr_decay=lr_decay, weight_decay=weight_decay,
                          initial_accumulator_value=initial_accumulator_value, eps=eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group['params']:
                self._init_state(p, initial_accumulator_value)

    def _init_state(self, p, initial):
        state = self.state[p]
        state['step'] = scalar_state()
        state['sum'] = full_state(p, complex(initial, initial) if p.is_complex() else initial)

    def step(self, closure=None):
        """Perform one Adagrad update on every parameter that has a gradient; return the closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr, lr_decay, eps, wd = value(group['lr']), group['lr_decay'], group['eps'], group['weight_decay']
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:  # a parameter added later with add_param_group
                    self._init_state(p, self.defaults['initial_accumulator_value'])
                step = advance(state)
                if wd != 0:
                    grad = grad + wd * p._data
                clr = lr / (1 + (step - 1) * lr_decay)
                param, grad, state_sum = real(p._data), real(grad), real(state['sum']._data)
                state_sum += grad * grad
                param -= clr * (grad / (np.sqrt(state_sum) + eps))
        return loss
