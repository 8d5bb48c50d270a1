"""nn.utils.rnn (pack/pad helpers) and the recurrent layers on PackedSequence inputs, against torch."""
import numpy as np
import pytest

import ember
from tests.oracle import assert_same, randn, requires_torch, to_ember, torch


def utils(lib):
    return lib.nn.utils.rnn


@requires_torch
@pytest.mark.parametrize('batch_first', [False, True])
@pytest.mark.parametrize('lengths, enforce_sorted', [([4, 3, 1], True), ([1, 4, 3], False), ([2, 2, 2], True)])
def test_pack_and_pad_round_trip(batch_first, lengths, enforce_sorted):
    x = randn(*((3, 4, 2) if batch_first else (4, 3, 2)), dtype=np.float64)
    res = []
    for lib in (torch, ember):
        xs = lib.from_numpy(x.copy()).requires_grad_()
        packed = utils(lib).pack_padded_sequence(xs, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
        padded, lens = utils(lib).pad_packed_sequence(packed, batch_first=batch_first, padding_value=-1.0,
                                                      total_length=5)
        (padded * padded).sum().backward()
        res.append((packed.data, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices, padded, lens,
                    xs.grad))
    assert_same(res[1], res[0])


@requires_torch
def test_pad_sequence_pack_sequence_and_unpack():
    seqs = [randn(3, 2, seed=1), randn(1, 2, seed=2), randn(4, 2, seed=3)]
    for kwargs in (dict(), dict(batch_first=True, padding_value=2.0), dict(padding_side='left')):
        assert_same(utils(ember).pad_sequence([to_ember(s) for s in seqs], **kwargs),
                    utils(torch).pad_sequence([torch.from_numpy(s) for s in seqs], **kwargs))
    e_packed = utils(ember).pack_sequence([to_ember(s) for s in seqs], enforce_sorted=False)
    t_packed = utils(torch).pack_sequence([torch.from_numpy(s) for s in seqs], enforce_sorted=False)
    assert_same(tuple(e_packed), tuple(t_packed))
    assert_same(utils(ember).unpack_sequence(e_packed), utils(torch).unpack_sequence(t_packed))
    assert isinstance(e_packed.double().data, ember.Tensor) and e_packed.double().data.dtype == ember.float64


@requires_torch
def test_packing_errors():
    x = ember.zeros(4, 3, 2)
    with pytest.raises(RuntimeError, match='sorted in decreasing order'):
        utils(ember).pack_padded_sequence(x, [2, 4, 3])
    with pytest.raises(RuntimeError, match='greater than 0'):
        utils(ember).pack_padded_sequence(x, [4, 0, 3], enforce_sorted=False)
    packed = utils(ember).pack_padded_sequence(x, [4, 3, 2])
    with pytest.raises(ValueError, match='total_length'):
        utils(ember).pad_packed_sequence(packed, total_length=2)


def _run(lib, mod, x, lengths, states, batch_first, enforce_sorted, lstm):
    xs = lib.from_numpy(x.copy()).requires_grad_()
    st = [lib.from_numpy(s.copy()).requires_grad_() for s in states]
    hx = (tuple(st) if lstm else st[0]) if st else None
    packed = utils(lib).pack_padded_sequence(xs, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    out, h_n = mod(packed, hx)
    assert isinstance(out, utils(lib).PackedSequence)
    padded, _ = utils(lib).pad_packed_sequence(out, batch_first=batch_first)
    outs = [padded] + (list(h_n) if lstm else [h_n])
    sum((o * o * (i + 1)).sum() for i, o in enumerate(outs)).backward()
    return outs, [xs.grad] + [s.grad for s in st], [p.grad for p in mod.parameters()]


@requires_torch
@pytest.mark.parametrize('name', ['RNN', 'LSTM', 'GRU'])
@pytest.mark.parametrize('config, enforce_sorted, with_state', [
    (dict(), True, False),
    (dict(num_layers=2, bidirectional=True), False, True),
    (dict(batch_first=True, bidirectional=True), False, False),
])
def test_layers_on_packed_input(name, config, enforce_sorted, with_state):
    torch.manual_seed(0)
    t_mod = getattr(torch.nn, name)(3, 4, **config).double()
    e_mod = getattr(ember.nn, name)(3, 4, **config).double()
    e_mod.load_state_dict({k: to_ember(v) for k, v in t_mod.state_dict().items()})
    bf = config.get('batch_first', False)
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    x = randn(*((4, 5, 3) if bf else (5, 4, 3)), dtype=np.float64)
    d = config.get('num_layers', 1) * (2 if config.get('bidirectional') else 1)
    states = [randn(d, 4, 4, seed=s, dtype=np.float64) for s in ((1, 2) if name == 'LSTM' else (1,))]
    states = states if with_state else []
    args = (x, lengths, states, bf, enforce_sorted, name == 'LSTM')
    assert_same(_run(ember, e_mod, *args), _run(torch, t_mod, *args), atol=1e-9, rtol=1e-7)
