"""RAdam: Adam with a rectified (variance-aware) adaptive learning rate."""
import numpy as np

from .optimizer import Optimizer
from ._util import advance, check_betas, check_lr, check_nonnegative, lerp_, real, scalar_state, value, zeros_state

__all__ = ['RAdam']


class RAdam(Optimizer):
    r"""RAdam, as ``torch.optim.RAdam``.

    .. math::
        g_t &\leftarrow g_t + \lambda \theta_{t-1}
              \quad (\text{or } \theta_{t-1} \leftarrow (1 - \gamma\lambda)\theta_{t-1} \text{ if decoupled}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat m_t &= m_t / (1 - \beta_1^t), \qquad
        \rho_\infty = \frac{2}{1 - \beta_2} - 1, \qquad
        \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t} \\
        \theta_t &= \begin{cases}
            \theta_{t-1} - \gamma \hat m_t \frac{\sqrt{1 - \beta_2^t}}{\sqrt{v_t} + \epsilon}
            \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}{(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}}
                & \rho_t > 5 \\
            \theta_{t-1} - \gamma \hat m_t & \text{otherwise}
        \end{cases}

    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq``.

    Args:
        params: parameters or parameter groups to optimize.
        lr (float): learning rate (default 1e-3).
        betas (Tuple[float, float]): decay rates (default (0.9, 0.999)).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): weight decay (default 0).
        decoupled_weight_decay (bool): decay the weights directly, as AdamW (default False).
        maximize (bool): maximize the objective instead of minimizing it.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_lr(lr)
        check_nonnegative(eps=eps)
        check_betas(betas)
        check_nonnegative(weight_decay=weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one RAdam update on every parameter that has a gradient; return the closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = value(group['lr']), group['betas'], group['eps'], group['weight_decay']
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state['step'] = scalar_state()
                    state['exp_avg'], state['exp_avg_sq'] = zeros_state(p), zeros_state(p)
                step = advance(state)
                if wd != 0:
                    if group['decoupled_weight_decay']:
                        p._data *= 1 - lr * wd
                    else:
                        grad = grad + wd * p._data
                param, grad = real(p._data), real(grad)
                exp_avg, exp_avg_sq = real(state['exp_avg']._data), real(state['exp_avg_sq']._data)
                lerp_(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                exp_avg_sq += (1 - beta2) * grad * grad
                bias_correction1, bias_correction2 = 1 - beta1 ** step, 1 - beta2 ** step
                corrected = exp_avg / bias_correction1
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    adaptive_lr = bias_correction2 ** 0.5 / (np.sqrt(exp_avg_sq) + eps)
                    param -= corrected * lr * adaptive_lr * rect
                else:
                    param -= corrected * lr
        return loss
