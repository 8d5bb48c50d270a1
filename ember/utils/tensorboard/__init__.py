"""``ember.utils.tensorboard.SummaryWriter``: log scalars, images, histograms... for TensorBoard.

Like torch's, it writes through the ``tensorboard`` package's own event-file
writer and protobufs, an optional dependency: ``pip install tensorboard``.
"""
try:
    import tensorboard  # noqa: F401
except ImportError as e:
    raise ImportError("ember.utils.tensorboard needs the tensorboard package: pip install tensorboard "
                      "(or pip install 'ember[tensorboard]')") from e

from .writer import SummaryWriter

__all__ = ['SummaryWriter']
