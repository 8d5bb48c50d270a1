"""Adadelta: a learning rate from the ratio of running update and gradient magnitudes."""
import numpy as np

from .optimizer import Optimizer
from ._util import advance, check_lr, check_nonnegative, real, scalar_state, value, zeros_state

__all__ = ['Adadelta']


class Adadelta(Optimizer):
    r"""Adadelta, as ``torch.optim.Adadelta``.

    .. math::
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \\
        v_t &= \rho v_{t-1} + (1 - \rho) g_t^2 \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        u_t &= \rho u_{t-1} + (1 - \rho) \Delta_t^2 \\
        \theta_t &= \theta_{t-1} - \gamma \Delta_t

    State per parameter: ``step``, ``square_avg`` (:math:`v`), ``acc_delta`` (:math:`u`).

    Args:
        params: parameters or parameter groups to optimize.
        lr (float): scale of the delta (default 1.0).
        rho (float): decay rate of the running averages (default 0.9).
        eps (float): added inside the square roots (default 1e-6).
        weight_decay (float): L2 penalty (default 0).
        maximize (bool): maximize the objective instead of minimizing it.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonnegative(eps=eps, weight_decay=weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one Adadelta update on every parameter that has a gradient; return the closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr, rho, eps, wd = value(group['lr']), group['rho'], group['eps'], group['weight_decay']
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state['step'] = scalar_state()
                    state['square_avg'], state['acc_delta'] = zeros_state(p), zeros_state(p)
                advance(state)
                if wd != 0:
                    grad = grad + wd * p._data
                param, grad = real(p._data), real(grad)
                square_avg, acc_delta = real(state['square_avg']._data), real(state['acc_delta']._data)
                square_avg *= rho
                square_avg += (1 - rho) * grad * grad
                std = np.sqrt(square_avg + eps)
                delta = np.sqrt(acc_delta + eps) / std * grad
                acc_delta *= rho
                acc_delta += (1 - rho) * delta * delta
                param -= lr * delta
        return loss
