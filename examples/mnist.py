"""Train an MLP or LeNet-5 on MNIST: ember's main job, written as a PyTorch script.

    python examples/mnist.py                      # bundled MNIST subset, ~1 minute on 2 cores
    python examples/mnist.py --data DIR --model lenet --epochs 3

The five elements of training: data (MNIST, ToTensor+Normalize, a train/valid
split, shuffling DataLoader with workers), model (--model), loss
(CrossEntropyLoss), optimizer (--optim, with separate parameter groups for
weights and biases) with a learning-rate schedule, and the loop, watched
through per-epoch loss/accuracy, metrics.csv, curves.png and TensorBoard.
``--resume`` continues an interrupted run bit-for-bit.
"""
import argparse
import csv
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ember as torch  # noqa: E402
from ember import nn  # noqa: E402
from ember.utils.data import DataLoader, random_split  # noqa: E402
from ember.vision import datasets, transforms  # noqa: E402
from models import MODELS  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--data', help='MNIST directory (IDX files); default: the subset bundled with ember')
    p.add_argument('--download', action='store_true', help='download MNIST into --data if missing')
    p.add_argument('--model', choices=sorted(MODELS), default='mlp')
    p.add_argument('--optim', choices=['sgd', 'adam'], default='sgd')
    p.add_argument('--epochs', type=int, default=5)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--lr', type=float, default=None, help='default: 0.05 for sgd, 1e-3 for adam')
    p.add_argument('--momentum', type=float, default=0.9)
    p.add_argument('--weight-decay', type=float, default=5e-4)
    p.add_argument('--valid-fraction', type=float, default=0.1)
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--limit', type=int, default=None, help='use only the first N training images')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', default=None, help='output directory (default runs/<timestamp>)')
    p.add_argument('--resume', default=None, help='checkpoint to continue from (e.g. OUT/last.pt)')
    p.add_argument('--stop-after', type=int, default=None, help='stop after this epoch, as an interruption would')
    p.add_argument('--detect-anomaly', action='store_true', help='name the op that produced a NaN gradient')
    p.add_argument('--no-progress', action='store_true')
    return p.parse_args(argv)


def make_data(args):
    """MNIST train/valid/test datasets with ToTensor + Normalize."""
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    root = args.data or datasets.bundled_mnist_root()
    train_full = datasets.MNIST(root, train=True, transform=tf, download=args.download)
    test = datasets.MNIST(root, train=False, transform=tf, download=args.download)
    if args.limit:
        train_full = torch.utils.data.Subset(train_full, range(min(args.limit, len(train_full))))
    split = torch.Generator().manual_seed(args.seed)
    train, valid = random_split(train_full, [1 - args.valid_fraction, args.valid_fraction], generator=split)
    return train, valid, test


