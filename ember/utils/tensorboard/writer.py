"""SummaryWriter: torch.utils.tensorboard's API over tensorboard's EventFileWriter."""
import os
import socket
import time
from datetime import datetime

from tensorboard.compat.proto.event_pb2 import Event, SessionLog
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from . import summary as S


class FileWriter:
    """Writes Event protobufs to one event file in ``log_dir``."""

    def __init__(self, log_dir, max_queue=10, flush_secs=120, filename_suffix=''):
        self.event_writer = EventFileWriter(str(log_dir), max_queue, flush_secs, filename_suffix)

    def get_logdir(self):
        """The directory written to."""
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None):
        """Write one event with a step and wall time."""
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None):
        """Write a Summary protobuf."""
        self.add_event(Event(summary=summary), global_step, walltime)

    def flush(self):
        """Write pending events to disk."""
        self.event_writer.flush()

    def close(self):
        """Flush and close the file."""
        self.event_writer.close()


class SummaryWriter:
    """Log data for TensorBoard, as ``torch.utils.tensorboard.SummaryWriter``.

    Example::

        with SummaryWriter('runs/exp1') as w:
            for step in range(100):
                w.add_scalar('loss', loss, step)
    """

    def __init__(self, log_dir=None, comment='', purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=''):
        if not log_dir:
            stamp = datetime.now().strftime('%b%d_%H-%M-%S')
            log_dir = os.path.join('runs', f'{stamp}_{socket.gethostname()}{comment}')
        self.log_dir = str(log_dir)
        self.purge_step = purge_step
        self.max_queue, self.flush_secs, self.filename_suffix = max_queue, flush_secs, filename_suffix
        self.file_writer = None
        self.all_writers = {}
        self._get_file_writer()

    def _get_file_writer(self):
        if self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                # TensorBoard drops events after this step from earlier files (a resumed run).
                self.file_writer.add_event(Event(step=self.purge_step, file_version='brain.Event:2'))
                self.file_writer.add_event(Event(step=self.purge_step,
                                                 session_log=SessionLog(status=SessionLog.START)))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self):
        """The directory event files go to."""
        return self.log_dir

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """Log one number (a float or a one-element tensor)."""
        self._get_file_writer().add_summary(S.scalar(tag, scalar_value, new_style, double_precision),
                                            global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Log several numbers in one chart; each goes to the run ``log_dir/main_tag_tag``."""
        walltime = time.time() if walltime is None else walltime
        for tag, value in tag_scalar_dict.items():
            path = os.path.join(self._get_file_writer().get_logdir(), f"{main_tag.replace('/', '_')}_{tag}")
            writer = self.all_writers.get(path)
            if writer is None:
                writer = self.all_writers[path] = FileWriter(path, self.max_queue, self.flush_secs,
                                                             self.filename_suffix)
            writer.add_summary(S.scalar(main_tag, value), global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins='tensorflow', walltime=None, max_bins=None):
        """Log the distribution of a tensor's values."""
        self._get_file_writer().add_summary(S.histogram(tag, values, bins, max_bins), global_step, walltime)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats='CHW'):
        """Log one image (CHW by default; floats in [0, 1] or uint8)."""
        self._get_file_writer().add_summary(S.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats='NCHW'):
        """Log a batch of images tiled into one grid."""
        arr = S.to_numpy(img_tensor)
        if dataformats.upper() == 'NHWC':
            arr = arr.transpose(0, 3, 1, 2)
        elif dataformats.upper() != 'NCHW':
            raise ValueError(f"dataformats must be NCHW or NHWC, got {dataformats}")
        self.add_image(tag, S.grid_nchw(arr), global_step, walltime, 'CHW')

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Log a matplotlib figure (or a list of them) as an image."""
        if isinstance(figure, list):
            import numpy as np
            self.add_image(tag, S.grid_nchw(np.stack([S.figure_to_chw(f, close) for f in figure])),
                           global_step, walltime)
        else:
            self.add_image(tag, S.figure_to_chw(figure, close), global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Log markdown text."""
        self._get_file_writer().add_summary(S.text(tag, text_string), global_step, walltime)

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None,
                    global_step=None):
        """Log a set of hyperparameters with the metrics they reached (HParams tab)."""
        if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
            raise TypeError('hparam_dict and metric_dict should be dictionary.')
        run = run_name if run_name is not None else str(time.time())
        with SummaryWriter(os.path.join(self._get_file_writer().get_logdir(), run)) as w:
            for summary in S.hparams(hparam_dict, metric_dict, hparam_domain_discrete):
                w.file_writer.add_summary(summary)
            for k, v in metric_dict.items():
                w.add_scalar(k, v, global_step)

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """Log the autograd graph of ``model(input_to_model)``: grad_fn nodes and named parameters."""
        from .graph import build_graph
        inputs = input_to_model if isinstance(input_to_model, (list, tuple)) else (input_to_model,)
        from ... import enable_grad
        with enable_grad():
            out = model(*inputs)
        outs = out if isinstance(out, (list, tuple)) else (out,)
        outs = [o for o in outs if hasattr(o, 'grad_fn')]
        graph = build_graph(outs, list(model.named_parameters()), inputs)
        if verbose:
            print(graph)
        self._get_file_writer().add_event(Event(graph_def=graph.SerializeToString()))

    def flush(self):
        """Write everything pending to disk."""
        for w in self.all_writers.values():
            w.flush()

    def close(self):
        """Flush and close every event file."""
        for w in self.all_writers.values():
            w.flush()
            w.close()
        self.file_writer = None
        self.all_writers = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
