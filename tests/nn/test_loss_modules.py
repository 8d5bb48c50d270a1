"""The loss modules (nn.CrossEntropyLoss...) against torch's: forward, gradients, buffers, state_dict, repr."""
import warnings

import numpy as np
import pytest

import ember
from tests.oracle import compare, randn, requires_torch, torch
from tests.nn.test_loss_classification import const, probs, targets
from tests.nn.test_loss_margin import signs


def nn(x):
    return torch.nn if torch is not None and isinstance(x, torch.Tensor) else ember.nn


W4 = np.array([0.5, 1.0, 2.0, 1.5], np.float32)

# (module name, constructor kwargs built from a tensor of the library, inputs of forward)
CASES = [
    ('L1Loss', lambda x: {}, (randn(3, 4), randn(3, 4, seed=1))),
    ('MSELoss', lambda x: {'reduction': 'sum'}, (randn(3, 4), randn(3, 4, seed=1))),
    ('CrossEntropyLoss', lambda x: {'weight': const(x, W4), 'ignore_index': 1, 'label_smoothing': 0.1},
     (randn(5, 4), targets(5, 4))),
    ('NLLLoss', lambda x: {'weight': const(x, W4), 'reduction': 'none'}, (randn(5, 4), targets(5, 4))),
    ('BCELoss', lambda x: {'weight': const(x, W4)}, (probs(3, 4), probs(3, 4, seed=1))),
    ('BCEWithLogitsLoss', lambda x: {'pos_weight': const(x, W4)}, (randn(3, 4), probs(3, 4))),
    ('KLDivLoss', lambda x: {'reduction': 'batchmean', 'log_target': True}, (randn(3, 4), randn(3, 4, seed=1))),
    ('SmoothL1Loss', lambda x: {'beta': 0.5}, (randn(3, 4), randn(3, 4, seed=1))),
    ('HuberLoss', lambda x: {'delta': 0.5, 'reduction': 'none'}, (randn(3, 4), randn(3, 4, seed=1))),
    ('PoissonNLLLoss', lambda x: {'full': True}, (randn(3, 4), np.abs(randn(3, 4, seed=1)) * 3)),
    ('GaussianNLLLoss', lambda x: {'full': True}, (randn(3, 4), randn(3, 4, seed=1), probs(3, 1))),
    ('CosineEmbeddingLoss', lambda x: {'margin': 0.2}, (randn(3, 4), randn(3, 4, seed=1), signs(3))),
    ('MarginRankingLoss', lambda x: {'margin': 0.1}, (randn(5), randn(5, seed=1), signs(5))),
    ('HingeEmbeddingLoss', lambda x: {'margin': 0.5}, (randn(3, 4), signs(3, 4))),
    ('TripletMarginLoss', lambda x: {'swap': True}, (randn(3, 4), randn(3, 4, seed=1), randn(3, 4, seed=2))),
    ('MultiLabelSoftMarginLoss', lambda x: {'weight': const(x, W4)}, (randn(3, 4), probs(3, 4) > 0.5)),
    ('MultiMarginLoss', lambda x: {'p': 2, 'weight': const(x, W4)}, (randn(5, 4), targets(5, 4))),
    ('MultiLabelMarginLoss', lambda x: {}, (randn(2, 4), np.array([[3, 0, -1, 1], [1, 2, 3, 0]]))),
    ('TripletMarginWithDistanceLoss', lambda x: {'margin': 0.3},
     (randn(3, 4), randn(3, 4, seed=1), randn(3, 4, seed=2))),
    ('CTCLoss', lambda x: {'blank': 3}, (randn(5, 2, 4), np.array([[1, 2], [0, 0]]), np.array([5, 4]),
                                          np.array([2, 1]))),
]


@requires_torch
@pytest.mark.parametrize('name, kwargs, inputs', CASES, ids=[c[0] for c in CASES])
def test_loss_module_matches_torch(name, kwargs, inputs):
    inputs = tuple(a.astype(np.float32) if a.dtype == bool else a for a in inputs)
    compare(lambda x, *rest: getattr(nn(x), name)(**kwargs(x))(x, *rest), *inputs)


@requires_torch
@pytest.mark.parametrize('name, kwargs, inputs', CASES, ids=[c[0] for c in CASES])
def test_loss_module_state_dict_and_repr(name, kwargs, inputs):
    x_t, x_e = torch.zeros(1), ember.zeros(1)
    m_t, m_e = getattr(torch.nn, name)(**kwargs(x_t)), getattr(ember.nn, name)(**kwargs(x_e))
    assert list(m_e.state_dict()) == list(m_t.state_dict())
    assert repr(m_e) == repr(m_t)
    assert m_e.reduction == m_t.reduction


def test_weight_is_a_buffer_that_follows_dtype_moves():
    m = ember.nn.CrossEntropyLoss(weight=ember.tensor([1.0, 2.0, 3.0]))
    assert [n for n, _ in m.named_buffers()] == ['weight']
    m = m.double()
    assert m.weight.dtype == ember.float64
    x = ember.randn(4, 3, dtype=ember.float64, requires_grad=True)
    m(x, ember.tensor([0, 2, 1, 2])).backward()
    assert x.grad.dtype == ember.float64


def test_legacy_flags_set_reduction():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert ember.nn.MSELoss(size_average=False).reduction == 'sum'
        assert ember.nn.NLLLoss(reduce=False).reduction == 'none'
        assert ember.nn.BCELoss(size_average=True, reduce=True).reduction == 'mean'


def test_invalid_module_options():
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        ember.nn.L1Loss(reduction='foo')(ember.zeros(2), ember.zeros(2))
    with pytest.raises(ValueError):
        ember.nn.TripletMarginLoss(margin=0)
    with pytest.raises(ValueError):
        ember.nn.MultiMarginLoss(p=3)
    with pytest.raises(TypeError):
        ember.nn.HuberLoss(delta='1')


def test_cross_entropy_trains_a_linear_classifier():
    """A few SGD steps on separable data drive the loss down (forward, backward and update work together)."""
    rng = np.random.default_rng(0)
    x = ember.from_numpy(rng.standard_normal((32, 2)).astype(np.float32))
    y = ember.from_numpy((x.numpy()[:, 0] > 0).astype(np.int64))
    w = ember.zeros(2, 2, requires_grad=True)
    loss_fn = ember.nn.CrossEntropyLoss()
    first = None
    for _ in range(20):
        loss = loss_fn(x @ w, y)
        first = loss.item() if first is None else first
        w.grad = None
        loss.backward()
        with ember.no_grad():
            w -= 1.0 * w.grad
    assert loss.item() < 0.5 * first
