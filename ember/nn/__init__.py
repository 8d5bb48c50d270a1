"""``ember.nn``: modules, layers, losses, ``functional``, ``init`` and ``utils``, as ``torch.nn``."""
from .parameter import *  # noqa: F401,F403
from .module import Module
from .modules import *  # noqa: F401,F403
from . import functional, init, utils
