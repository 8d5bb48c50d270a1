"""``ember.nn.utils``: gradient clipping, parameter/vector conversion and module hook plumbing."""
from . import hooks
