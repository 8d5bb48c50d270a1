"""no_grad, enable_grad, set_grad_enabled, inference_mode (context managers and decorators) and anomaly mode."""
import warnings

import numpy as np
import pytest

import ember


def test_no_grad_context_and_decorators():
    x = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        y = x * 2
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None

    @ember.no_grad()
    def f(t):
        return t * 2

    @ember.no_grad
    def g(t):
        return t * 2
    assert not f(x).requires_grad and not g(x).requires_grad
    assert f.__name__ == 'f'


def test_enable_grad_inside_no_grad():
    x = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        with ember.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad

    @ember.enable_grad()
    def f(t):
        return t * 2
    with ember.no_grad():
        assert f(x).requires_grad


def test_set_grad_enabled_forms():
    x = ember.ones(2, requires_grad=True)
    with ember.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ember.is_grad_enabled()
    ember.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        ember.set_grad_enabled(True)
    assert (x * 2).requires_grad

    @ember.set_grad_enabled(False)
    def f(t):
        return t * 2
    assert ember.is_grad_enabled()
    assert not f(x).requires_grad


def test_inference_mode():
    x = ember.ones(2, requires_grad=True)
    with ember.inference_mode():
        assert not (x * 2).requires_grad
    with ember.inference_mode(False):
        assert (x * 2).requires_grad

    @ember.inference_mode()
    def f(t):
        return t * 2
    assert not f(x).requires_grad


def test_modes_restore_after_exceptions():
    with pytest.raises(ValueError):
        with ember.no_grad():
            raise ValueError
    assert ember.is_grad_enabled()


def test_backward_runs_without_recording_unless_create_graph():
    x = ember.ones(2, requires_grad=True)
    seen = []
    y = x * 2
    y.register_hook(lambda g: seen.append(ember.is_grad_enabled()))
    y.sum().backward(retain_graph=True)
    y.sum().backward(create_graph=True)
    assert seen == [False, True]
    assert ember.is_grad_enabled()


def test_detect_anomaly_names_the_failing_op():
    x = ember.tensor([0., 1.], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with ember.autograd.detect_anomaly():
            y = x.sqrt()          # d sqrt / dx at 0 is inf; times 0 below gives nan
            z = (y * 0).sum()
            with pytest.raises(RuntimeError, match="Function 'SqrtBackward0' returned nan values"):
                z.backward()
    x.grad = None
    (x.sqrt() * 0).sum().backward()  # outside anomaly mode nan passes silently
    assert np.isnan(x.grad.numpy()[0])


def test_set_detect_anomaly_as_function():
    ember.autograd.set_detect_anomaly(True)
    try:
        assert ember.autograd.anomaly.is_enabled()
    finally:
        ember.autograd.set_detect_anomaly(False)
    assert not ember.autograd.anomaly.is_enabled()
