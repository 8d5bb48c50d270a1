"""Activations (functional and module forms) against torch: values, gradients, second-order gradients."""
import numpy as np
import pytest

import ember
from tests.oracle import compare, compare_raises, randn, requires_torch, to_ember, torch


def _x(seed=0, shape=(3, 5), dtype=np.float32, kinks=()):
    """Random inputs spread over [-4, 4] plus the exact kink points of the activation."""
    x = randn(*shape, seed=seed, dtype=dtype) * 2.5
    flat = x.reshape(-1)
    flat[:len(kinks)] = kinks
    return x


def F(mod):
    """The functional namespace of whichever library ``mod`` (a tensor) belongs to."""
    return ember.nn.functional if isinstance(mod, ember.Tensor) else torch.nn.functional


CASES = [
    ('relu', {}, (0.0,)),
    ('relu6', {}, (0.0, 6.0)),
    ('leaky_relu', {'negative_slope': 0.2}, (0.0,)),
    ('elu', {'alpha': 1.3}, (0.0,)),
    ('selu', {}, (0.0,)),
    ('celu', {'alpha': 0.7}, (0.0,)),
    ('gelu', {}, ()),
    ('gelu', {'approximate': 'tanh'}, ()),
    ('silu', {}, ()),
    ('mish', {}, ()),
    ('sigmoid', {}, ()),
    ('tanh', {}, ()),
    ('hardtanh', {'min_val': -0.5, 'max_val': 2.0}, (-0.5, 2.0)),
    ('hardsigmoid', {}, (-3.0, 3.0)),
    ('hardswish', {}, (-3.0, 3.0)),
    ('softplus', {'beta': 2.0, 'threshold': 3.0}, (1.5,)),
    ('softsign', {}, (0.0,)),
    ('threshold', {'threshold': 0.3, 'value': -2.0}, (0.3,)),
    ('logsigmoid', {}, ()),
    ('tanhshrink', {}, ()),
    ('softshrink', {'lambd': 0.7}, (0.7, -0.7)),
    ('hardshrink', {'lambd': 0.7}, (0.7, -0.7)),
]


@requires_torch
@pytest.mark.parametrize('name,kwargs,kinks', CASES, ids=[c[0] + str(i) for i, c in enumerate(CASES)])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_functional_matches_torch_including_kinks(name, kwargs, kinks, dtype):
    compare(lambda x: getattr(F(x), name)(x, **kwargs), _x(dtype=dtype, kinks=kinks))


# torch has no double backward for these
_NO_DOUBLE = {'hardsigmoid', 'hardswish'}


@requires_torch
@pytest.mark.parametrize('name,kwargs,kinks', [c for c in CASES if c[0] not in _NO_DOUBLE],
                         ids=[c[0] + str(i) for i, c in enumerate(CASES) if c[0] not in _NO_DOUBLE])
def test_second_order_matches_torch(name, kwargs, kinks):
    # Away from the kinks, where torch's second derivatives are a convention of its kernels.
    compare(lambda x: getattr(F(x), name)(x, **kwargs), _x(seed=1, dtype=np.float64), second_order=True)


@requires_torch
def test_large_inputs_do_not_overflow():
    x = np.array([-200.0, -50.0, 0.0, 50.0, 200.0], dtype=np.float32)
    for name in ('softplus', 'logsigmoid', 'elu', 'selu', 'silu', 'mish', 'sigmoid'):
        compare(lambda t: getattr(F(t), name)(t), x)


@requires_torch
@pytest.mark.parametrize('name', ['softmax', 'log_softmax', 'softmin'])
@pytest.mark.parametrize('dim', [0, 1, -1])
def test_softmax_family(name, dim):
    compare(lambda x: getattr(F(x), name)(x, dim=dim), _x(shape=(3, 4, 5)), second_order=True)


@requires_torch
def test_softmax_dtype_argument():
    compare(lambda x: F(x).softmax(x, dim=1, dtype=(ember if isinstance(x, ember.Tensor) else torch).float64),
            _x())


@requires_torch
@pytest.mark.parametrize('num', [1, 4])
def test_prelu_input_and_weight_grads(num):
    w = np.linspace(0.1, 0.4, num).astype(np.float32)
    compare(lambda x, w: F(x).prelu(x, w), _x(shape=(2, 4, 3), kinks=(0.0,)), w)
    compare(lambda x, w: F(x).prelu(x, w), _x(shape=(2, 4, 3), seed=3), w, second_order=True)


@requires_torch
def test_glu():
    compare(lambda x: F(x).glu(x, dim=1), _x(shape=(2, 6)), second_order=True)


