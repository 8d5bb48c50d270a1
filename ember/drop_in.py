"""Run an unmodified PyTorch script on ember: ``python -m ember.drop_in script.py [args...]``.

An import hook serves ``torch``, ``torch.*``, ``torchvision`` and
``torchvision.*`` from ember (``torch.nn`` -> ``ember.nn``, ``torchvision``
-> ``ember.vision``); nothing is patched on disk and the real torch, if
installed, is never imported. What a script can use is what ember implements
(see the README); anything else fails with an ImportError/AttributeError
naming the missing piece.
"""
import importlib
import importlib.abc
import importlib.machinery
import runpy
import sys

_PREFIXES = (('torchvision', 'ember.vision'), ('torch', 'ember'))


def ember_name(name):
    """The ember module serving ``name`` ('torch.nn' -> 'ember.nn'), or None for other modules."""
    for prefix, target in _PREFIXES:
        if name == prefix or name.startswith(prefix + '.'):
            return target + name[len(prefix):]
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        try:
            return importlib.import_module(self.target)
        except ImportError as e:
            raise ImportError(f"ember.drop_in: '{spec.name}' maps to '{self.target}', which ember does not "
                              f"provide ({e})") from None

    def exec_module(self, module):
        pass  # the ember module is already executed


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Answers imports of torch/torchvision modules with the matching ember modules."""

    def find_spec(self, name, path=None, target=None):
        mapped = ember_name(name)
        if mapped is None:
            return None
        return importlib.machinery.ModuleSpec(name, _AliasLoader(mapped))


def install():
    """Put the hook first on sys.meta_path (idempotent) and drop any torch modules already imported."""
    if not any(isinstance(f, TorchAliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, TorchAliasFinder())
    for name in [n for n in sys.modules if ember_name(n) is not None]:
        del sys.modules[name]


def main(argv=None):
    """Entry point of ``python -m ember.drop_in``."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ('-h', '--help'):
        print(__doc__)
        return 0 if argv else 2
    install()
    sys.argv = list(argv)
    runpy.run_path(argv[0], run_name='__main__')
    return 0


if __name__ == '__main__':
    sys.exit(main())
