"""Optimizers and learning-rate schedulers, as ``torch.optim``.

``ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)`` behaves as
torch's: same update equations, defaults, validation and state_dict
format, so a trajectory started in torch can be continued here.
"""
from . import lr_scheduler
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ['ASGD', 'Adadelta', 'Adafactor', 'Adagrad', 'Adam', 'AdamW', 'Adamax', 'LBFGS', 'NAdam', 'Optimizer', 'RAdam',
           'RMSprop', 'Rprop', 'SGD', 'lr_scheduler', 'swa_utils']


def __getattr__(name):
    # swa_utils needs ember.nn; load it on first use so that importing ember.optim does not.
    if name == 'swa_utils':
        import importlib
        return importlib.import_module('.swa_utils', __name__)
    raise AttributeError(f"module 'ember.optim' has no attribute '{name}'")
