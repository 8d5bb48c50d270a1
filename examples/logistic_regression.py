"""Binary logistic regression, written exactly as a PyTorch user would.

    y_hat = sigmoid(X @ w + b),   loss = BCE(y_hat, y)

The data are two Gaussian clouds made here (no network needed), linearly
separable by construction. Run: ``python examples/logistic_regression.py``.
Swap the import for ``import torch`` and the script runs unchanged.
"""
import argparse

import ember as torch


def make_data(n_per_class=100, seed=1):
    """Two 2-D Gaussian clouds around (+2, +2) and (-2, -2), labels 1 and 0."""
    g = torch.Generator().manual_seed(seed)
    pos = torch.randn(n_per_class, 2, generator=g) + 2.0
    neg = torch.randn(n_per_class, 2, generator=g) - 2.0
    x = torch.cat([pos, neg])
    y = torch.cat([torch.ones(n_per_class), torch.zeros(n_per_class)]).unsqueeze(1)
    return x, y


def main(steps=100, lr=0.1, seed=1):
    torch.manual_seed(seed)
    x, y = make_data(seed=seed)
    w = torch.randn(2, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for step in range(1, steps + 1):
        y_hat = torch.sigmoid(x @ w + b)
        loss = -(y * torch.log(y_hat + 1e-7) + (1 - y) * torch.log(1 - y_hat + 1e-7)).mean()
        loss.backward()
        with torch.no_grad():  # manual SGD: update the leaves outside the graph
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        acc = ((y_hat > 0.5).float() == y).float().mean().item()
        if step % 10 == 0 or step == 1:
            print(f"step {step:3d}  loss {loss.item():.4f}  accuracy {acc:.2%}")
    return loss.item(), acc


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=100)
    parser.add_argument('--lr', type=float, default=0.1)
    args = parser.parse_args()
    main(args.steps, args.lr)
