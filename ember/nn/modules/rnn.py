"""Recurrent layers: RNN, LSTM, GRU and their single-step Cell forms.

Each time step is one GEMM of the hidden state with all gates' weights;
the input projections of all time steps are computed before the loop in
one GEMM. The loop over time is inherent to recurrence. Gate order and
equations are torch's (LSTM: i, f, g, o; GRU: r, z, n with
``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``).
"""
import math
import numbers
import warnings

from ... import creation
from ...ops.joining import cat, stack
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter

__all__ = ('RNNBase', 'RNN', 'LSTM', 'GRU', 'RNNCellBase', 'RNNCell', 'LSTMCell', 'GRUCell')

_GATES = {'RNN_TANH': 1, 'RNN_RELU': 1, 'LSTM': 4, 'GRU': 3}


# ---- one time step, shared by the layers and the cells ----------------------------------------------
# ``gi`` is the input projection ``x @ W_ih.T + b_ih`` of this step. F.linear is one 2-D GEMM,
# where a 3-D ``matmul`` with a transposed weight would miss BLAS.

def _rnn_step(gi, h, w_hh, b_hh, relu):
    """Elman step: ``act(gi + h @ W_hh.T + b_hh)``."""
    pre = gi + F.linear(h, w_hh, b_hh)
    return pre.relu() if relu else pre.tanh()


def _lstm_step(gi, h, c, w_hh, b_hh, w_hr=None):
    """LSTM step: gates i, f, g, o from one GEMM; returns the new ``(h, c)``."""
    gates = gi + F.linear(h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, -1)  # one node whose backward is one cat, not four zero-padded slices
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    if w_hr is not None:  # LSTM with projections: h is projected down to proj_size
        h = F.linear(h, w_hr)
    return h, c


def _gru_step(gi, h, w_hh, b_hh):
    """GRU step: r and z gate both inputs; the reset gate scales the hidden part of n only."""
    gh = F.linear(h, w_hh, b_hh)
    n = h.shape[-1]
    gi_rz, gi_n = gi.split([2 * n, n], -1)
    gh_rz, gh_n = gh.split([2 * n, n], -1)
    r, z = (gi_rz + gh_rz).sigmoid().chunk(2, -1)
    cand = (gi_n + r * gh_n).tanh()
    return cand + z * (h - cand)  # == (1 - z) * cand + z * h


def _check_positive_int(name, value):
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be greater than zero")


def _dims(t):
    return f"{t.dim()}-D"


