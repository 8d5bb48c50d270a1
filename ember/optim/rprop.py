"""Rprop: resilient backpropagation, a step size per weight driven by gradient signs."""
import numpy as np

from .optimizer import Optimizer
from ._util import advance, check_lr, full_state, real, scalar_state, value, zeros_state

__all__ = ['Rprop']


class Rprop(Optimizer):
    r"""Rprop, as ``torch.optim.Rprop``.

    .. math::
        \eta_t &= \begin{cases} \min(\eta_{t-1}\eta_+,\ \Gamma_{max}) & g_t g_{t-1} > 0 \\
                                \max(\eta_{t-1}\eta_-,\ \Gamma_{min}) & g_t g_{t-1} < 0 \\
                                \eta_{t-1} & \text{otherwise} \end{cases} \\
        g_t &\leftarrow 0 \quad \text{where } g_t g_{t-1} < 0 \\
        \theta_t &= \theta_{t-1} - \eta_t \operatorname{sign}(g_t)

    State per parameter: ``step``, ``prev`` (:math:`g_{t-1}` after zeroing),
    ``step_size`` (:math:`\eta`, starting at lr).

    Args:
        params: parameters or parameter groups to optimize.
        lr (float): initial step size (default 1e-2).
        etas (Tuple[float, float]): :math:`(\eta_-, \eta_+)` (default (0.5, 1.2)).
        step_sizes (Tuple[float, float]): :math:`(\Gamma_{min}, \Gamma_{max})` (default (1e-6, 50)).
        maximize (bool): maximize the objective instead of minimizing it.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Perform one Rprop update on every parameter that has a gradient; return the closure's loss."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            etaminus, etaplus = group['etas']
            step_size_min, step_size_max = group['step_sizes']
            for p, grad in self._params_with_grad(group):
                state = self.state[p]
                if not state:
                    lr = value(group['lr'])
                    state['step'], state['prev'] = scalar_state(), zeros_state(p)
                    state['step_size'] = full_state(p, complex(lr, lr) if p.is_complex() else lr)
                advance(state)
                param, prev, step_size = real(p._data), real(state['prev']._data), real(state['step_size']._data)
                grad = real(grad).copy()  # zeroed below where the sign flipped; p.grad stays intact
                sign = np.sign(grad * prev)
                sign[sign > 0] = etaplus
                sign[sign < 0] = etaminus
                sign[sign == 0] = 1
                step_size *= sign
                np.clip(step_size, step_size_min, step_size_max, out=step_size)
                grad[sign == etaminus] = 0
                param -= np.sign(grad) * step_size
                prev[...] = grad
        return loss
