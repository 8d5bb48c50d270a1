"""Adafactor: Adam-like steps with a factored (row x column) second-moment estimate."""
import numpy as np

from .optimizer import Optimizer
from ._util import advance, lerp_, scalar_state, value, zeros_state
from ..tensor import Tensor

__all__ = ['Adafactor']


def _sq_norm_mean(a, axis):
    # torch's norm(dim).square_().div_(n): the mean square along one axis, kept as a dimension.
    norm = np.sqrt(np.sum(a * a, axis=axis, keepdims=True))
    return norm * norm / a.shape[axis]


class Adafactor(Optimizer):
    r"""Adafactor, as ``torch.optim.Adafactor``.

    With :math:`\hat\beta_{2,t} = t^{c}` (``beta2_decay`` :math:`c`),
    :math:`\rho_t = \min(\gamma, 1/\sqrt t)` and
    :math:`\alpha_t = \max(\epsilon_2, \operatorname{RMS}(\theta_{t-1}))\,\rho_t`:

    .. math::
        \theta_{t-1} &\leftarrow (1 - \gamma\lambda)\,\theta_{t-1} \\
        R_t &= \operatorname{lerp}(R_{t-1}, \operatorname{mean}_{cols}(g_t^2), \hat\beta_{2,t}), \quad
        C_t = \operatorname{lerp}(C_{t-1}, \operatorname{mean}_{rows}(g_t^2), \hat\beta_{2,t}) \\
        \hat V_t &= \frac{R_t C_t}{\max(\operatorname{mean}(R_t), \epsilon_1)}
                   \quad (\text{a vector keeps the full } V_t = \operatorname{lerp}(V_{t-1}, g_t^2, \hat\beta_{2,t})) \\
        U_t &= g_t / \sqrt{\max(\hat V_t, \epsilon_1^2)} \\
        \theta_t &= \theta_{t-1} - \frac{\alpha_t}{\max(1, \operatorname{RMS}(U_t) / d)}\, U_t

    State per parameter: ``step`` and ``row_var``/``col_var`` (matrices and
    higher) or ``variance`` (vectors).

    Args:
        params: parameters or parameter groups to optimize.
        lr (float): :math:`\gamma` (default 1e-2).
        beta2_decay (float): :math:`c \le 0` (default -0.8).
        eps (Tuple[float | None, float]): :math:`(\epsilon_1, \epsilon_2)`; None means the dtype's eps.
        d (float): clipping threshold of the update's RMS (default 1.0).
        weight_decay (float): decoupled weight decay (default 0).
        maximize (bool): maximize the objective instead of minimizing it.
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        checks = [(0.0 <= value(lr), f"Learning rate should be >= 0 but is: {lr}"),
                  (0.0 >= beta2_decay, f"beta2_decay should be <= 0 but is: {beta2_decay}"),
                  (eps[0] is None or 0.0 <= eps[0], f"epsilon1 should be >= 0 but is: {eps[0]}"),
                  (0.0 <= eps[1], f"epsilon2 should be >= 0 but is: {eps[1]}"),
                  (1.0 <= d, f"Clipping threshold d should be >= 1 but is: {d}"),
                  (0.0 <= weight_decay, f"weight_decay should be >= 0 but is: {weight_decay}")]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one Adafactor update on every parameter that has a gradient; return the closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr, eps1, eps2 = value(group['lr']), group['eps'][0], group['eps'][1]
            for p, grad in self._params_with_grad(group):
                if p.is_complex():
                    raise RuntimeError("Adafactor does not support complex parameters")
                state = self.state[p]
                if not state:
                    state['step'] = scalar_state()
                    if grad.ndim > 1:
                        row, col = list(grad.shape), list(grad.shape)
                        row[-1], col[-2] = 1, 1
                        state['row_var'] = Tensor._wrap(np.zeros_like(grad, shape=row))
                        state['col_var'] = Tensor._wrap(np.zeros_like(grad, shape=col))
                    else:
                        state['variance'] = zeros_state(p)
                if eps1 is None:  # as torch: fixed by the first parameter's dtype for the rest of the group
                    eps1 = float(np.finfo(p._data.dtype).eps)
                step = advance(state)
                beta2_t = step ** group['beta2_decay']
                rho_t = min(lr, 1 / (step ** 0.5))
                param = p._data
                alpha = max(eps2, float(np.sqrt(np.sum(param * param))) / (param.size ** 0.5)) * rho_t
                if group['weight_decay'] != 0:
                    param *= 1 - lr * group['weight_decay']
                if grad.ndim > 1:
                    row_var = lerp_(state['row_var']._data, _sq_norm_mean(grad, -1), beta2_t)
                    col_var = lerp_(state['col_var']._data, _sq_norm_mean(grad, -2), beta2_t)
                    var_estimate = np.matmul(row_var, col_var)
                    var_estimate /= np.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
                else:
                    var_estimate = lerp_(state['variance']._data, grad * grad, beta2_t).copy()
                update = 1 / np.sqrt(np.maximum(var_estimate, eps1 * eps1))
                update *= grad
                denom = max(1.0, float(np.sqrt(np.sum(update * update))) / ((update.size ** 0.5) * group['d']))
                param -= (alpha / denom) * update
        return loss
