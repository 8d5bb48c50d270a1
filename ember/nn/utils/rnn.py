"""Variable-length sequences for the recurrent layers: ``PackedSequence`` and the pack/pad helpers.

A packed batch stores the sequences time step by time step, longest
first: step t holds ``batch_sizes[t]`` rows, one per sequence still running.

Example::

    >>> packed = pack_padded_sequence(ember.zeros(3, 2, 1), [3, 1])
    >>> packed.batch_sizes
    tensor([2, 1, 1])
"""
from collections import namedtuple

import numpy as np

from ... import creation
from ...ops.joining import cat, stack
from ...tensor import Tensor

__all__ = ['PackedSequence', 'invert_permutation', 'pack_padded_sequence', 'pad_packed_sequence', 'pad_sequence',
           'unpad_sequence', 'pack_sequence', 'unpack_sequence']


class PackedSequence(namedtuple('PackedSequence_', ['data', 'batch_sizes', 'sorted_indices', 'unsorted_indices'])):
    """The data of a packed batch, its per-step batch sizes, and the permutation that sorted it by length."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """The same packing with ``data`` converted (batch sizes stay int64 on the CPU)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        move = (lambda t: t.to(device=data.device)) if data.device != self.data.device else (lambda t: t)
        idx = [None if t is None else move(t) for t in (self.sorted_indices, self.unsorted_indices)]
        return type(self)(data, self.batch_sizes, *idx)

    def float(self):
        """The same packing with float32 data."""
        return self._replace(data=self.data.float())

    def double(self):
        """The same packing with float64 data."""
        return self._replace(data=self.data.double())

    @property
    def is_cuda(self):
        """Whether the data lives on a GPU."""
        return self.data.is_cuda


def invert_permutation(permutation):
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    perm = _lengths_array(permutation)  # on the host, like batch_sizes
    out = np.empty_like(perm)
    out[perm] = np.arange(perm.size, dtype=perm.dtype)
    return creation.tensor(out, device=permutation.device)


def _lengths_array(lengths):
    data = lengths._data if isinstance(lengths, Tensor) else lengths
    return np.asarray(data.get() if hasattr(data, 'get') else data, dtype=np.int64).reshape(-1)


def _packed_rows(lengths, batch):
    """Flat row indices, into a (T*N, ...) view, of the packed layout's rows; and the batch sizes."""
    T = int(lengths.max()) if lengths.size else 0
    batch_sizes = (lengths[None, :] > np.arange(T)[:, None]).sum(1)
    rows = np.concatenate([t * batch + np.arange(b) for t, b in enumerate(batch_sizes)])
    return rows, batch_sizes


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch ``(T, N, *)`` (``(N, T, *)`` if batch_first) of sequences of the given lengths."""
    lens = _lengths_array(lengths)
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                               "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                               "pack_sequence to sidestep this requirement if you do not need ONNX exportability.")
        sorted_indices = None
    else:
        order = np.argsort(-lens, kind='stable')
        lens = lens[order]
        sorted_indices = creation.tensor(order)
        input = input.index_select(0 if batch_first else 1, sorted_indices.to(device=input.device))
    if lens.size and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if batch_first:
        input = input.transpose(0, 1)
    T, N = input.shape[0], input.shape[1]
    if lens.size and lens.max() > T:
        raise RuntimeError(f"Expected sequence lengths to be at most {T}, but got {int(lens.max())}")
    rows, batch_sizes = _packed_rows(lens, N)
    flat = input.reshape(T * N, *input.shape[2:])
    index = creation.tensor(rows, device=input.device)
    return PackedSequence(flat[index], creation.tensor(batch_sizes.astype(np.int64)), sorted_indices)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo ``pack_padded_sequence``: ``(padded, lengths)``, the batch back in its original order."""
    data, batch_sizes = sequence.data, _lengths_array(sequence.batch_sizes)
    N, T = int(batch_sizes[0]), len(batch_sizes)
    if total_length is not None:
        if total_length < T:
            raise ValueError(f"Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {T}")
        T_out = total_length
    else:
        T_out = T
    lengths = (batch_sizes[None, :] > np.arange(N)[:, None]).sum(1)
    rows, _ = _packed_rows(lengths, N)
    base = creation.full((T_out * N, *data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    padded = base.index_put((creation.tensor(rows, device=data.device),), data)
    padded = padded.reshape(T_out, N, *data.shape[1:])
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices.to(device=data.device))
        lengths = lengths[_lengths_array(sequence.unsorted_indices)]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, creation.tensor(lengths.astype(np.int64))


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side='right'):
    """Stack sequences of shapes ``(L_i, *)`` into ``(max L, N, *)`` (``(N, max L, *)`` if batch_first)."""
    if padding_side not in ('left', 'right'):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        gap = longest - s.shape[0]
        if gap:
            fill = creation.full((gap, *s.shape[1:]), padding_value, dtype=s.dtype, device=s.device)
            s = cat([s, fill] if padding_side == 'right' else [fill, s], 0)
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences, each cut to its length, from a padded batch."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(n)] for seq, n in zip(padded_sequences, _lengths_array(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of sequences of shapes ``(L_i, *)``."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences in a PackedSequence, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
