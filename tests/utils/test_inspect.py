"""ember.utils.summary, ember.utils.viz.make_dot and ember.utils.safetensors."""
import numpy as np
import pytest

import ember
from tests.oracle import requires_torch, torch

nn = ember.nn


def _mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))


def test_summary_counts_and_shapes(capsys):
    stats = ember.utils.summary(_mlp(), (2, 1, 28, 28))
    assert stats.total_params == 784 * 128 + 128 + 128 * 10 + 10 == 101770
    assert stats.trainable_params == 101770
    text = capsys.readouterr().out
    assert 'Total params: 101,770' in text
    assert '├─Linear: 1-2' in text and '[2, 128]' in text and '100,480' in text
    assert 'Params size (MB): 0.41' in text


def test_summary_counts_frozen_parameters():
    model = _mlp()
    model[1].weight.requires_grad_(False)
    stats = ember.utils.summary(model, input_data=ember.randn(1, 1, 28, 28), verbose=0)
    assert stats.trainable_params == 101770 - 784 * 128


def test_summary_needs_an_input():
    with pytest.raises(ValueError, match='input_size'):
        ember.utils.summary(_mlp())


def test_make_dot_lists_grad_fns_and_named_leaves():
    from ember.utils.viz import make_dot
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh())
    out = model(ember.randn(4, 3)).sum()
    dot = make_dot(out, params=dict(model.named_parameters())).source
    assert dot.startswith('digraph {') and dot.rstrip().endswith('}')
    assert 'SumBackward0' in dot and 'TanhBackward0' in dot
    assert '0.weight\\n(2, 3)' in dot and '0.bias\\n(2)' in dot
    # every edge joins two declared nodes
    declared = {line.split()[0] for line in dot.splitlines() if '[label=' in line}
    for line in dot.splitlines():
        if '->' in line:
            a, _, b = line.split()
            assert a in declared and b in declared


def test_make_dot_render_needs_graphviz(tmp_path):
    import shutil
    from ember.utils.viz import make_dot
    g = make_dot((ember.randn(2, requires_grad=True) * 2).sum())
    if shutil.which('dot') is None:
        with pytest.raises(RuntimeError, match='Graphviz'):
            g.pipe('svg')
    else:
        assert g.pipe('svg').lstrip().startswith(b'<?xml')


def test_safetensors_round_trip(tmp_path):
    pytest.importorskip('safetensors')
    from ember.utils import safetensors as st
    tensors = {'w': ember.randn(3, 4), 'i': ember.arange(5, dtype=ember.int32), 'view': ember.randn(4, 4).t()}
    st.save_file(tensors, tmp_path / 'x.safetensors', metadata={'format': 'pt'})
    back = st.load_file(tmp_path / 'x.safetensors')
    for k, v in tensors.items():
        assert back[k].dtype == v.dtype
        np.testing.assert_array_equal(back[k].numpy(), v.numpy())
    model = _mlp()
    st.save_model(model, tmp_path / 'm.safetensors')
    fresh = _mlp()
    st.load_model(fresh, tmp_path / 'm.safetensors')
    np.testing.assert_array_equal(fresh[1].weight.detach().numpy(), model[1].weight.detach().numpy())


@requires_torch
def test_safetensors_interoperate_with_torch(tmp_path):
    pytest.importorskip('safetensors')
    from safetensors.torch import load_file as torch_load, save_file as torch_save
    from ember.utils import safetensors as st
    torch_save({'a': torch.arange(6.).reshape(2, 3)}, str(tmp_path / 't.safetensors'))
    assert st.load_file(tmp_path / 't.safetensors')['a'].tolist() == [[0., 1., 2.], [3., 4., 5.]]
    st.save_file({'b': ember.ones(2, dtype=ember.float64)}, tmp_path / 'e.safetensors')
    assert torch_load(str(tmp_path / 'e.safetensors'))['b'].dtype == torch.float64
