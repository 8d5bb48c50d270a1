"""ember.utils: data loading, TensorBoard, checkpoints and model inspection."""
import importlib as _importlib

_SUBMODULES = ('data', 'tensorboard', 'safetensors', 'viz', 'checkpoint')


def __getattr__(name):
    # Loaded on first use, as torch.utils.data is, so `import ember` stays fast.
    if name in _SUBMODULES:
        return _importlib.import_module(f'.{name}', __name__)
    if name == 'summary':
        return _importlib.import_module('.model_summary', __name__).summary
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")
