"""Adam: adaptive moment estimation."""
import numpy as np

from .optimizer import Optimizer
from ._util import advance, check_betas, check_lr, check_nonnegative, lerp_, real, scalar_state, value, zeros_state

__all__ = ['Adam']


class Adam(Optimizer):
    r"""Adam, as ``torch.optim.Adam`` (AdamW is Adam with ``decoupled_weight_decay=True``).

    With gradient :math:`g_t`, step :math:`t`, learning rate :math:`\gamma`:

    .. math::
        g_t &\leftarrow g_t + \lambda \theta_{t-1}
              \quad (\text{or } \theta_{t-1} \leftarrow (1 - \gamma\lambda)\theta_{t-1} \text{ if decoupled}) \\
        m_t &= \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        v_t &= \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \hat v_t &= \max(\hat v_{t-1}, v_t) \quad (\text{amsgrad; else } \hat v_t = v_t) \\
        \theta_t &= \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}
                    \frac{m_t}{\sqrt{\hat v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    State per parameter: ``step`` (0-d float32 tensor), ``exp_avg``,
    ``exp_avg_sq`` and, with amsgrad, ``max_exp_avg_sq``.

    Args:
        params: parameters or parameter groups to optimize.
        lr (float): learning rate (default 1e-3).
        betas (Tuple[float, float]): decay rates of the moment estimates (default (0.9, 0.999)).
        eps (float): added to the denominator (default 1e-8).
        weight_decay (float): L2 penalty (default 0).
        amsgrad (bool): use the running maximum of :math:`v_t` (default False).
        maximize (bool): maximize the objective instead of minimizing it.
        decoupled_weight_decay (bool): AdamW's decay of the weights themselves.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_lr(lr)
        check_nonnegative(eps=eps)
        check_betas(betas)
        check_nonnegative(weight_decay=weight_decay)
        betas = tuple(value(b) for b in betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            for key, default in (('amsgrad', False), ('maximize', False), ('foreach', None), ('capturable', False),
                                 ('differentiable', False), ('decoupled_weight_decay', False), ('fused', None)):
                group.setdefault(key, default)

    def step(self, closure=None):
        """Perform one Adam update on every parameter that has a gradient; return the closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps, wd = value(group['lr']), group['betas'], group['eps'], group['weight_decay']
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state['step'] = scalar_state()
                    state['exp_avg'], state['exp_avg_sq'] = zeros_state(p), zeros_state(p)
                    if group['amsgrad']:
                        state['max_exp_avg_sq'] = zeros_state(p)
                step = advance(state)
                if wd != 0:
                    if group['decoupled_weight_decay']:
                        p._data *= 1 - lr * wd
                    else:
                        grad = grad + wd * p._data
                param, grad = real(p._data), real(grad)
                exp_avg, exp_avg_sq = real(state['exp_avg']._data), real(state['exp_avg_sq']._data)
                lerp_(exp_avg, grad, 1 - beta1)
                # One scratch array serves g^2, then the denominator, then the update: fewer passes and allocations.
                buf = np.multiply(grad, grad)
                buf *= 1 - beta2
                exp_avg_sq *= beta2
                exp_avg_sq += buf
                if group['amsgrad']:
                    max_sq = real(state['max_exp_avg_sq']._data)
                    np.maximum(max_sq, exp_avg_sq, out=max_sq)
                    exp_avg_sq = max_sq
                step_size = lr / (1 - beta1 ** step)
                np.sqrt(exp_avg_sq, out=buf)
                buf /= (1 - beta2 ** step) ** 0.5
                buf += eps
                np.divide(exp_avg, buf, out=buf)
                buf *= step_size
                param -= buf
        return loss
