"""Adamax: Adam with the infinity norm in place of the second moment."""
import numpy as np

from .optimizer import Optimizer
from ._util import advance, check_betas, check_lr, check_nonnegative, lerp_, real, scalar_state, value, zeros_state

__all__ = ['Adamax']


class Adamax(Optimizer):
    r"""Adamax, as ``torch.optim.Adamax``.

    .. math::
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        u_t &= \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t} \frac{m_t}{u_t}

    State per parameter: ``step``, ``exp_avg`` (:math:`m`), ``exp_inf`` (:math:`u`).

    Args:
        params: parameters or parameter groups to optimize.
        lr (float): learning rate (default 2e-3).
        betas (Tuple[float, float]): decay rates (default (0.9, 0.999)).
        eps (float): added to :math:`|g_t|` (default 1e-8).
        weight_decay (float): L2 penalty (default 0).
        maximize (bool): maximize the objective instead of minimizing it.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_nonnegative(eps=eps)
        check_betas(betas)
        check_nonnegative(weight_decay=weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one Adamax update on every parameter that has a gradient; return the closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = value(group['lr']), group['betas'], group['eps'], group['weight_decay']
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state['step'] = scalar_state()
                    state['exp_avg'], state['exp_inf'] = zeros_state(p), zeros_state(p)
                step = advance(state)
                if wd != 0:
                    grad = grad + wd * p._data
                param, grad = real(p._data), real(grad)
                exp_avg, exp_inf = real(state['exp_avg']._data), real(state['exp_inf']._data)
                lerp_(exp_avg, grad, 1 - beta1)
                exp_inf *= beta2
                np.maximum(exp_inf, np.abs(grad) + eps, out=exp_inf)
                clr = lr / (1 - beta1 ** step)
                param -= clr * (exp_avg / exp_inf)
        return loss
