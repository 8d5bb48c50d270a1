"""Summary protobufs for each kind of record (scalar, histogram, image, text, hparams)."""
import io
import json

import numpy as np
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto


def to_numpy(x):
    """Tensors (ember or anything with .numpy()), arrays and numbers as an ndarray."""
    if hasattr(x, 'detach'):
        x = x.detach()
    if hasattr(x, 'cpu'):
        x = x.cpu()
    if hasattr(x, 'numpy'):
        return np.asarray(x.numpy())
    return np.asarray(x)


def scalar(tag, value, new_style=False, double_precision=False):
    """A scalar summary (TensorBoard's Scalars tab)."""
    arr = to_numpy(value).squeeze()
    if arr.ndim != 0:
        raise ValueError(f"Tensor should contain one element (0 dimensions), but got {arr.ndim} dimensions "
                         f"(shape {list(arr.shape)})")
    v = float(arr)
    if new_style:
        dtype = 'DT_DOUBLE' if double_precision else 'DT_FLOAT'
        tensor = TensorProto(dtype=dtype, tensor_shape=TensorShapeProto(),
                             **({'double_val': [v]} if double_precision else {'float_val': [v]}))
        meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name='scalars'))
        return Summary(value=[Summary.Value(tag=tag, tensor=tensor, metadata=meta)])
    return Summary(value=[Summary.Value(tag=tag, simple_value=v)])


def default_bins():
    """TensorFlow's default histogram bucket limits (exponential, factor 1.1), as torch uses."""
    v, pos = 1e-12, []
    while v < 1e20:
        pos.append(v)
        v *= 1.1
    return [-x for x in reversed(pos)] + [0.0] + pos


def histogram(tag, values, bins='tensorflow', max_bins=None):
    """A histogram summary; empty edge buckets are trimmed as torch does."""
    values = to_numpy(values).astype(np.float64).reshape(-1)
    if values.size == 0:
        raise ValueError("The input has no element.")
    edges = default_bins() if bins == 'tensorflow' else bins
    counts, limits = np.histogram(values, bins=edges)
    nonzero = np.nonzero(counts)[0]
    lo, hi = nonzero[0], nonzero[-1] + 1
    counts, limits = counts[lo:hi], limits[lo + 1:hi + 1]
    if max_bins is not None and len(counts) > max_bins:
        step = -(-len(counts) // max_bins)
        counts = np.add.reduceat(counts, np.arange(0, len(counts), step))
        limits = limits[step - 1::step] if len(limits) >= step else limits[-1:]
        limits = np.append(limits[:len(counts) - 1], values.max())
    proto = HistogramProto(min=values.min(), max=values.max(), num=values.size, sum=values.sum(),
                           sum_squares=float(np.dot(values, values)), bucket_limit=list(limits),
                           bucket=list(counts.astype(float)))
    return Summary(value=[Summary.Value(tag=tag, histo=proto)])


def to_hwc_uint8(img, dataformats):
    """An image array in any of torch's layouts as HWC uint8 (floats in [0, 1] scaled by 255)."""
    arr = to_numpy(img)
    fmt = dataformats.upper()
    if arr.ndim != len(fmt):
        raise ValueError(f"size of input tensor and input format are different. tensor shape: {arr.shape}, "
                         f"input_format: {dataformats}")
    if fmt == 'HW':
        arr, fmt = arr[..., None], 'HWC'
    arr = np.transpose(arr, [fmt.index(c) for c in 'HWC'])
    if arr.shape[2] == 1:
        arr = np.repeat(arr, 3, axis=2)
    if arr.dtype != np.uint8:
        arr = (np.clip(arr, 0, 1) * 255).round().astype(np.uint8)
    return arr


def grid_nchw(images):
    """Tile an NCHW batch into one CHW grid (as torch's add_images does)."""
    n, c, h, w = images.shape
    ncols = int(np.ceil(np.sqrt(n)))
    nrows = int(np.ceil(n / ncols))
    canvas = np.zeros((c, nrows * h, ncols * w), images.dtype)
    for i in range(n):
        r, col = divmod(i, ncols)
        canvas[:, r * h:(r + 1) * h, col * w:(col + 1) * w] = images[i]
    return canvas


def image(tag, img, dataformats='CHW'):
    """An image summary encoded as PNG (needs Pillow)."""
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("add_image needs Pillow: pip install pillow") from e
    arr = to_hwc_uint8(img, dataformats)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format='PNG')
    proto = Summary.Image(height=arr.shape[0], width=arr.shape[1], colorspace=3,
                          encoded_image_string=buf.getvalue())
    return Summary(value=[Summary.Value(tag=tag, image=proto)])


