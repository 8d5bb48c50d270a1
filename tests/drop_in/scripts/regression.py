"""Polynomial and linear regression with hand-written SGD updates (plain PyTorch: no ember imports).

In the style of pytorch/examples regression/main.py and the classic
"learning PyTorch with examples" tutorial: parameters are updated by hand,
once through ``param.data`` and once under ``torch.no_grad()``. The data and
the initial weights are made with NumPy so that real torch and ember start
from the same numbers:

    python tests/drop_in/scripts/regression.py              # real torch
    python -m ember.drop_in tests/drop_in/scripts/regression.py
"""
import argparse

import numpy as np
import torch
import torch.nn.functional as F

POLY_DEGREE = 4


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3, x^4]."""
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def poly_desc(W, b):
    """Creates a string description of a polynomial."""
    result = 'y = '
    for i, w in enumerate(W):
        result += '{:+.2f} x^{} '.format(w, i + 1)
    result += '{:+.2f}'.format(b[0])
    return result


def fit_polynomial(rng, steps, lr):
    """Fit y = W.x + b on polynomial features with nn.Linear, updating param.data by hand."""
    W_target = torch.from_numpy(rng.standard_normal((POLY_DEGREE, 1)) * 5).float()
    b_target = torch.from_numpy(rng.standard_normal(1) * 5).float()

    def f(x):
        """Approximated function."""
        return x.mm(W_target) + b_target.item()

    fc = torch.nn.Linear(W_target.size(0), 1)
    # A NumPy-made start instead of torch's RNG, so that both frameworks begin at the same point.
    fc.weight.data.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, (1, POLY_DEGREE)).astype(np.float32)))
    fc.bias.data.fill_(0.1)

    for step in range(1, steps + 1):
        random = torch.from_numpy(rng.standard_normal(32).astype(np.float32))
        batch_x = make_features(random)
        batch_y = f(batch_x)

        output = F.smooth_l1_loss(fc(batch_x), batch_y)
        loss = output.item()
        output.backward()

        for param in fc.parameters():
            param.data -= lr * param.grad.data
            param.grad.data.zero_()
        if step % 50 == 0:
            print('step {:4d}  poly loss {:.6f}'.format(step, loss))

    print('==> Learned function:\t' + poly_desc(fc.weight.view(-1), fc.bias))
    print('==> Actual function:\t' + poly_desc(W_target.view(-1), b_target))
    # Judge the fit on a fixed grid rather than on the last random batch.
    with torch.no_grad():
        grid = make_features(torch.linspace(-1, 1, 101))
        return F.mse_loss(fc(grid), f(grid)).item()


def fit_linear(rng, steps, lr):
    """Fit y = x @ w + b with raw leaf tensors, updating them in place under torch.no_grad()."""
    n, d = 64, 3
    x = torch.tensor(rng.standard_normal((n, d)), dtype=torch.float32)
    true_w = torch.tensor([[2.0], [-3.4], [0.5]])
    y = x @ true_w + 4.2 + 0.01 * torch.tensor(rng.standard_normal((n, 1)), dtype=torch.float32)

    w = torch.zeros(d, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    loss = None
    for step in range(1, steps + 1):
        y_pred = x.mm(w) + b
        loss = (y_pred - y).pow(2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad = None
        if step % 50 == 0:
            print('step {:4d}  linear loss {:.6f}'.format(step, loss.item()))
    print('==> w = {}, b = {:.4f}'.format([round(v, 4) for v in w.detach().view(-1).tolist()], b.item()))
    return loss.item()


def main():
    parser = argparse.ArgumentParser(description='Regression with hand-written SGD')
    parser.add_argument('--steps', type=int, default=200)
    parser.add_argument('--lr', type=float, default=0.1)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    poly = fit_polynomial(rng, args.steps, args.lr)
    linear = fit_linear(rng, args.steps, args.lr)
    print('final poly loss: {:.8f}'.format(poly))
    print('final linear loss: {:.8f}'.format(linear))


if __name__ == '__main__':
    main()
