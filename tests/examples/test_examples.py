"""The examples run end to end: logistic regression, and the MNIST main job (accuracy, outputs, resume)."""
import csv
import os
import sys

import numpy as np
import pytest

import ember

EXAMPLES = os.path.join(os.path.dirname(__file__), '..', '..', 'examples')
sys.path.insert(0, os.path.abspath(EXAMPLES))


def test_logistic_regression_separates_the_clouds(capsys):
    import logistic_regression
    loss, acc = logistic_regression.main(steps=100, lr=0.1)
    assert acc >= 0.95
    assert loss < 0.2
    assert 'step 100' in capsys.readouterr().out


def test_models_have_the_documented_shapes():
    import models
    x = ember.randn(2, 1, 28, 28)
    assert tuple(models.MLP()(x).shape) == (2, 10)
    assert tuple(models.LeNet()(x).shape) == (2, 10)
    assert sum(p.numel() for p in models.LeNet().parameters()) == 44426


def _run(tmp_path, name, *extra):
    import mnist
    out = tmp_path / name
    acc = mnist.main(['--out', str(out), '--workers', '0', '--no-progress', *extra])
    return acc, out


def test_main_job_trains_and_writes_its_outputs(tmp_path):
    """A few hundred SGD steps on the bundled subset reach a real accuracy."""
    acc, out = _run(tmp_path, 'run', '--epochs', '3', '--limit', '4000')
    assert acc >= 0.88, f"test accuracy {acc:.2%} after ~170 steps"
    for name in ('metrics.csv', 'curves.png', 'last.pt', 'best.pt'):
        assert (out / name).exists(), name
    assert any(f.startswith('events.out.tfevents') for f in os.listdir(out))
    with open(out / 'metrics.csv') as f:
        rows = list(csv.DictReader(f))
    assert [int(r['epoch']) for r in rows] == [1, 2, 3]
    assert float(rows[-1]['train_loss']) < float(rows[0]['train_loss'])
    ckpt = ember.load(out / 'last.pt')
    assert ckpt['epoch'] == 3 and set(ckpt) >= {'model', 'optimizer', 'scheduler', 'rng_state'}


def test_resume_gives_the_same_weights_as_an_uninterrupted_run(tmp_path):
    common = ['--limit', '600', '--model', 'lenet', '--optim', 'adam', '--batch-size', '32']
    _run(tmp_path, 'straight', '--epochs', '2', *common)
    assert _run(tmp_path, 'first', '--epochs', '2', '--stop-after', '1', *common)[0] is None
    _run(tmp_path, 'second', '--epochs', '2', '--resume', str(tmp_path / 'first' / 'last.pt'),
         '--out', str(tmp_path / 'first'), *common)
    a = ember.load(tmp_path / 'straight' / 'last.pt')
    b = ember.load(tmp_path / 'first' / 'last.pt')
    assert a['epoch'] == b['epoch'] == 2
    for k in a['model']:
        np.testing.assert_array_equal(a['model'][k].numpy(), b['model'][k].numpy(), err_msg=k)
    assert a['optimizer']['state'].keys() == b['optimizer']['state'].keys()


def test_nan_loss_stops_with_epoch_and_step(tmp_path):
    with pytest.raises(SystemExit, match=r'epoch 1, step \d+'):
        _run(tmp_path, 'nan', '--epochs', '1', '--limit', '400', '--lr', '1e12')


def test_missing_data_directory_says_where_it_looked(tmp_path):
    with pytest.raises(RuntimeError, match=str(tmp_path / 'nowhere')):
        _run(tmp_path, 'x', '--data', str(tmp_path / 'nowhere'), '--epochs', '1')


@pytest.mark.skipif(not os.environ.get('EMBER_MNIST_DIR'), reason='EMBER_MNIST_DIR (full MNIST) not set')
def test_full_mnist_is_read_from_the_environment_directory():
    from ember.vision import datasets
    train = datasets.MNIST(os.environ['EMBER_MNIST_DIR'], train=True)
    test = datasets.MNIST(os.environ['EMBER_MNIST_DIR'], train=False)
    assert len(train) == 60000 and len(test) == 10000
