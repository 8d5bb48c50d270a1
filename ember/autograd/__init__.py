"""Automatic differentiation: backward, grad, Function, grad modes, gradcheck, anomaly detection."""
from .anomaly import detect_anomaly, set_detect_anomaly
from .engine import backward, grad
from .function import Function
from .function import BackwardNode as FunctionCtx
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
# gradcheck.py imports ember's ops only inside its functions, so importing it here is cycle-free;
# as in torch, the names then refer to the functions, not the submodule.
from .gradcheck import gradcheck, gradgradcheck, GradcheckError


def Variable(data, requires_grad=False, volatile=False):
    """Legacy wrapper kept for old code: returns a tensor sharing ``data``'s memory."""
    return data.detach().requires_grad_(requires_grad)
from . import functional  # noqa: E402  (torch.autograd.functional)
