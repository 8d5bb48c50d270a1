"""SummaryWriter: files are read back with tensorboard's EventAccumulator, and served by TensorBoard."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

import ember

pytest.importorskip('tensorboard')
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402

from ember.utils.tensorboard import SummaryWriter  # noqa: E402


def _read(path):
    acc = EventAccumulator(str(path), size_guidance={'scalars': 0, 'images': 0, 'histograms': 0, 'tensors': 0})
    acc.Reload()
    return acc


def test_scalars_written_and_read_back(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for step in range(5):
            w.add_scalar('train/loss', 1.0 / (step + 1), step)
        w.add_scalar('t', ember.tensor(2.5), 7)
    acc = _read(tmp_path)
    assert [(e.step, round(e.value, 6)) for e in acc.Scalars('train/loss')] == \
        [(s, round(1.0 / (s + 1), 6)) for s in range(5)]
    assert acc.Scalars('t')[0].value == 2.5 and acc.Scalars('t')[0].step == 7


def test_scalar_rejects_many_elements(tmp_path):
    with SummaryWriter(tmp_path) as w, pytest.raises(ValueError, match='one element'):
        w.add_scalar('bad', ember.ones(3), 0)


def test_add_scalars_uses_one_run_per_tag(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_scalars('acc', {'train': 0.9, 'valid': 0.8}, 1)
    for tag, value in (('train', 0.9), ('valid', 0.8)):
        acc = _read(tmp_path / f'acc_{tag}')
        assert acc.Scalars('acc')[0].value == pytest.approx(value)


def test_histogram_counts(tmp_path):
    values = ember.randn(1000)
    with SummaryWriter(tmp_path) as w:
        w.add_histogram('weights', values, 3)
    h = _read(tmp_path).Histograms('weights')[0]
    assert h.step == 3
    assert h.histogram_value.num == 1000
    assert sum(h.histogram_value.bucket) == 1000
    assert h.histogram_value.min == pytest.approx(values.min().item())
    assert h.histogram_value.sum == pytest.approx(values.sum().item(), rel=1e-4, abs=1e-3)


@pytest.mark.parametrize('fmt,shape', [('CHW', (3, 6, 5)), ('HWC', (6, 5, 3)), ('HW', (6, 5)), ('CHW', (1, 6, 5))])
def test_images_decode_to_the_pixels(tmp_path, fmt, shape):
    PIL = pytest.importorskip('PIL.Image')
    img = ember.rand(*shape)
    with SummaryWriter(tmp_path) as w:
        w.add_image('img', img, 0, dataformats=fmt)
    enc = _read(tmp_path).Images('img')[0]
    import io
    pixels = np.asarray(PIL.open(io.BytesIO(enc.encoded_image_string)))
    assert (enc.height, enc.width) == (6, 5)
    arr = img.numpy()
    hwc = {'CHW': lambda a: a.transpose(1, 2, 0), 'HWC': lambda a: a, 'HW': lambda a: a[..., None]}[fmt](arr)
    expect = np.round(np.broadcast_to(hwc, (6, 5, 3)) * 255).astype(np.uint8)
    np.testing.assert_array_equal(pixels, expect)


def test_images_batch_and_figure_and_text(tmp_path):
    pytest.importorskip('matplotlib')
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(2, 2))
    plt.plot([0, 1], [1, 0])
    with SummaryWriter(tmp_path) as w:
        w.add_images('batch', ember.rand(4, 3, 8, 8), 0)
        w.add_figure('fig', fig, 1)
        w.add_text('note', 'hello **world**', 2)
    acc = _read(tmp_path)
    assert acc.Images('batch')[0].width == 16
    assert acc.Images('fig')[0].width == 200
    text = acc.Tensors('note/text_summary')[0].tensor_proto.string_val[0].decode()
    assert text == 'hello **world**'


def test_hparams_are_logged(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_hparams({'lr': 0.1, 'optim': 'sgd', 'bn': True}, {'hparam/accuracy': 0.97}, run_name='r1')
    acc = _read(tmp_path / 'r1')
    assert acc.Scalars('hparam/accuracy')[0].value == pytest.approx(0.97)
    from tensorboard.plugins.hparams import plugin_data_pb2
    content = acc.summary_metadata['_hparams_/session_start_info'].plugin_data.content
    data = plugin_data_pb2.HParamsPluginData.FromString(content)
    assert data.session_start_info.hparams['lr'].number_value == 0.1
    assert data.session_start_info.hparams['optim'].string_value == 'sgd'


def test_add_graph_shows_the_autograd_graph(tmp_path):
    nn = ember.nn
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    with SummaryWriter(tmp_path) as w:
        w.add_graph(model, ember.randn(5, 4))
    graph = _read(tmp_path).Graph()
    names = {n.name for n in graph.node}
    ops = {n.op for n in graph.node}
    assert {'0/weight', '0/bias', '2/weight', '2/bias'} <= names
    assert 'ReluBackward0' in ops and 'Output' in ops


def test_purge_step_and_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment='_exp')
    w.close()
    assert os.listdir('runs')[0].endswith('_exp')
    with SummaryWriter(tmp_path / 'p', purge_step=5) as w:
        w.add_scalar('x', 1.0, 5)
    assert _read(tmp_path / 'p').Scalars('x')[0].step == 5


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_tensorboard_serves_the_scalars(tmp_path):
    """Start TensorBoard on loopback and read the scalars back through its HTTP API."""
    with SummaryWriter(tmp_path / 'run1') as w:
        for step in range(3):
            w.add_scalar('loss', 0.5 * step, step)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, '-m', 'tensorboard.main', '--logdir', str(tmp_path), '--host',
                             '127.0.0.1', '--port', str(port), '--reload_interval', '1'],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f'http://127.0.0.1:{port}/data/plugin/scalars/scalars?run=run1&tag=loss'
    try:
        deadline, data = time.time() + 60, None
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    data = json.loads(r.read())
                if data:
                    break
            except Exception:  # server still starting, or run not loaded yet
                time.sleep(0.5)
        assert data is not None, "TensorBoard did not serve the run within 60 s"
        assert [(step, value) for _, step, value in data] == [(0, 0.0), (1, 0.5), (2, 1.0)]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
