"""``ember.nn.utils``: gradient clipping, parameter/vector conversion and module hook plumbing."""
import importlib as _importlib

from . import hooks
from .clip_grad import clip_grad_norm, clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_
from .convert_parameters import parameters_to_vector, vector_to_parameters


def __getattr__(name):
    # Other families (rnn, parametrize...) live in their own files here and load on first use.
    try:
        return _importlib.import_module(f'.{name}', __name__)
    except ModuleNotFoundError as e:
        if e.name != f'{__name__}.{name}':
            raise
        raise AttributeError(f"module 'ember.nn.utils' has no attribute '{name}'") from None
