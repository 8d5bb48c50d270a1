"""``ember.backends``: the switches PyTorch scripts set on ``torch.backends`` (accepted; ember has no cuDNN)."""
from . import cuda, cudnn, mps  # noqa: F401
