"""Random numbers: Generator, manual_seed, rand, randn, randint, randperm, normal, bernoulli...

ember draws from NumPy's PCG64, not torch's Mersenne Twister, so a seed gives
reproducible streams within ember but not torch's exact numbers.
"""
import contextlib
import json

import numpy as np

from . import backend, dtypes
from .device import resolve
from .tensor import Tensor


class Generator:
    """A source of random numbers with its own state, passed as ``generator=``."""

    def __init__(self, device='cpu'):
        self.device = resolve(device)
        self._seed = 67280421310721  # torch's default seed
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed):
        """Reset the state from ``seed``; returns the generator."""
        seed = int(seed)
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed & 0xFFFFFFFFFFFFFFFF))
        return self

    def seed(self):
        """Reseed from the operating system's entropy and return the new seed."""
        s = int(np.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self):
        """The seed last set."""
        return self._seed

    def get_state(self):
        """The state as a uint8 tensor (restorable with ``set_state``)."""
        state = json.dumps({'seed': self._seed, 'bit': self._rng.bit_generator.state}).encode()
        return Tensor._make(np.frombuffer(state, dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state returned by ``get_state``."""
        if not isinstance(new_state, Tensor) or new_state.dtype is not dtypes.uint8:
            raise TypeError(f"expected a ember.ByteTensor as the RNG state, but got {type(new_state).__name__}")
        state = json.loads(bytes(backend.to_numpy(new_state._data)).decode())
        self._seed = state['seed']
        self._rng.bit_generator.state = state['bit']
        return self


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator (and every worker's derived seeds)."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed the default generator non-deterministically."""
    return default_generator.seed()


def initial_seed():
    """The default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the default generator's state."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, device_type='cuda'):
    """Within the block, random draws do not affect the default generator's stream afterwards."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def _rng(generator):
    return (generator or default_generator)._rng


def _size(size):
    from .creation import _size as norm
    return norm(size)


def _size_kw(size, kwargs, op):
    from .creation import _size_kw as norm
    return norm(size, kwargs, op)


def _make(arr, dtype, device, requires_grad):
    dtype = dtypes.to_dtype(dtype) if dtype is not None else dtypes.get_default_dtype()
    arr = backend.to_device_array(np.asarray(arr).astype(dtype.np, copy=False), resolve(device))
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None, **kwargs):
    """Uniform samples in [0, 1)."""
    size = _size(_size_kw(size, kwargs, 'rand'))
    return _make(_rng(generator).random(size), dtype, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None, **kwargs):
    """Standard normal samples."""
    size = _size(_size_kw(size, kwargs, 'randn'))
    return _make(_rng(generator).standard_normal(size), dtype, device, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Integers uniform in [low, high); int64 by default."""
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required positional argument: 'size'")
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return _make(_rng(generator).integers(low, high, _size((size,))), dtype or dtypes.int64, device,
                 requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0..n-1 (int64)."""
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    return _make(_rng(generator).permutation(n), dtype or dtypes.int64, device, requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False,
           out=None):
    """Normal samples; mean and std may each be a number or a tensor (broadcast)."""
    m_t, s_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if s_t and bool((std._data < 0).any()) or not s_t and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std if not s_t else std.min().item()}")
    if not m_t and not s_t:
        if size is None:
            raise TypeError("normal() needs a size when mean and std are numbers")
        return _make(_rng(generator).normal(mean, std, _size((size,))), dtype, device, requires_grad)
    ref = mean if m_t else std
    m = mean._data if m_t else mean
    s = std._data if s_t else std
    shape = np.broadcast_shapes(np.shape(backend.to_numpy(m)), np.shape(backend.to_numpy(s)))
    sample = _rng(generator).standard_normal(shape) * backend.to_numpy(s) + backend.to_numpy(m)
    return _make(sample, ref.dtype, ref.device, False)


def bernoulli(input, p=None, *, generator=None):
    """1 with probability ``input`` (or ``p``), else 0; same shape and dtype as input."""
    probs = backend.to_numpy(input._data) if p is None else p
    if np.any((np.asarray(probs) < 0) | (np.asarray(probs) > 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    draw = _rng(generator).random(input.shape) < probs
    return _make(draw, input.dtype, input.device, False)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices sampled from the rows of ``input`` (non-negative weights, not necessarily normalised)."""
    w = backend.to_numpy(input._data).astype(np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim, but got {w.ndim}")
    rows = w.reshape(-1, w.shape[-1])
    k, n = rows.shape
    if (rows < 0).any() or not np.isfinite(rows).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if (rows.sum(1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > n:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    rng = _rng(generator)
    if replacement:
        # One searchsorted over all rows: row r's CDF is shifted by r so that rows do not overlap.
        cdf = np.cumsum(rows / rows.sum(1, keepdims=True), axis=1) + np.arange(k)[:, None]
        u = rng.random((k, num_samples)) + np.arange(k)[:, None]
        out = np.searchsorted(cdf.ravel(), u.ravel(), side='right').reshape(k, num_samples)
        out = np.minimum(out - np.arange(k)[:, None] * n, n - 1)
    else:
        # Gumbel top-k: sorting log(w) + Gumbel noise draws without replacement; zero weights come last.
        with np.errstate(divide='ignore'):
            keys = np.log(rows) - np.log(-np.log(rng.random(rows.shape)))
        out = np.argsort(-keys, axis=1, kind='stable')[:, :num_samples]
    return _make(out.reshape(w.shape[:-1] + (num_samples,)), dtypes.int64, input.device, False)


def _like(fn):
    from .creation import _like as like
    return like(fn)


rand_like = _like(rand)
randn_like = _like(randn)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False, generator=None):
    """``randint`` with ``input``'s shape, dtype and device."""
    return randint(low, high, input.shape, generator=generator, dtype=dtype or input.dtype,
                   device=device or input.device)


# ---- in-place samplers (Tensor methods) ------------------------------------------------------

def _fill(self, sample, name):
    """Write ``sample`` (an ndarray of self's shape) into self: no graph, version bumped."""
    from .ops import inplace
    inplace.check_leaf(self)
    arr = backend.to_device_array(np.asarray(sample), self.device)
    self._data[...] = arr.astype(self._data.dtype, copy=False)
    self._version[0] += 1
    return self


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fill with samples uniform in [a, b)."""
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}")
    return _fill(self, _rng(generator).uniform(a, b, self.shape), 'uniform_')


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with samples from N(mean, std**2)."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _fill(self, _rng(generator).normal(mean, std, self.shape), 'normal_')


def random_(self, from_=0, to=None, *, generator=None):
    """Fill with integers uniform in [from, to) (``random_(to)`` means [0, to); no bounds: the dtype's range)."""
    if to is None:
        if from_ == 0:
            info = np.iinfo(self._data.dtype) if self._data.dtype.kind in 'iu' else None
            to = info.max + 1 if info is not None else 2 ** np.finfo(self._data.dtype).nmant + 1
        else:
            from_, to = 0, from_
    if from_ >= to:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} >= to={to}")
    return _fill(self, _rng(generator).integers(from_, to, self.shape), 'random_')


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 with probability ``p`` (a number or a tensor), else 0."""
    probs = backend.to_numpy(p._data) if isinstance(p, Tensor) else p
    if np.any((np.asarray(probs) < 0) | (np.asarray(probs) > 1)):
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return _fill(self, _rng(generator).random(self.shape) < probs, 'bernoulli_')


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with samples from the exponential distribution of rate ``lambd``."""
    if lambd <= 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return _fill(self, _rng(generator).exponential(1.0 / lambd, self.shape), 'exponential_')


def geometric_(self, p, *, generator=None):
    """Fill with the number of Bernoulli(p) trials up to the first success."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    return _fill(self, _rng(generator).geometric(p, self.shape), 'geometric_')


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with ``exp`` of samples from N(mean, std**2)."""
    if std <= 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    return _fill(self, _rng(generator).lognormal(mean, std, self.shape), 'log_normal_')


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with samples from the Cauchy distribution."""
    return _fill(self, median + sigma * _rng(generator).standard_cauchy(self.shape), 'cauchy_')


TENSOR_METHODS = ('uniform_', 'normal_', 'random_', 'bernoulli_', 'exponential_', 'geometric_', 'log_normal_',
                  'cauchy_', 'bernoulli', 'multinomial')