def figure_to_chw(figure, close=True):
    """Render a matplotlib figure to a CHW uint8 array."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    if close:
        import matplotlib.pyplot as plt
        plt.close(figure)
    return np.ascontiguousarray(rgba[..., :3].transpose(2, 0, 1))


def text(tag, text_string):
    """A text summary (TensorBoard's Text tab, markdown)."""
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name='text'))
    tensor = TensorProto(dtype='DT_STRING', string_val=[text_string.encode('utf-8')],
                         tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
    return Summary(value=[Summary.Value(tag=tag + '/text_summary', metadata=meta, tensor=tensor)])


def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The three summaries (experiment, session start, session end) of TensorBoard's HParams tab."""
    from google.protobuf import struct_pb2
    from tensorboard.plugins.hparams.api_pb2 import DataType, Experiment, HParamInfo, MetricInfo, MetricName
    from tensorboard.plugins.hparams.metadata import (EXPERIMENT_TAG, PLUGIN_DATA_VERSION, PLUGIN_NAME,
                                                      SESSION_END_INFO_TAG, SESSION_START_INFO_TAG)
    from tensorboard.plugins.hparams.plugin_data_pb2 import HParamsPluginData, SessionEndInfo, SessionStartInfo
    if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
        raise TypeError("hparam_dict and metric_dict should be dictionaries")
    discrete = hparam_domain_discrete or {}
    ssi, infos = SessionStartInfo(), []
    for k, v in hparam_dict.items():
        if v is None:
            continue
        if hasattr(v, 'detach'):
            v = float(to_numpy(v).reshape(-1)[0])
        if isinstance(v, bool):
            field, kind = 'bool_value', 'DATA_TYPE_BOOL'
        elif isinstance(v, (int, float)):
            field, kind = 'number_value', 'DATA_TYPE_FLOAT64'
        elif isinstance(v, str):
            field, kind = 'string_value', 'DATA_TYPE_STRING'
        else:
            raise ValueError("value should be one of int, float, str, bool, or Tensor")
        setattr(ssi.hparams[k], field, v)
        domain = struct_pb2.ListValue(values=[struct_pb2.Value(**{field: d}) for d in discrete[k]]) \
            if k in discrete else None
        infos.append(HParamInfo(name=k, type=DataType.Value(kind), domain_discrete=domain))

    def wrap(tag, **data):
        content = HParamsPluginData(version=PLUGIN_DATA_VERSION, **data).SerializeToString()
        meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name=PLUGIN_NAME, content=content))
        return Summary(value=[Summary.Value(tag=tag, metadata=meta)])

    experiment = Experiment(hparam_infos=infos,
                            metric_infos=[MetricInfo(name=MetricName(tag=k)) for k in metric_dict])
    return (wrap(EXPERIMENT_TAG, experiment=experiment), wrap(SESSION_START_INFO_TAG, session_start_info=ssi),
            wrap(SESSION_END_INFO_TAG, session_end_info=SessionEndInfo(status=1)))


def json_text(obj):
    """Pretty JSON for text summaries."""
    return json.dumps(obj, indent=2, default=str)
