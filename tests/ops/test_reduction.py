"""Reductions against torch: values, dtypes, keepdim, named tuples, 1st/2nd gradients, gradcheck."""
import math

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, gradgradcheck
from tests.oracle import compare, compare_raises, randn, requires_torch, torch

X = randn(3, 4, 5)
SMALL = randn(3, 4, seed=1, dtype=np.float64)
TIES = np.array([[1., 3., 3.], [2., 2., 0.]], dtype=np.float32)

SMOOTH = {
    'sum': lambda x: x.sum(), 'sum_dim': lambda x: x.sum(1), 'sum_dims_keep': lambda x: x.sum((0, -1), keepdim=True),
    'mean': lambda x: x.mean(), 'mean_dim': lambda x: x.mean(-1, keepdim=True), 'mean_dims': lambda x: x.mean([0, 2]),
    'prod': lambda x: x.prod(), 'prod_dim': lambda x: x.prod(1), 'prod_keep': lambda x: x.prod(0, keepdim=True),
    'var': lambda x: x.var(), 'var_dim': lambda x: x.var(1), 'var_biased': lambda x: x.var(0, unbiased=False),
    'var_correction': lambda x: x.var(-1, correction=2, keepdim=True), 'std': lambda x: x.std(),
    'std_dim': lambda x: x.std(0, keepdim=True), 'std_biased': lambda x: x.std(unbiased=False),
    'logsumexp': lambda x: x.logsumexp(1), 'logsumexp_keep': lambda x: x.logsumexp((0, 1), keepdim=True),
    'norm': lambda x: x.norm(), 'norm_dim': lambda x: x.norm(dim=1), 'norm_1': lambda x: x.norm(p=1, dim=0),
    'norm_3': lambda x: x.norm(3, dim=-1, keepdim=True), 'norm_fro': lambda x: x.norm('fro'),
    'norm_inf': lambda x: x.norm(float('inf'), dim=1), 'cumsum': lambda x: x.cumsum(1),
    'cumsum_neg': lambda x: x.cumsum(-1), 'cumprod': lambda x: x.cumprod(0),
    'max': lambda x: x.max(), 'min': lambda x: x.min(), 'amax': lambda x: x.amax(1), 'amin': lambda x: x.amin((0, 2)),
    'max_dim': lambda x: x.max(1), 'min_dim': lambda x: x.min(-1, keepdim=True), 'median': lambda x: x.median(),
    'median_dim': lambda x: x.median(1), 'median_keep': lambda x: x.median(0, keepdim=True),
}


@requires_torch
@pytest.mark.parametrize('name', SMOOTH)
def test_reduction_values_and_grads(name):
    # torch's second derivative of |x| is a ZeroTensor, which the oracle cannot read (gradgradcheck covers it)
    compare(SMOOTH[name], X, second_order=name not in ('norm_1', 'norm_inf'), atol=1e-4)


@pytest.mark.parametrize('name', SMOOTH)
def test_reduction_gradcheck(name):
    x = ember.tensor(SMALL if 'dims' not in name and 'keep' not in name or name.startswith('max') else
                     randn(2, 3, 4, dtype=np.float64), requires_grad=True)
    fn = SMOOTH[name]
    if x.ndim == 2 and name in ('sum_dims_keep', 'mean_dims', 'amin', 'logsumexp_keep'):
        x = ember.tensor(randn(2, 3, 4, dtype=np.float64), requires_grad=True)
    out = lambda t: fn(t)[0] if isinstance(fn(t), tuple) else fn(t)
    assert gradcheck(out, (x,))
    assert gradgradcheck(out, (x,))


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda x: x.max(), lambda x: x.amax(1), lambda x: x.amax(), lambda x: x.min(1), lambda x: x.max(1),
    lambda x: x.median(), lambda x: x.amin(), lambda x: x.norm(float('inf')),
])
def test_ties_share_or_pick_as_torch(fn):
    compare(fn, TIES)


