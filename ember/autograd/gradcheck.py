"""Numerical gradient checks: ``gradcheck`` and ``gradgradcheck`` (central differences).

The analytical Jacobian comes from backward with one-hot output gradients;
the numerical one perturbs each input element by ``±eps``. Inputs should be
float64: in float32 the differences drown in rounding error.
"""
import numpy as np


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _differentiable_outputs(fn, inputs):
    from ..tensor import Tensor
    return [o for o in _as_tuple(fn(*inputs)) if isinstance(o, Tensor) and o.requires_grad]


def _numerical_jacobians(fn, inputs, outputs, eps):
    """d(output j)/d(input i) as arrays of shape (numel_in, numel_out), for every input requiring grad."""
    from ..tensor import Tensor
    jac = {}
    # Grad mode stays on: gradgradcheck's function itself calls autograd.grad.
    for i, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        data = x._data  # perturbed in place, element by element (any strides)
        cols = [np.zeros((data.size, o._data.size)) for o in outputs]
        for k, idx in enumerate(np.ndindex(*data.shape)):
            orig = data[idx].item()
            data[idx] = orig + eps
            plus = [o._data.astype(np.float64).reshape(-1) for o in _differentiable_outputs(fn, inputs)]
            data[idx] = orig - eps
            minus = [o._data.astype(np.float64).reshape(-1) for o in _differentiable_outputs(fn, inputs)]
            data[idx] = orig
            for j, (p, m) in enumerate(zip(plus, minus)):
                cols[j][k] = (p - m) / (2 * eps)
        jac[i] = cols
    return jac


def _analytical_jacobians(outputs, inputs):
    """The same Jacobians built row by row from backward with one-hot gradients."""
    from ..tensor import Tensor
    from .engine import grad as autograd_grad
    diff = [(i, x) for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    jac = {i: [np.zeros((x._data.size, o._data.size)) for o in outputs] for i, x in diff}
    for j, out in enumerate(outputs):
        for k in range(out._data.size):
            onehot = np.zeros(out._data.size, dtype=out._data.dtype)
            onehot[k] = 1
            onehot = Tensor._wrap(onehot.reshape(out._data.shape))
            grads = autograd_grad(out, [x for _, x in diff], onehot, retain_graph=True, allow_unused=True)
            for (i, x), g in zip(diff, grads):
                if g is not None:
                    jac[i][j][:, k] = g._data.astype(np.float64).reshape(-1)
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, fast_mode=False, **unused):
    """Check backward of ``func`` against central differences for every input that requires grad.

    Args:
        func: a function of ``inputs`` returning a tensor or a tuple of tensors.
        inputs: a tensor or tuple of tensors (float64 ones with ``requires_grad=True`` are checked).
        eps, atol, rtol: perturbation size and the tolerance ``|a - n| <= atol + rtol * |n|``.
        raise_exception: raise ``GradcheckError`` on a mismatch (else return False).

    Returns:
        True when every gradient matches.
    """
    from ..tensor import Tensor
    inputs = _as_tuple(inputs)
    if not any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the them "
                         "have requires_grad=True.")
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad and x.dtype.name != 'float64':
            import warnings
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point. "
                          "The precision of the numerical check may be poor.", stacklevel=2)
    outputs = _differentiable_outputs(func, inputs)
    if not outputs:
        return _fail("gradcheck: the function returned no output that requires grad", raise_exception)
    analytical = _analytical_jacobians(outputs, inputs)
    numerical = _numerical_jacobians(func, inputs, outputs, eps)
    for i, per_out in numerical.items():
        for j, num in enumerate(per_out):
            ana = analytical[i][j]
            bad = ~np.isclose(ana, num, rtol=rtol, atol=atol, equal_nan=True)
            if bad.any():
                k, m = (int(v) for v in np.argwhere(bad)[0])
                return _fail(
                    f"Jacobian mismatch for output {j} with respect to input {i}: at input element {k}, "
                    f"output element {m}, analytical {float(ana[k, m])!r} vs numerical {float(num[k, m])!r} "
                    f"({int(bad.sum())} of {bad.size} entries differ).\n"
                    f"numerical:{_short(num)}\nanalytical:{_short(ana)}", raise_exception)
    return True


def _short(a):
    return '\n' + np.array2string(a, precision=6, threshold=64)


def _fail(msg, raise_exception):
    if raise_exception:
        raise GradcheckError(msg)
    return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, fast_mode=False, **unused):
    """Check second derivatives: gradcheck of the function ``(inputs, v) -> vjp(func, inputs, v)``.

    ``grad_outputs`` (random, float64, requiring grad, when None) are the
    vectors ``v`` of the vector-Jacobian product; they are checked too.
    """
    from ..tensor import Tensor
    from .engine import grad as autograd_grad
    from .. import random
    inputs = _as_tuple(inputs)
    outputs = _differentiable_outputs(func, inputs)
    if grad_outputs is None:
        grad_outputs = tuple(random.randn(o.shape, dtype=o.dtype).requires_grad_() for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]

    def vjp(*args):
        xs, vs = args[:n], args[n:]
        outs = _differentiable_outputs(func, xs)
        grads = autograd_grad(outs, [xs[i] for i in diff_idx], vs, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(vjp, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
