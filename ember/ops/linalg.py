"""Matrix products: matmul (@), mm, bmm, mv, dot, outer, einsum. All go to BLAS via NumPy."""
import string

import numpy as np

from ..autograd.function import Function
from ._util import promote, c10_name, cpp_name


def _shape_str(a):
    return 'x'.join(str(s) for s in a.shape)


class MatMul(Function):
    """``a @ b`` with torch's rules for 1-D operands and batch broadcasting."""
    raw = True

    @staticmethod
    def forward(ctx, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and "
                               f"{b.ndim}D")
        if a.dtype != b.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {cpp_name(a.dtype)} != "
                               f"{cpp_name(b.dtype)}")
        k_a = a.shape[-1]
        k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if k_a != k_b:
            if a.ndim == 1 and b.ndim == 1:
                raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                                   f"[{b.shape[0]}] to have the same number of elements, but got {a.shape[0]} "
                                   f"and {b.shape[0]} elements respectively")
            a2 = a.reshape(-1, k_a) if a.ndim > 1 else a.reshape(1, -1)
            b2 = b if b.ndim > 1 else b.reshape(-1, 1)
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a2)} and "
                               f"{_shape_str(b2.reshape(b2.shape[-2], -1) if b2.ndim > 2 else b2)})")
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = gb = None
        # Promote 1-D operands to matrices so one formula covers every case.
        if a.ndim == 1 and b.ndim == 1:  # dot product: grad is 0-d
            return (grad * b if ctx.needs_input_grad[0] else None, grad * a if ctx.needs_input_grad[1] else None)
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        g = grad
        if a.ndim == 1:
            g = g.unsqueeze(-2)
        if b.ndim == 1:
            g = g.unsqueeze(-1)
        if ctx.needs_input_grad[0]:
            ga = g @ b2.mT
            if a.ndim == 1:
                ga = ga.squeeze(-2)
        if ctx.needs_input_grad[1]:
            gb = a2.mT @ g
            if b.ndim == 1:
                gb = gb.squeeze(-1)
        return ga, gb


def _check_float_pair(a, b, op):
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}")


def matmul(input, other):
    """Matrix product with broadcasting over batch dimensions."""
    return MatMul.apply(input, other)


def mm(input, mat2):
    """Product of two 2-D matrices."""
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"{'self' if input.ndim != 2 else 'mat2'} must be a matrix")
    return MatMul.apply(input, mat2)


def bmm(input, mat2):
    """Batched product of two 3-D tensors with equal batch size."""
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor" if input.ndim != 3 else "batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{input.shape[0]}, "
                           f"{input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    return MatMul.apply(input, mat2)


def mv(input, vec):
    """Matrix-vector product."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {vec.ndim}")
    return MatMul.apply(input, vec)


def dot(input, other):
    """Inner product of two 1-D tensors."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.dtype != other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {c10_name(input.dtype)} "
                           f"and {c10_name(other.dtype)}")
    return MatMul.apply(input, other)


vdot = inner = dot


def outer(input, vec2):
    """Outer product of two vectors."""
    return input.unsqueeze(1) * vec2.unsqueeze(0)


ger = outer


def _parse_einsum(equation, shapes):
    """Equation with '...' spelled out and the output made explicit: ``(['ij', 'jk'], 'ik')``."""
    eq = equation.replace(' ', '')
    lhs, arrow, rhs = eq.partition('->')
    terms = lhs.split(',')
    if len(terms) != len(shapes):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the equation"
                           if len(shapes) > len(terms) else
                           "einsum(): fewer operands were provided than specified in the equation")
    used = set(c for c in eq if c.isalpha())
    spare = [c for c in string.ascii_letters if c not in used]
    n_ell = 0
    for t, shape in zip(terms, shapes):
        if '...' in t:
            n_ell = max(n_ell, len(shape) - (len(t) - 3))
    ell = ''.join(spare[:n_ell])
    expanded = []
    for t, shape in zip(terms, shapes):
        if '...' in t:
            k = len(shape) - (len(t) - 3)
            t = t.replace('...', ell[n_ell - k:] if k else '')
        if len(t) != len(shape):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(t)}) does not match the "
                               f"number of dimensions ({len(shape)}) for operand {len(expanded)}"
                               f"{' and no ellipsis was given' if '...' not in t else ''}")
        expanded.append(t)
    if arrow:
        out = rhs.replace('...', ell)
    else:  # implicit output: the ellipsis dims, then the letters used once, alphabetically
        counts = {}
        for t in terms:
            for c in t:
                if c.isalpha():
                    counts[c] = counts.get(c, 0) + 1
        out = ell + ''.join(sorted(c for c, n in counts.items() if n == 1))
    for c in out:
        if not any(c in t for t in expanded):
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                               "operand")
        if out.count(c) > 1:
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
    return expanded, out


class Einsum(Function):
    """einsum over an explicit equation; each operand's gradient is another einsum."""
    raw = True

    @staticmethod
    def forward(ctx, *operands, terms=(), out=''):
        ctx.terms, ctx.out = terms, out
        ctx.shapes = [o.shape for o in operands]
        ctx.save_for_backward(*operands)
        eq = ','.join(terms) + '->' + out
        result = np.einsum(eq, *operands, optimize=len(operands) > 2)
        if len(operands) == 1 and getattr(result, 'base', None) is not None:
            result = result.copy()  # 'ij->ji' and 'ii->i' come back as views of the input
        return result

    @staticmethod
    def backward(ctx, grad):
        ops = ctx.saved_tensors
        grads = []
        for i, term in enumerate(ctx.terms):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            if len(set(term)) != len(term):
                raise NotImplementedError(f"einsum backward: repeated subscripts in one operand ('{term}') "
                                          "are not supported by ember")
            others = [(t, o) for j, (t, o) in enumerate(zip(ctx.terms, ops)) if j != i]
            present = set(ctx.out).union(*(t for t, _ in others))
            # Letters only this operand has were summed away: differentiate to the rest, then broadcast back.
            kept = ''.join(c for c in term if c in present)
            g = _einsum_terms([ctx.out] + [t for t, _ in others], kept, [grad] + [o for _, o in others])
            if kept != term:
                g = g.reshape([ctx.shapes[i][k] if c in present else 1 for k, c in enumerate(term)])
                g = g.expand(ctx.shapes[i])
            grads.append(g)
        return tuple(grads)


def _einsum_terms(terms, out, operands):
    return Einsum.apply(*operands, terms=tuple(terms), out=out)


def einsum(equation, *operands):
    """Sum of products over the indices of ``equation``, e.g. ``einsum('bij,bjk->bik', a, b)``."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    terms, out = _parse_einsum(equation, [o.shape for o in operands])
    sizes = {}
    for k, (t, o) in enumerate(zip(terms, operands)):
        for c, n in zip(t, o.shape):
            if sizes.setdefault(c, n) != n and n != 1 and sizes[c] != 1:
                raise RuntimeError(f"einsum(): operands do not broadcast with remapped shapes (original->remapped):"
                                   f" subscript '{c}' has size {sizes[c]} in one operand and {n} in operand {k}")
    dt = operands[0].dtype
    if any(o.dtype != dt for o in operands):
        raise RuntimeError(f"expected scalar type {dt} but found {next(o.dtype for o in operands if o.dtype != dt)}")
    return _einsum_terms(terms, out, operands)


TENSOR_METHODS = ('matmul', 'mm', 'bmm', 'mv', 'dot', 'outer', 'ger')
__all__ = ('matmul', 'mm', 'bmm', 'mv', 'dot', 'outer', 'ger', 'einsum')
