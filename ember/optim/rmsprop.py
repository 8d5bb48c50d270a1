"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""
import numpy as np

from .optimizer import Optimizer
from ._util import advance, check_lr, check_nonnegative, lerp_, real, scalar_state, value, zeros_state

__all__ = ['RMSprop']


class RMSprop(Optimizer):
    r"""RMSprop, as ``torch.optim.RMSprop``.

    .. math::
        g_t &\leftarrow g_t + \lambda \theta_{t-1} \\
        v_t &= \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
        \bar g_t &= \alpha \bar g_{t-1} + (1 - \alpha) g_t, \qquad
        \tilde v_t = v_t - \bar g_t^2 \quad (\text{centered; else } \tilde v_t = v_t) \\
        b_t &= \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon), \qquad
        \theta_t = \theta_{t-1} - \gamma b_t \quad (\mu > 0) \\
        \theta_t &= \theta_{t-1} - \gamma\, g_t / (\sqrt{\tilde v_t} + \epsilon) \quad (\mu = 0)

    State per parameter: ``step``, ``square_avg`` (:math:`v`), with momentum
    ``momentum_buffer`` (:math:`b`), when centered ``grad_avg`` (:math:`\bar g`).

    Args:
        params: parameters or parameter groups to optimize.
        lr (float): learning rate (default 1e-2).
        alpha (float): smoothing constant (default 0.99).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): L2 penalty (default 0).
        momentum (float): momentum factor (default 0).
        centered (bool): normalize by an estimate of the gradient's variance.
        maximize (bool): maximize the objective instead of minimizing it.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        check_nonnegative(eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one RMSprop update on every parameter that has a gradient; return the closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr, alpha, eps, momentum = value(group['lr']), group['alpha'], group['eps'], group['momentum']
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state['step'] = scalar_state()
                    state['square_avg'] = zeros_state(p)
                    if momentum > 0:
                        state['momentum_buffer'] = zeros_state(p)
                    if group['centered']:
                        state['grad_avg'] = zeros_state(p)
                advance(state)
                if group['weight_decay'] != 0:
                    grad = grad + group['weight_decay'] * p._data
                param, grad = real(p._data), real(grad)
                square_avg = real(state['square_avg']._data)
                avg = np.multiply(grad, grad)  # scratch: g^2, then the denominator, then the update
                avg *= 1 - alpha
                square_avg *= alpha
                square_avg += avg
                if group['centered']:
                    grad_avg = lerp_(real(state['grad_avg']._data), grad, 1 - alpha)
                    np.multiply(grad_avg, grad_avg, out=avg)
                    np.subtract(square_avg, avg, out=avg)
                    np.sqrt(avg, out=avg)
                else:
                    np.sqrt(square_avg, out=avg)
                avg += eps
                np.divide(grad, avg, out=avg)
                if momentum > 0:
                    buf = real(state['momentum_buffer']._data)
                    buf *= momentum
                    buf += avg
                    param -= lr * buf
                else:
                    avg *= lr
                    param -= avg
        return loss