class RNNBase(Module):
    """The machinery shared by RNN, LSTM and GRU: parameters, checks and the layer/direction loop."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}")
        _check_positive_int('hidden_size', hidden_size)
        _check_positive_int('num_layers', num_layers)
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != 'LSTM':
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size or hidden_size
        factory = {'device': device, 'dtype': dtype}
        self._flat_weights_names = []
        for layer in range(num_layers):
            for direction in range(2 if bidirectional else 1):
                layer_in = input_size if layer == 0 else real_hidden * (2 if bidirectional else 1)
                suffix = f"_l{layer}{'_reverse' if direction else ''}"
                shapes = [('weight_ih', (gate_size, layer_in)), ('weight_hh', (gate_size, real_hidden))]
                if bias:
                    shapes += [('bias_ih', (gate_size,)), ('bias_hh', (gate_size,))]
                if proj_size:
                    shapes.append(('weight_hr', (proj_size, hidden_size)))
                for name, shape in shapes:
                    setattr(self, name + suffix, Parameter(creation.empty(*shape, **factory)))
                    self._flat_weights_names.append(name + suffix)
        self.reset_parameters()

    def reset_parameters(self):
        """Every weight and bias ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as torch."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """A no-op kept for compatibility: ember has no cuDNN weight buffer to compact."""

    @property
    def all_weights(self):
        """The parameters per layer and direction, in torch's order."""
        per = len(self._flat_weights_names) // (self.num_layers * (2 if self.bidirectional else 1))
        names = self._flat_weights_names
        return [[getattr(self, n) for n in names[i:i + per]] for i in range(0, len(names), per)]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ---- forward ------------------------------------------------------------------------------------
    def _prepare(self, input, name, dim_word):
        """Check the input; return it as (L, N, H_in) and whether it was unbatched."""
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{dim_word} instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")
        w = self.weight_ih_l0
        if input.dtype != w.dtype:
            raise ValueError(f"{name} input dtype ({input.dtype}) does not match weight dtype ({w.dtype}). Convert "
                             f"input: input.to({w.dtype}), or convert model: model.to({input.dtype})")
        unbatched = input.dim() == 2
        if unbatched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        if input.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        return input, unbatched

    def _state_shape(self, batch, size):
        return (self.num_layers * (2 if self.bidirectional else 1), batch, size)

    def _check_hidden(self, hx, shape, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != shape:
            raise RuntimeError(msg.format(shape, list(hx.shape)))

    def _run(self, x, states, step):
        """Run every layer and direction over ``x`` (L, N, H_in).

        ``states`` is a tuple of (D*layers, N, *) tensors (h, or h and c);
        ``step(gi_t, state_tuple, w_hh, b_hh, w_hr)`` returns the new state
        tuple, whose first entry is the step's output. Returns the output and
        the final states stacked as (D*layers, N, *).
        """
        num_dir = 2 if self.bidirectional else 1
        per = len(self._flat_weights_names) // (self.num_layers * num_dir)
        finals = [[] for _ in states]
        states = [s.unbind(0) for s in states]
        for layer in range(self.num_layers):
            outs = []
            for d in range(num_dir):
                k = layer * num_dir + d
                weights = [getattr(self, n) for n in self._flat_weights_names[k * per:(k + 1) * per]]
                out, last = self._run_direction(x, tuple(s[k] for s in states), weights, step, reverse=d == 1)
                outs.append(out)
                for f, s in zip(finals, last):
                    f.append(s)
            x = outs[0] if num_dir == 1 else cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True)
        return x, tuple(stack(f, 0) for f in finals)

    def _run_direction(self, x, state, weights, step, reverse):
        """One layer in one direction: the input GEMM for all steps, then one hidden GEMM per step."""
        w_ih, w_hh = weights[0], weights[1]
        b_ih, b_hh = (weights[2], weights[3]) if self.bias else (None, None)
        w_hr = weights[-1] if self.proj_size else None
        if b_ih is not None and self.mode != 'GRU':
            # GRU keeps b_hh apart (it sits inside r * (...)); the others fold it into the input GEMM.
            b_ih, b_hh = b_ih + b_hh, None
        gi = F.linear(x, w_ih, b_ih).unbind(0)  # one node for all steps (indexing gi[t] would pad each grad)
        steps = range(len(gi) - 1, -1, -1) if reverse else range(len(gi))
        outs = [None] * len(gi)
        for t in steps:
            state = step(gi[t], state, w_hh, b_hh, w_hr)
            outs[t] = state[0]
        return stack(outs, 0), state

    def _forward_h(self, input, hx, name, dim_word, step):
        """Forward of the single-state layers (RNN, GRU): ``step(gi, h, W_hh, b_hh)`` is the cell."""
        x, unbatched = self._prepare(input, name, dim_word)
        shape = self._state_shape(x.shape[1], self.hidden_size)
        if hx is None:
            hx = creation.zeros(*shape, dtype=x.dtype, device=x.device)
        else:
            if hx.dim() != (2 if unbatched else 3):
                kind = "unbatched 2-D" if unbatched else "batched 3-D"
                raise RuntimeError(f"For {kind} input, hx should also be {kind[-3:]} but got {_dims(hx)} tensor")
            hx = hx.unsqueeze(1) if unbatched else hx
            self._check_hidden(hx, shape)
        out, (h_n,) = self._run(x, (hx,), lambda gi, s, w, b, _: (step(gi, s[0], w, b),))
        return self._finish(out, unbatched), (h_n.squeeze(1) if unbatched else h_n)

    def _finish(self, output, unbatched):
        if unbatched:
            return output.squeeze(1)
        return output.transpose(0, 1) if self.batch_first else output