@requires_torch
@pytest.mark.parametrize('name,kwargs', [('relu', {}), ('leaky_relu', {'negative_slope': 0.1}), ('elu', {}),
                                          ('hardtanh', {}), ('relu6', {}), ('selu', {}), ('celu', {}),
                                          ('silu', {}), ('mish', {}), ('hardswish', {}), ('hardsigmoid', {}),
                                          ('threshold', {'threshold': 0.1, 'value': 0.0})])
def test_inplace_variants_write_into_input_and_backprop(name, kwargs):
    def fn(x):
        y = x * 1.0  # in-place on a non-leaf, which autograd allows
        out = getattr(F(x), name)(y, inplace=True, **kwargs)
        assert out is y
        return out
    compare(fn, _x(kinks=(0.0,)))


@requires_torch
def test_modules_match_functional_and_repr():
    pairs = [('ReLU', ()), ('ReLU6', ()), ('LeakyReLU', (0.2,)), ('ELU', (0.5,)), ('SELU', ()), ('CELU', (0.5,)),
             ('GELU', ('tanh',)), ('SiLU', ()), ('Mish', ()), ('Sigmoid', ()), ('Tanh', ()), ('Hardtanh', (-2., 2.)),
             ('Hardsigmoid', ()), ('Hardswish', ()), ('Softplus', (2., 10.)), ('Softsign', ()), ('Softmax', (1,)),
             ('LogSoftmax', (1,)), ('Softmin', (0,)), ('Threshold', (0.1, 20.)), ('LogSigmoid', ()),
             ('Tanhshrink', ()), ('Softshrink', (0.3,)), ('Hardshrink', (0.3,)), ('GLU', ()), ('PReLU', (3,))]
    for name, args in pairs:
        e_mod, t_mod = getattr(ember.nn, name)(*args), getattr(torch.nn, name)(*args)
        assert repr(e_mod) == repr(t_mod)
        x = _x(shape=(2, 3, 4))
        compare(lambda t: (e_mod if isinstance(t, ember.Tensor) else t_mod)(t), x)


@requires_torch
def test_prelu_module_weight_grad():
    e, t = ember.nn.PReLU(3, init=0.1), torch.nn.PReLU(3, init=0.1)
    x = _x(shape=(2, 3, 4))
    e(to_ember(x)).sum().backward()
    t(torch.from_numpy(x)).sum().backward()
    np.testing.assert_allclose(e.weight.grad.numpy(), t.weight.grad.numpy(), rtol=1e-5, atol=1e-5)


@requires_torch
def test_errors_match_torch():
    x = _x()
    compare_raises(lambda t: F(t).gelu(t, approximate='bad'), x)
    compare_raises(lambda t: F(t).softshrink(t, -1.0), x)
    compare_raises(lambda t: F(t).prelu(t, t[0, :4]), x)  # 4 slopes for 5 channels


def test_prelu_channel_mismatch_message():
    x = ember.randn(2, 3)
    with pytest.raises(RuntimeError, match="channel size = 3"):
        ember.nn.functional.prelu(x, ember.ones(4))


def test_int_input_is_refused_with_the_op_name():
    with pytest.raises(RuntimeError, match='leakyrelu'):
        ember.nn.functional.leaky_relu(ember.tensor([1, 2]))


def test_gradcheck_piecewise_in_float64():
    from ember.autograd import gradcheck
    x = ember.tensor(np.array([-2.3, -0.4, 0.6, 1.7, 3.9]), requires_grad=True)
    Fn = ember.nn.functional
    for fn in (Fn.elu, Fn.softplus, Fn.logsigmoid, Fn.hardswish, lambda t: Fn.leaky_relu(t, 0.3), Fn.gelu):
        assert gradcheck(fn, (x,))


@requires_torch
def test_bad_arguments_raise_like_torch():
    x = _x()
    compare_raises(lambda t: F(t).hardtanh(t, 2.0, 1.0), x)
    compare_raises(lambda t: F(t).celu(t, 0.0), x)
    for name in ('relu', 'elu', 'hardtanh', 'leaky_relu'):
        with pytest.raises(RuntimeError, match='leaf Variable that requires grad'):
            getattr(ember.nn.functional, name)(ember.ones(2, requires_grad=True), inplace=True)
    with pytest.raises(AssertionError, match='must be greater than min_val'):
        ember.nn.Hardtanh(2.0, 1.0)
    with pytest.warns(UserWarning, match='Implicit dimension choice for softmin'):
        ember.nn.functional.softmin(ember.ones(3))