def make_optimizer(args, model):
    """Two parameter groups: weights with weight decay, biases with twice the lr and none."""
    weights = [p for n, p in model.named_parameters() if not n.endswith('bias')]
    biases = [p for n, p in model.named_parameters() if n.endswith('bias')]
    groups = [{'params': weights, 'weight_decay': args.weight_decay},
              {'params': biases, 'weight_decay': 0.0, 'lr': 2 * args.lr}]
    if args.optim == 'sgd':
        opt = torch.optim.SGD(groups, lr=args.lr, momentum=args.momentum, nesterov=True)
    else:
        opt = torch.optim.Adam(groups, lr=args.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    return opt, sched


def progress(iterable, desc, enabled):
    """tqdm's progress bar when available and wanted, else the iterable itself."""
    if enabled:
        try:
            from tqdm import tqdm
            return tqdm(iterable, desc=desc, leave=False, dynamic_ncols=True)
        except ImportError:
            pass
    return iterable


def run_epoch(model, loader, loss_fn, opt=None, epoch=0, show=False):
    """One pass over ``loader``; trains when ``opt`` is given. Returns (mean loss, accuracy)."""
    model.train(opt is not None)
    total_loss, correct, seen = 0.0, 0, 0
    with torch.set_grad_enabled(opt is not None):
        for step, (x, y) in enumerate(progress(loader, f'epoch {epoch} ' + ('train' if opt else 'eval'), show)):
            out = model(x)
            loss = loss_fn(out, y)
            value = loss.item()
            if not math.isfinite(value):
                raise SystemExit(f"error: the loss became {value} at epoch {epoch}, step {step}. Lower --lr, or "
                                 "rerun with --detect-anomaly to name the operation that produced it.")
            if opt is not None:
                opt.zero_grad()
                loss.backward()
                opt.step()
            total_loss += value * len(y)
            correct += (out.argmax(1) == y).sum().item()
            seen += len(y)
    return total_loss / seen, correct / seen


def save_curves(rows, path):
    """Loss and accuracy per epoch, train vs valid (needs matplotlib; skipped without it)."""
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        print('matplotlib is not installed: curves.png not written')
        return
    epochs = [r['epoch'] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for ax, key, title in ((ax1, 'loss', 'Cross-entropy loss'), (ax2, 'acc', 'Accuracy')):
        ax.plot(epochs, [r[f'train_{key}'] for r in rows], 'o-', label='train')
        ax.plot(epochs, [r[f'valid_{key}'] for r in rows], 's-', label='valid')
        ax.set_xlabel('epoch')
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_metrics(rows, path):
    with open(path, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def main(argv=None):
    args = parse_args(argv)
    args.lr = args.lr if args.lr is not None else (0.05 if args.optim == 'sgd' else 1e-3)
    args.out = args.out or os.path.join('runs', time.strftime('%Y%m%d-%H%M%S'))
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)

    train, valid, test = make_data(args)
    model = MODELS[args.model]()
    opt, sched = make_optimizer(args, model)
    loss_fn = nn.CrossEntropyLoss()
    start, rows, best = 1, [], 0.0
    if args.resume:
        ckpt = torch.load(args.resume)
        model.load_state_dict(ckpt['model'])
        opt.load_state_dict(ckpt['optimizer'])
        sched.load_state_dict(ckpt['scheduler'])
        torch.set_rng_state(ckpt['rng_state'])
        start, rows, best = ckpt['epoch'] + 1, ckpt['metrics'], ckpt['best_acc']
        print(f"resumed from {args.resume} after epoch {ckpt['epoch']}")
    print(f"{args.model} on {len(train)} train / {len(valid)} valid / {len(test)} test images, "
          f"{sum(p.numel() for p in model.parameters()):,} parameters, {args.optim} lr={args.lr}")

    from ember.utils.tensorboard import SummaryWriter
    writer = SummaryWriter(args.out, purge_step=start if args.resume else None)
    if start == 1:
        writer.add_graph(model, torch.zeros(1, 1, 28, 28))
    valid_loader = DataLoader(valid, batch_size=512, num_workers=args.workers)
    show = not args.no_progress and sys.stderr.isatty()
    with torch.autograd.set_detect_anomaly(args.detect_anomaly):
        for epoch in range(start, args.epochs + 1):
            # A generator seeded per epoch makes the shuffle (and workers' seeds) reproducible on resume.
            gen = torch.Generator().manual_seed(args.seed * 1000 + epoch)
            loader = DataLoader(train, batch_size=args.batch_size, shuffle=True, num_workers=args.workers,
                                generator=gen, drop_last=False)
            t0 = time.perf_counter()
            train_loss, train_acc = run_epoch(model, loader, loss_fn, opt, epoch, show)
            seconds = time.perf_counter() - t0
            valid_loss, valid_acc = run_epoch(model, valid_loader, loss_fn, epoch=epoch)
            lr = sched.get_last_lr()[0]
            sched.step()
            rows.append({'epoch': epoch, 'train_loss': round(train_loss, 5), 'train_acc': round(train_acc, 5),
                         'valid_loss': round(valid_loss, 5), 'valid_acc': round(valid_acc, 5), 'lr': lr,
                         'seconds': round(seconds, 2)})
            print(f"epoch {epoch:2d}  train loss {train_loss:.4f} acc {train_acc:.2%}  "
                  f"valid loss {valid_loss:.4f} acc {valid_acc:.2%}  lr {lr:.4g}  {seconds:.1f} s/epoch")
            writer.add_scalars('loss', {'train': train_loss, 'valid': valid_loss}, epoch)
            writer.add_scalars('accuracy', {'train': train_acc, 'valid': valid_acc}, epoch)
            writer.add_scalar('lr', lr, epoch)
            for name, p in model.named_parameters():
                writer.add_histogram(name, p, epoch)
            ckpt = {'epoch': epoch, 'model': model.state_dict(), 'optimizer': opt.state_dict(),
                    'scheduler': sched.state_dict(), 'rng_state': torch.get_rng_state(), 'metrics': rows,
                    'best_acc': max(best, valid_acc), 'args': vars(args)}
            torch.save(ckpt, os.path.join(args.out, 'last.pt'))
            if valid_acc > best:
                best = valid_acc
                torch.save(ckpt, os.path.join(args.out, 'best.pt'))
            if args.stop_after == epoch:
                print(f"stopped after epoch {epoch}; continue with --resume {os.path.join(args.out, 'last.pt')}")
                writer.close()
                return None
    write_metrics(rows, os.path.join(args.out, 'metrics.csv'))
    save_curves(rows, os.path.join(args.out, 'curves.png'))
    test_loss, test_acc = run_epoch(model, DataLoader(test, batch_size=512, num_workers=args.workers), loss_fn)
    writer.add_scalar('test/accuracy', test_acc, args.epochs)
    writer.close()
    print(f"test loss {test_loss:.4f}  test accuracy {test_acc:.2%}  (outputs in {args.out})")
    return test_acc


if __name__ == '__main__':
    main()