class RNN(RNNBase):
    r"""Elman RNN: :math:`h_t = \tanh(x_t W_{ih}^T + b_{ih} + h_{t-1} W_{hh}^T + b_{hh})` (or ReLU).

    Args:
        input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
        dropout=0.0, bidirectional=False.

    Shape:
        input ``(L, N, H_in)`` (``(N, L, H_in)`` if batch_first, or unbatched ``(L, H_in)``), h_0
        ``(D*num_layers, N, H_out)``; returns ``(output, h_n)`` with output ``(L, N, D*H_out)``.
    """

    def __init__(self, *args, **kwargs):
        nonlinearity = kwargs.pop('nonlinearity', 'tanh')
        if len(args) > 3:  # torch's positional order: input_size, hidden_size, num_layers, nonlinearity, ...
            nonlinearity, args = args[3], args[:3] + args[4:]
        if nonlinearity not in ('tanh', 'relu'):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__('RNN_TANH' if nonlinearity == 'tanh' else 'RNN_RELU', *args, **kwargs)

    def extra_repr(self):
        s = super().extra_repr()
        return s + f", nonlinearity={self.nonlinearity}" if self.nonlinearity != 'tanh' else s

    def forward(self, input, hx=None):
        """Run the sequence; returns ``(output, h_n)``."""
        relu = self.nonlinearity == 'relu'
        return self._forward_h(input, hx, 'RNN', ' tensor', lambda gi, h, w, b: _rnn_step(gi, h, w, b, relu))


class LSTM(RNNBase):
    r"""Long short-term memory: gates :math:`i, f, g, o` from :math:`x_t W_{ih}^T + h_{t-1} W_{hh}^T + b`;
    :math:`c_t = f c_{t-1} + i g`, :math:`h_t = o \tanh(c_t)` (projected by ``W_hr`` when proj_size > 0).

    Shape:
        as RNN, with states ``(h_0, c_0)``; h has size proj_size when set, c always hidden_size.
        Returns ``(output, (h_n, c_n))``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__('LSTM', *args, **kwargs)

    def forward(self, input, hx=None):
        """Run the sequence; returns ``(output, (h_n, c_n))``."""
        x, unbatched = self._prepare(input, 'LSTM', '')
        h_shape = self._state_shape(x.shape[1], self.proj_size or self.hidden_size)
        c_shape = self._state_shape(x.shape[1], self.hidden_size)
        if hx is None:
            h0 = creation.zeros(*h_shape, dtype=x.dtype, device=x.device)
            c0 = creation.zeros(*c_shape, dtype=x.dtype, device=x.device)
        else:
            h0, c0 = hx
            want = 2 if unbatched else 3
            if h0.dim() != want or c0.dim() != want:
                kind = "unbatched 2-D" if unbatched else "batched 3-D"
                raise RuntimeError(f"For {kind} input, hx and cx should also be {kind[-3:]} but got "
                                   f"({_dims(h0)}, {_dims(c0)}) tensors")
            if unbatched:
                h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
            self._check_hidden(h0, h_shape, "Expected hidden[0] size {}, got {}")
            self._check_hidden(c0, c_shape, "Expected hidden[1] size {}, got {}")
        out, (h_n, c_n) = self._run(x, (h0, c0), lambda gi, s, w, b, hr: _lstm_step(gi, s[0], s[1], w, b, hr))
        if unbatched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return self._finish(out, unbatched), (h_n, c_n)


class GRU(RNNBase):
    r"""Gated recurrent unit: :math:`r, z = \sigma(\cdot)`,
    :math:`n = \tanh(W_{in} x + b_{in} + r (W_{hn} h + b_{hn}))`, :math:`h' = (1 - z) n + z h`.

    Shape:
        as RNN; returns ``(output, h_n)``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__('GRU', *args, **kwargs)

    def forward(self, input, hx=None):
        """Run the sequence; returns ``(output, h_n)``."""
        return self._forward_h(input, hx, 'GRU', '', _gru_step)