@requires_torch
def test_named_tuples():
    for op in ('max', 'min', 'median'):
        e, t = compare(lambda x: getattr(x, op)(dim=1), X)
        assert type(e).__name__ == op and e.values is e[0] and e.indices is e[1]
        values, indices = e
        assert indices.dtype == ember.int64
    e, _ = compare(lambda x: ember.max(x, 0) if isinstance(x, ember.Tensor) else torch.max(x, 0), X)
    assert repr(e).startswith('ember.return_types.max(')


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda x: x.argmax(), lambda x: x.argmin(), lambda x: x.argmax(1), lambda x: x.argmin(-1, keepdim=True),
    lambda x: x.argmax(dim=None, keepdim=True),
])
def test_argmax_argmin(fn):
    compare(fn, X)
    compare(fn, np.array([[3, 1, 3], [0, 5, 5]]))


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda x: x.sum(), lambda x: x.sum(0), lambda x: x.prod(), lambda x: x.cumsum(0), lambda x: x.cumprod(1),
    lambda x: x.max(), lambda x: x.amax(0), lambda x: x.min(1), lambda x: x.median(), lambda x: x.all(),
    lambda x: x.any(1), lambda x: x.count_nonzero(), lambda x: x.count_nonzero(0), lambda x: x.all(0, keepdim=True),
])
@pytest.mark.parametrize('data', [np.array([[1, 0, 3], [2, 2, -1]]), np.array([[1, 0, 3], [2, 2, 1]], dtype=np.int32),
                                  np.array([[True, False, True], [True, True, True]]),
                                  np.array([[1, 0, 3], [2, 2, 1]], dtype=np.uint8)])
def test_integer_and_bool_reductions(fn, data):
    if data.dtype == np.bool_ and 'median' in fn.__code__.co_names:
        compare_raises(fn, data)  # torch has no median for bool
    else:
        compare(fn, data)


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda x: x.sum(dtype=ember_or_torch(x).float64), lambda x: x.mean(dtype=ember_or_torch(x).float64),
    lambda x: x.cumsum(0, dtype=ember_or_torch(x).float32), lambda x: x.prod(dtype=ember_or_torch(x).int32),
])
def test_dtype_argument(fn):
    compare(fn, np.array([[1, 2], [3, 4]]))


def ember_or_torch(x):
    return ember if isinstance(x, ember.Tensor) else torch


@requires_torch
def test_reductions_with_zeros_in_prod_and_cumprod():
    z = np.array([[1., 0., 3.], [0., 2., 0.], [2., 3., 4.]], dtype=np.float32)
    compare(lambda x: x.prod(1), z)
    compare(lambda x: x.prod(), np.array([2., 0., 3.], dtype=np.float32))
    compare(lambda x: x.cumprod(1), z)
    compare(lambda x: x.cumprod(0), z)


def test_prod_cumprod_gradcheck_with_zeros():
    z = ember.tensor([[1., 0., 3.], [0., 2., 0.5], [2., 3., 4.]], dtype=ember.float64, requires_grad=True)
    assert gradcheck(lambda t: t.prod(1), (z,))
    assert gradcheck(lambda t: t.cumprod(1), (z,))
    assert gradcheck(lambda t: t.cumprod(0), (z,))


@requires_torch
def test_norm_and_std_at_zero_have_zero_gradient():
    zero = np.zeros((2, 3), dtype=np.float32)
    compare(lambda x: x.norm(), zero)
    compare(lambda x: x.norm(dim=1), zero)
    compare(lambda x: x.std(1), np.ones((2, 3), dtype=np.float32))


@requires_torch
def test_logsumexp_is_stable():
    big = np.array([[1000., 1000.], [-1000., -np.inf], [-np.inf, -np.inf]], dtype=np.float32)
    compare(lambda x: x.logsumexp(1), big)
    compare(lambda x: ember_or_torch(x).logsumexp(x, dim=1), np.array([[1, 2], [3, 4]]))


