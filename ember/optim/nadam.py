"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""
import numpy as np

from .optimizer import Optimizer
from ._util import advance, check_betas, check_lr, check_nonnegative, lerp_, real, scalar_state, value, zeros_state

__all__ = ['NAdam']


class NAdam(Optimizer):
    r"""NAdam, as ``torch.optim.NAdam``.

    With momentum decay :math:`\psi`:

    .. math::
        \mu_t &= \beta_1 \left(1 - \tfrac12\, 0.96^{t\psi}\right), \qquad
        \Pi_t = \textstyle\prod_{i \le t} \mu_i \\
        g_t &\leftarrow g_t + \lambda \theta_{t-1}
              \quad (\text{or } \theta_{t-1} \leftarrow (1 - \gamma\lambda)\theta_{t-1} \text{ if decoupled}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        d_t &= \sqrt{v_t / (1 - \beta_2^t)} + \epsilon \\
        \theta_t &= \theta_{t-1} - \gamma \frac{1 - \mu_t}{1 - \Pi_t} \frac{g_t}{d_t}
                    - \gamma \frac{\mu_{t+1}}{1 - \Pi_t \mu_{t+1}} \frac{m_t}{d_t}

    State per parameter: ``step``, ``mu_product`` (:math:`\Pi_t`, a 0-d
    float32 tensor as in torch), ``exp_avg``, ``exp_avg_sq``.

    Args:
        params: parameters or parameter groups to optimize.
        lr (float): learning rate (default 2e-3).
        betas (Tuple[float, float]): decay rates (default (0.9, 0.999)).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): weight decay (default 0).
        momentum_decay (float): :math:`\psi` (default 4e-3).
        decoupled_weight_decay (bool): decay the weights directly, as AdamW (default False).
        maximize (bool): maximize the objective instead of minimizing it.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_lr(lr)
        check_nonnegative(eps=eps)
        check_betas(betas)
        check_nonnegative(weight_decay=weight_decay, momentum_decay=momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one NAdam update on every parameter that has a gradient; return the closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = value(group['lr']), group['betas'], group['eps'], group['weight_decay']
            psi = group['momentum_decay']
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state['step'], state['mu_product'] = scalar_state(0.0), scalar_state(1.0)
                    state['exp_avg'], state['exp_avg_sq'] = zeros_state(p), zeros_state(p)
                step = advance(state)
                bias_correction2 = 1 - beta2 ** step
                if wd != 0:
                    if group['decoupled_weight_decay']:
                        p._data *= 1 - lr * wd
                    else:
                        grad = grad + wd * p._data
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
                # The product is kept in the state's float32, as torch does: it rounds each step.
                mu_product = state['mu_product']._data
                mu_product *= mu
                mu_product = float(mu_product)
                param, grad = real(p._data), real(grad)
                exp_avg, exp_avg_sq = real(state['exp_avg']._data), real(state['exp_avg_sq']._data)
                lerp_(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                exp_avg_sq += (1 - beta2) * grad * grad
                denom = np.sqrt(exp_avg_sq / bias_correction2) + eps
                param += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (grad / denom)
                param += ((-lr * mu_next) / (1.0 - mu_product * mu_next)) * (exp_avg / denom)
        return loss
