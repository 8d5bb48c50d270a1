"""ASGD: averaged stochastic gradient descent."""
from .optimizer import Optimizer
from ._util import advance, check_lr, check_nonnegative, real, scalar_state, value, zeros_state

__all__ = ['ASGD']


class ASGD(Optimizer):
    r"""Averaged SGD, as ``torch.optim.ASGD``.

    .. math::
        g_t &\leftarrow g_t + \lambda_{wd} \theta_{t-1} \\
        \theta_t &= (1 - \lambda \eta_{t-1})\, \theta_{t-1} - \eta_{t-1} g_t \\
        \bar\theta_t &= \begin{cases} \bar\theta_{t-1} + \mu_{t-1}(\theta_t - \bar\theta_{t-1}) & \mu_{t-1} \ne 1 \\
                                      \theta_t & \mu_{t-1} = 1 \end{cases} \\
        \eta_t &= \frac{\gamma}{(1 + \lambda \gamma t)^\alpha}, \qquad \mu_t = \frac{1}{\max(1, t - t_0)}

    State per parameter: ``step``, ``eta``, ``mu`` (0-d tensors) and ``ax``
    (the average :math:`\bar\theta`, the value to evaluate the model with).

    Args:
        params: parameters or parameter groups to optimize.
        lr (float): learning rate :math:`\gamma` (default 1e-2).
        lambd (float): decay term :math:`\lambda` (default 1e-4).
        alpha (float): power for the eta update (default 0.75).
        t0 (float): step at which averaging starts (default 1e6).
        weight_decay (float): L2 penalty (default 0).
        maximize (bool): maximize the objective instead of minimizing it.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_nonnegative(weight_decay=weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one ASGD update on every parameter that has a gradient; return the closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr, lambd, alpha, t0 = value(group['lr']), group['lambd'], group['alpha'], group['t0']
            wd = group['weight_decay']
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    state['step'], state['eta'], state['mu'] = scalar_state(), scalar_state(lr), scalar_state(1.0)
                    state['ax'] = zeros_state(p)
                step = advance(state)
                if wd != 0:
                    grad = grad + wd * p._data
                param, grad, ax = real(p._data), real(grad), real(state['ax']._data)
                eta, mu = state['eta']._data, state['mu']._data
                eta_value = float(eta)
                param *= 1 - lambd * eta_value
                param -= eta_value * grad
                if float(mu) != 1:
                    # float(): the 0-d state lives on the CPU, ax may be a GPU array.
                    ax += (param - ax) * float(mu)
                else:
                    ax[...] = param
                # Stored in the state's dtype (float32), as torch copies them into 0-d tensors.
                eta[...] = lr / ((1 + lambd * lr * step) ** alpha)
                mu[...] = 1 / max(1, step - t0)
        return loss