@requires_torch
def test_var_std_variants():
    compare(lambda x: x.var(1, True), X)
    compare(lambda x: x.std(False), X)
    compare(lambda x: ember_or_torch(x).var_mean(x, 1), X)
    compare(lambda x: ember_or_torch(x).std_mean(x, dim=0, correction=0), X)
    compare(lambda x: x.var(0), np.ones((1, 3), dtype=np.float32))  # n - correction = 0: nan as torch


@requires_torch
def test_zero_dim_inputs():
    s = np.array(2.5, dtype=np.float32)
    for fn in (lambda x: x.sum(), lambda x: x.sum(0), lambda x: x.max(0), lambda x: x.argmax(0),
               lambda x: x.cumsum(0), lambda x: x.prod(0), lambda x: x.mean(), lambda x: x.amax(0),
               lambda x: x.median(0), lambda x: x.logsumexp(0)):
        compare(fn, s)


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda x: x.sum(3), lambda x: x.mean(-4), lambda x: x.max(5), lambda x: x.sum((0, 0)),
    lambda x: x.long().mean(), lambda x: x.long().std(), lambda x: x.new_zeros(0).max(),
    lambda x: x.new_zeros(2, 0).max(1), lambda x: x.new_zeros(0).argmax(), lambda x: x.cumsum(3),
    lambda x: x.bool().argmax(),
])
def test_reduction_errors(fn):
    e = compare_raises(fn, X)
    assert 'numpy' not in str(e).lower() and 'axis' not in str(e)


@requires_torch
def test_max_with_tensor_is_maximum():
    compare(lambda a, b: ember_or_torch(a).max(a, b), X, randn(3, 4, 5, seed=3))


def test_grad_fn_names():
    x = ember.ones(2, 3, requires_grad=True)
    expected = {'MaxBackward1': x.max(), 'MaxBackward0': x.max(1).values, 'AmaxBackward0': x.amax(1),
                'MedianBackward0': x.median(), 'MedianBackward1': x.median(1)[0], 'StdBackward0': x.std(),
                'VarBackward0': x.var(), 'LogsumexpBackward0': x.logsumexp(1), 'CumsumBackward0': x.cumsum(0),
                'LinalgVectorNormBackward0': x.norm(), 'ProdBackward0': x.prod(), 'MeanBackward0': x.mean()}
    for name, y in expected.items():
        assert y.grad_fn.name() == name


@requires_torch
@pytest.mark.parametrize('fn', [lambda x: x.sum(dim=[]), lambda x: x.mean(dim=()), lambda x: x.var(dim=[]),
                                lambda x: x.norm(dim=[]), lambda x: x.amax(dim=[])])
def test_empty_dim_list_reduces_everything(fn):
    # (torch's var backward treats dim=[] as n=1 and returns inf: compare only the value there)
    compare(fn, X, grad=fn.__code__.co_names != ('var',))


@requires_torch
def test_half_sum_accumulates_in_float32():
    compare(lambda x: x.sum(), np.full(5000, 0.1, dtype=np.float16), grad=False)
    compare(lambda x: x.mean(), np.full(5000, 0.1, dtype=np.float16), grad=False)


@requires_torch
def test_median_with_nan():
    v = np.array([[1., np.nan, 3., 0.], [2., 5., 1., 4.]], dtype=np.float32)
    compare(lambda x: x.median(), v, grad=False)
    compare(lambda x: x.median(1), v, grad=False)
    compare(lambda x: x.median(1), v[1:], grad=False)


@requires_torch
@pytest.mark.parametrize('name', ['sum', 'mean', 'prod', 'var', 'std', 'max', 'min', 'amax', 'amin', 'argmax',
                                  'argmin', 'cumsum', 'cumprod', 'all', 'any', 'median', 'logsumexp'])
def test_axis_keyword_alias(name):
    compare(lambda x: getattr(x, name)(axis=1), X)
