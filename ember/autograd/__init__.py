"""Automatic differentiation: backward, grad, Function, grad modes, gradcheck, anomaly detection."""
from .anomaly import detect_anomaly, set_detect_anomaly
from .engine import backward, grad
from .function import Function
from .function import BackwardNode as FunctionCtx
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled


def __getattr__(name):
    # gradcheck imports ember's ops; load it on first use to keep import order simple.
    if name in ('gradcheck', 'gradgradcheck'):
        from . import gradcheck as module
        return getattr(module, name)
    raise AttributeError(f"module 'ember.autograd' has no attribute '{name}'")
