"""Recurrent layers: RNN, LSTM, GRU and their single-step Cell forms.

The input projections of all time steps are one GEMM before the loop; each
step is then one GEMM of the hidden state with all gates' weights (the cell
arithmetic lives in ``nn/_functional/rnn.py``). The loop over time is
inherent to recurrence. Inputs may be padded tensors or ``PackedSequence``.
"""
import math
import numbers
import warnings

from ... import creation
from ...ops.joining import cat, stack
from .. import functional as F
from .. import init
from .._functional.rnn import collect, gru_step, lstm_step, rnn_step, run_direction
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence

__all__ = ('RNNBase', 'RNN', 'LSTM', 'GRU', 'RNNCellBase', 'RNNCell', 'LSTMCell', 'GRUCell')

_GATES = {'RNN_TANH': 1, 'RNN_RELU': 1, 'LSTM': 4, 'GRU': 3}


def _check_positive_int(name, value):
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be greater than zero")


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
    def _flat_weights(self):
        """The parameters in registration order (torch keeps this list for cuDNN)."""
        return [getattr(self, n) for n in self._flat_weights_names]

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
        """Check the input; return it as (L, N, H_in) or packed rows, with the batch layout."""
        packed = input if isinstance(input, PackedSequence) else None
        if packed is not None:
            input, batch_sizes = packed.data, [int(b) for b in packed.batch_sizes.tolist()]
            if input.dim() != 2:
                raise RuntimeError(f"input must have 2 dimensions, got {input.dim()}")
        elif input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{dim_word} instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.shape[-1]}")
        w = self.weight_ih_l0
        if input.dtype != w.dtype:
            raise ValueError(f"{name} input dtype ({input.dtype}) does not match weight dtype ({w.dtype}). Convert "
                             f"input: input.to({w.dtype}), or convert model: model.to({input.dtype})")
        if packed is not None:
            return input, batch_sizes, batch_sizes[0], False, packed
        unbatched = input.dim() == 2
        if unbatched:
            input = input.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        if input.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        return input, None, input.shape[1], unbatched, None

    def _initial_states(self, hx, sizes, batch, unbatched, packed, like):
        """The initial states as (D*layers, N, size) tensors: zeros, or ``hx`` checked and reordered."""
        num = self.num_layers * (2 if self.bidirectional else 1)
        shapes = [(num, batch, size) for size in sizes]
        if hx is None:
            return [creation.zeros(*shape, dtype=like.dtype, device=like.device) for shape in shapes]
        states = list(hx) if len(sizes) > 1 else [hx]
        want = 2 if unbatched else 3
        if any(h.dim() != want for h in states):
            kind = "unbatched 2-D" if unbatched else "batched 3-D"
            if len(sizes) > 1:
                got = ', '.join(f"{h.dim()}-D" for h in states)
                raise RuntimeError(f"For {kind} input, hx and cx should also be {kind[-3:]} but got ({got}) tensors")
            raise RuntimeError(f"For {kind} input, hx should also be {kind[-3:]} but got {states[0].dim()}-D tensor")
        if unbatched:
            states = [h.unsqueeze(1) for h in states]
        if packed is not None and packed.sorted_indices is not None:
            states = [h.index_select(1, packed.sorted_indices.to(device=h.device)) for h in states]
        for i, (h, shape) in enumerate(zip(states, shapes)):
            if tuple(h.shape) != shape:
                what = f"hidden[{i}] size" if len(sizes) > 1 else "hidden size"
                raise RuntimeError(f"Expected {what} {shape}, got {list(h.shape)}")
        return states

    def _forward(self, input, hx, name, dim_word, sizes, step):
        """The whole forward: checks, every layer and direction, outputs in the input's layout."""
        x, batch_sizes, batch, unbatched, packed = self._prepare(input, name, dim_word)
        states = self._initial_states(hx, sizes, batch, unbatched, packed, x)
        out, finals = self._run(x, states, batch_sizes, step)
        if packed is not None:
            if packed.unsorted_indices is not None:
                finals = [f.index_select(1, packed.unsorted_indices.to(device=f.device)) for f in finals]
            out = PackedSequence(out, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices)
        elif unbatched:
            out, finals = out.squeeze(1), [f.squeeze(1) for f in finals]
        elif self.batch_first:
            out = out.transpose(0, 1)
        return out, (tuple(finals) if len(finals) > 1 else finals[0])

    def _run(self, x, states, batch_sizes, step):
        """Run every layer and direction over ``x`` ((L, N, H_in), or packed rows with ``batch_sizes``).

        ``step(gi_t, states, weights)`` returns the new state tuple, whose first
        entry is the step's output. Returns the output (in x's layout) and
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
                gi, weights = self._input_projection(x, weights, batch_sizes)
                steps, last = run_direction(gi, batch_sizes, tuple(s[k] for s in states),
                                            lambda g, st: step(g, st, *weights), reverse=d == 1)
                outs.append(collect(steps, batch_sizes is not None))
                for f, s in zip(finals, last):
                    f.append(s)
            x = outs[0] if num_dir == 1 else cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True)
        return x, [stack(f, 0) for f in finals]

    def _input_projection(self, x, weights, batch_sizes):
        """All steps' ``x @ W_ih.T + b`` in one GEMM, split per step; and the weights each step needs."""
        w_ih, w_hh = weights[0], weights[1]
        b_ih, b_hh = (weights[2], weights[3]) if self.bias else (None, None)
        w_hr = weights[-1] if self.proj_size else None
        if b_ih is not None and self.mode != 'GRU':
            # GRU keeps b_hh apart (it sits inside r * (...)); the others fold it into the input GEMM.
            b_ih, b_hh = b_ih + b_hh, None
        gi = F.linear(x, w_ih, b_ih)
        # one node for all steps (indexing gi[t] would zero-pad each step's gradient)
        gi = gi.split(batch_sizes, 0) if batch_sizes is not None else gi.unbind(0)
        return gi, (w_hh, b_hh, w_hr)


class RNN(RNNBase):
    r"""Elman RNN: :math:`h_t = \tanh(x_t W_{ih}^T + b_{ih} + h_{t-1} W_{hh}^T + b_{hh})` (or ReLU).

    Args:
        input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
        dropout=0.0, bidirectional=False.

    Shape:
        input ``(L, N, H_in)`` (``(N, L, H_in)`` if batch_first, unbatched ``(L, H_in)``, or a
        ``PackedSequence``), h_0 ``(D*num_layers, N, H_out)``; returns ``(output, h_n)`` with output
        ``(L, N, D*H_out)`` (a ``PackedSequence`` for packed input) and h_n each sequence's last state.
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
        return self._forward(input, hx, 'RNN', ' tensor', [self.hidden_size],
                             lambda gi, s, w, b, _: (rnn_step(gi, s[0], w, b, relu),))


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
        return self._forward(input, hx, 'LSTM', '', [self.proj_size or self.hidden_size, self.hidden_size],
                             lambda gi, s, w, b, hr: lstm_step(gi, s[0], s[1], w, b, hr))


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
        return self._forward(input, hx, 'GRU', '', [self.hidden_size],
                             lambda gi, s, w, b, _: (gru_step(gi, s[0], w, b),))


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
        h = rnn_step(gi, h, self.weight_hh, self.bias_hh, self.nonlinearity == 'relu')
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
        h, c = lstm_step(gi, h, c, self.weight_hh, self.bias_hh)
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
        h = gru_step(gi, h, self.weight_hh, self.bias_hh)
        return h.squeeze(0) if unbatched else h
