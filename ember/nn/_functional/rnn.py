"""The recurrent cells' arithmetic and the loop over time, shared by ``nn.RNN/LSTM/GRU`` and their Cells.

Each step is one GEMM of the hidden state with all gates' weights
(``F.linear``: a 2-D GEMM, where a 3-D ``matmul`` with a transposed weight
would miss BLAS). Gate order and equations are torch's (LSTM: i, f, g, o;
GRU: r, z, n with ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``).
"""
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
    gates = gi + linear(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, -1)  # one node whose backward is one cat, not four zero-padded slices
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    if w_hr is not None:  # LSTM with projections: h is projected down to proj_size
        h = linear(h, w_hr)
    return h, c


def gru_step(gi, h, w_hh, b_hh):
    """GRU step: r and z gate both inputs; the reset gate scales the hidden part of n only."""
    gh = linear(h, w_hh, b_hh)
    n = h.shape[-1]
    gi_rz, gi_n = gi.split([2 * n, n], -1)
    gh_rz, gh_n = gh.split([2 * n, n], -1)
    r, z = (gi_rz + gh_rz).sigmoid().chunk(2, -1)
    cand = (gi_n + r * gh_n).tanh()
    return cand + z * (h - cand)  # == (1 - z) * cand + z * h


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