class RNNCellBase(Module):
    """Parameters and input checks shared by RNNCell, LSTMCell and GRUCell."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        factory = {'device': device, 'dtype': dtype}
        self.weight_ih = Parameter(creation.empty(num_chunks * hidden_size, input_size, **factory))
        self.weight_hh = Parameter(creation.empty(num_chunks * hidden_size, hidden_size, **factory))
        if bias:
            self.bias_ih = Parameter(creation.empty(num_chunks * hidden_size, **factory))
            self.bias_hh = Parameter(creation.empty(num_chunks * hidden_size, **factory))
        else:
            self.register_parameter('bias_ih', None)
            self.register_parameter('bias_hh', None)
        self.reset_parameters()

    reset_parameters = RNNBase.reset_parameters

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, 'nonlinearity', 'tanh') != 'tanh':
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input, states):
        """Check shapes; return the 2-D input projection, 2-D states and whether the input was 1-D."""
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for h in states:
            if h is not None and h.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {h.dim()}D instead")
        unbatched = input.dim() == 1
        if unbatched:
            input = input.unsqueeze(0)
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} expected {self.input_size}")
        out = []
        for i, h in enumerate(states):
            if h is None:
                h = creation.zeros(input.shape[0], self.hidden_size, dtype=input.dtype, device=input.device)
            elif unbatched:
                h = h.unsqueeze(0)
            if h.shape[0] != input.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{i} batch size "
                                   f"{h.shape[0]}")
            if h.shape[-1] != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.shape[-1]}, expected "
                                   f"{self.hidden_size}")
            out.append(h)
        return F.linear(input, self.weight_ih, self.bias_ih), out, unbatched


class RNNCell(RNNCellBase):
    r"""One Elman RNN step: :math:`h' = \tanh(x W_{ih}^T + b_{ih} + h W_{hh}^T + b_{hh})` (or ReLU).

    Shape:
        input ``(N, H_in)`` or ``(H_in,)``, hidden ``(N, H)`` or ``(H,)`` (zeros when omitted) -> ``h'``.
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        """The next hidden state."""
        if self.nonlinearity not in ('tanh', 'relu'):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        gi, (h,), unbatched = self._prepare(input, (hx,))
        h = _rnn_step(gi, h, self.weight_hh, self.bias_hh, self.nonlinearity == 'relu')
        return h.squeeze(0) if unbatched else h


class LSTMCell(RNNCellBase):
    r"""One LSTM step (gates i, f, g, o): :math:`c' = f c + i g`, :math:`h' = o \tanh(c')`.

    Shape:
        input ``(N, H_in)`` or ``(H_in,)``, ``hx = (h, c)`` each ``(N, H)`` (zeros when omitted) -> ``(h', c')``.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        """The next ``(h, c)``."""
        gi, (h, c), unbatched = self._prepare(input, (None, None) if hx is None else tuple(hx))
        h, c = _lstm_step(gi, h, c, self.weight_hh, self.bias_hh)
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)


class GRUCell(RNNCellBase):
    r"""One GRU step: :math:`n = \tanh(W_{in} x + b_{in} + r (W_{hn} h + b_{hn}))`, :math:`h' = (1 - z) n + z h`.

    Shape:
        input ``(N, H_in)`` or ``(H_in,)``, hidden ``(N, H)`` or ``(H,)`` (zeros when omitted) -> ``h'``.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        """The next hidden state."""
        gi, (h,), unbatched = self._prepare(input, (hx,))
        h = _gru_step(gi, h, self.weight_hh, self.bias_hh)
        return h.squeeze(0) if unbatched else h
