"""The recurrent cells' arithmetic and the loop over time, shared by ``nn.RNN/LSTM/GRU`` and their Cells.

Each step is one GEMM of the hidden state with all gates' weights
(``F.linear``: a 2-D GEMM, where a 3-D ``matmul`` with a transposed weight
would miss BLAS). Gate order and equations are torch's (LSTM: i, f, g, o;
GRU: r, z, n with ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``).
"""
import numpy as np

from ...autograd.function import Function
from ...ops.joining import cat, stack
from .linear import linear

__all__ = ()  # internal: the public forms are the modules


# ``gi`` is the input projection ``x @ W_ih.T + b_ih`` of one step.
def rnn_step(gi, h, w_hh, b_hh, relu=False):
    """Elman step: ``act(gi + h @ W_hh.T + b_hh)``."""
    pre = gi + linear(h, w_hh, b_hh)
    return pre.relu() if relu else pre.tanh()


def lstm_step(gi, h, c, w_hh, b_hh, w_hr=None):
    """LSTM step: gates i, f, g, o from one GEMM; returns the new ``(h, c)``."""
    h, c, _ = ThnnFusedLstmCell.apply(gi + linear(h, w_hh, b_hh), c)
    if w_hr is not None:  # LSTM with projections: h is projected down to proj_size
        h = linear(h, w_hr)
    return h, c


def gru_step(gi, h, w_hh, b_hh):
    """GRU step: r and z gate both inputs; the reset gate scales the hidden part of n only."""
    return ThnnFusedGruCell.apply(gi, linear(h, w_hh, b_hh), h)[0]


def _sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))  # stable for large |x|, and one vectorised pass


class ThnnFusedLstmCell(Function):
    """The gate arithmetic of one LSTM step as one node: ``(gates, c) -> (h, c', activations)``.

    ``c' = σ(f) c + σ(i) tanh(g)``, ``h = σ(o) tanh(c')``. The activated gates
    are an (internal) output so that the backward, written with Tensor ops on
    saved outputs, stays differentiable for double backward.
    """
    raw = True

    @staticmethod
    def forward(ctx, gates, c):
        n = c.shape[-1]
        act = _sigmoid(gates)
        act[..., 2 * n:3 * n] = np.tanh(gates[..., 2 * n:3 * n])
        i, f, g, o = act[..., :n], act[..., n:2 * n], act[..., 2 * n:3 * n], act[..., 3 * n:]
        c_new = f * c + i * g
        h = o * np.tanh(c_new)
        ctx.save_for_backward(act, c, c_new)
        ctx.set_materialize_grads(False)  # c' and the activations often get no gradient
        return h, c_new, act

    @staticmethod
    def backward(ctx, grad_h, grad_c, grad_act):
        act, c, c_new = ctx.saved_tensors
        i, f, g, o = act.chunk(4, -1)
        tc = c_new.tanh()
        grad_h = grad_h if grad_h is not None else tc * 0
        dc = grad_h * o * (1 - tc * tc)
        if grad_c is not None:
            dc = dc + grad_c
        d_act = cat([dc * g, dc * c, dc * i, grad_h * tc], -1)
        if grad_act is not None:
            d_act = d_act + grad_act
        n = c.shape[-1]
        # σ' = σ - σ² on the i, f, o columns and tanh' = 1 - tanh² on the g columns
        is_tanh = act.new_zeros(4 * n)
        is_tanh[2 * n:3 * n] = 1
        deriv = act * (1 - is_tanh) + is_tanh - act * act
        return d_act * deriv, dc * f


class ThnnFusedGruCell(Function):
    """The gate arithmetic of one GRU step as one node: ``(gi, gh, h) -> (h', activations)``.

    ``r, z = σ(gi_rz + gh_rz)``, ``n = tanh(gi_n + r gh_n)``, ``h' = n + z (h - n)``.
    """
    raw = True

    @staticmethod
    def forward(ctx, gi, gh, h):
        n = h.shape[-1]
        act = np.empty_like(gi)
        act[..., :2 * n] = _sigmoid(gi[..., :2 * n] + gh[..., :2 * n])
        r, z = act[..., :n], act[..., n:2 * n]
        act[..., 2 * n:] = np.tanh(gi[..., 2 * n:] + r * gh[..., 2 * n:])
        cand = act[..., 2 * n:]
        ctx.save_for_backward(act, gh, h)
        ctx.set_materialize_grads(False)
        return cand + z * (h - cand), act

    @staticmethod
    def backward(ctx, grad_h, grad_act):
        act, gh, h = ctx.saved_tensors
        n = h.shape[-1]
        r, z, cand = act.chunk(3, -1)
        gh_n = gh.split([2 * n, n], -1)[1]
        grad_h = grad_h if grad_h is not None else h * 0
        d_cand, dz, dh = grad_h * (1 - z), grad_h * (h - cand), grad_h * z
        if grad_act is not None:
            ga_r, ga_z, ga_n = grad_act.chunk(3, -1)
            d_cand, dz = d_cand + ga_n, dz + ga_z
        d_pre_n = d_cand * (1 - cand * cand)
        dr = d_pre_n * gh_n
        if grad_act is not None:
            dr = dr + ga_r
        d_rz = cat([dr * r * (1 - r), dz * z * (1 - z)], -1)
        return cat([d_rz, d_pre_n], -1), cat([d_rz, d_pre_n * r], -1), dh


def run_direction(gi, batch_sizes, init, step, reverse):
    """Run ``step`` over the time steps ``gi`` (a list of per-step input projections).

    ``batch_sizes[t]`` is how many sequences are still running at step t (a
    packed batch, sorted by decreasing length); None means all of them.
    ``init`` is the tuple of initial states (h, or h and c), each (N, *), and
    ``step(gi_t, states)`` returns the new states. Returns the per-step
    outputs (each ``(batch_sizes[t], H)``) and the final states, where a
    sequence's final state is the one after its own last step.
    """
    T = len(gi)
    outs = [None] * T
    if not reverse:
        states, done = init, []
        for t in range(T):
            b = batch_sizes[t] if batch_sizes is not None else None
            if b is not None and b < states[0].shape[0]:
                done.append(tuple(s[b:] for s in states))  # these sequences have ended
                states = tuple(s[:b] for s in states)
            states = step(gi[t], states)
            outs[t] = states[0]
        if done:
            states = tuple(cat([s, *(d[i] for d in reversed(done))], 0) for i, s in enumerate(states))
        return outs, states
    # Backwards, sequences join as their last element comes up, starting from their initial state.
    first = batch_sizes[T - 1] if batch_sizes is not None else None
    states = init if first is None or first == init[0].shape[0] else tuple(s[:first] for s in init)
    for t in range(T - 1, -1, -1):
        b = batch_sizes[t] if batch_sizes is not None else None
        if b is not None and b > states[0].shape[0]:
            states = tuple(cat([s, s0[s.shape[0]:b]], 0) for s, s0 in zip(states, init))
        states = step(gi[t], states)
        outs[t] = states[0]
    return outs, states


def collect(outs, packed):
    """The per-step outputs as one tensor: packed rows (sum of batch sizes, H) or padded (T, N, H)."""
    return cat(outs, 0) if packed else stack(outs, 0)
