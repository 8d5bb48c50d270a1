"""``ember.save`` / ``ember.load`` in PyTorch's zip checkpoint format.

Files written here open with ``torch.load`` and files written by
``torch.save`` open here: the pickle names torch's own rebuild functions
(``torch._utils._rebuild_tensor_v2``) and storages are stored as raw
little-endian records ``<archive>/data/<key>``. Loading defaults to torch's
``weights_only=True`` semantics: only tensors, containers and plain values
may be rebuilt; a pickle that imports or calls anything else is refused.
Saving to a path is atomic: a temporary file is renamed over the target.
"""
import collections
import io
import os
import pickle
import struct
import tempfile
import zipfile

import numpy as np

from . import backend, dtypes
from .device import device as _device, resolve
from .tensor import Tensor

_STORAGE_NAMES = {'float32': 'FloatStorage', 'float64': 'DoubleStorage', 'float16': 'HalfStorage',
                  'bfloat16': 'BFloat16Storage', 'int64': 'LongStorage', 'int32': 'IntStorage',
                  'int16': 'ShortStorage', 'int8': 'CharStorage', 'uint8': 'ByteStorage', 'bool': 'BoolStorage',
                  'complex64': 'ComplexFloatStorage', 'complex128': 'ComplexDoubleStorage'}
_STORAGE_DTYPES = {v: k for k, v in _STORAGE_NAMES.items()}
_ALIGN = 64  # torch aligns each record's data to 64 bytes so that it can be memory-mapped


class _Global:
    """A reference to a global of another library (torch), pickled by name without importing it."""

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle insists that a reduce function be callable
        raise TypeError(f"{self.module}.{self.name} is a placeholder used for pickling")


class _Storage:
    """One tensor's memory, written as a separate zip record."""

    def __init__(self, array, location):
        self.array, self.location = np.ascontiguousarray(array), location


_REBUILD_TENSOR = _Global('torch._utils', '_rebuild_tensor_v2')
_REBUILD_PARAMETER = _Global('torch._utils', '_rebuild_parameter')


class _TorchPickler(pickle._Pickler):
    """A pickler writing tensors the way torch.save does (pure-Python pickler: it lets us emit
    torch's global names without torch being installed)."""

    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file):
        super().__init__(file, protocol=2)
        self.storages = []

    def save_torch_global(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    dispatch[_Global] = save_torch_global

    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            key = str(len(self.storages))
            self.storages.append((key, obj.array))
            return ('storage', _Global('torch', _STORAGE_NAMES[obj.array.dtype.name]), key, obj.location,
                    obj.array.size)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        return NotImplemented

    def save(self, obj, save_persistent_id=True):
        # dtypes and devices are pickled by torch's names so torch.load understands them.
        if isinstance(obj, dtypes.dtype):
            return self.save_torch_global(_Global('torch', obj.name))
        return super().save(obj, save_persistent_id)

    def _reduce_tensor(self, t):
        from .nn.parameter import Parameter
        arr = backend.to_numpy(t._data)
        location = 'cpu' if not t.is_cuda else f'cuda:{t.device.index or 0}'
        storage = _Storage(arr.reshape(-1) if arr.flags.c_contiguous else np.ascontiguousarray(arr).reshape(-1),
                           location)
        stride = tuple(int(np.prod(arr.shape[i + 1:])) for i in range(arr.ndim))
        rebuilt = (_REBUILD_TENSOR, (storage, 0, tuple(arr.shape), stride, False if isinstance(t, Parameter)
                                     else t.requires_grad, collections.OrderedDict()))
        if isinstance(t, Parameter):
            return _REBUILD_PARAMETER, (_Reduced(rebuilt), t.requires_grad, collections.OrderedDict())
        return rebuilt


class _Reduced:
    """A (func, args) pair to be pickled as a REDUCE inside another reduce's arguments."""

    def __init__(self, pair):
        self.pair = pair

    def __reduce__(self):
        return self.pair


def _write_aligned(zf, name, data):
    """Add a stored record whose data starts on a 64-byte boundary, as torch does."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    header = 30 + len(name.encode())
    offset = zf.fp.tell() + header + 4  # 4 bytes of the extra field's own header
    pad = (-offset) % _ALIGN
    info.extra = struct.pack('<HH', 0x4246, pad) + b'Z' * pad  # 'FB' padding field, like torch's writer
    zf.writestr(info, data)


def _write_archive(obj, f, archive):
    buf = io.BytesIO()
    pickler = _TorchPickler(buf)
    pickler.dump(obj)
    with zipfile.ZipFile(f, 'w', zipfile.ZIP_STORED) as zf:
        _write_aligned(zf, f'{archive}/data.pkl', buf.getvalue())
        _write_aligned(zf, f'{archive}/.format_version', b'1')
        _write_aligned(zf, f'{archive}/.storage_alignment', b'64')
        _write_aligned(zf, f'{archive}/byteorder', b'little')
        for key, arr in pickler.storages:
            data = arr.astype(arr.dtype.newbyteorder('<'), copy=False).tobytes()
            _write_aligned(zf, f'{archive}/data/{key}', data)
        _write_aligned(zf, f'{archive}/version', b'3\n')
        _write_aligned(zf, f'{archive}/.data/serialization_id', os.urandom(20).hex().encode())


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True):
    """Save ``obj`` (tensors, state_dicts, containers...) to a path or binary file in torch's format.

    Saving to a path writes a temporary file in the same directory and renames
    it over the target, so a crash mid-save leaves the previous file intact.
    """
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        archive = os.path.splitext(os.path.basename(path))[0] or 'archive'
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.', suffix='.tmp', dir=directory)
        try:
            with os.fdopen(fd, 'wb') as out:
                _write_archive(obj, out, archive)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    else:
        _write_archive(obj, f, 'archive')


# ---- loading ----------------------------------------------------------------

_SAFE_GLOBALS = {('collections', 'OrderedDict'), ('builtins', 'set'), ('builtins', 'frozenset'),
                 ('builtins', 'complex'), ('builtins', 'slice'), ('builtins', 'bytearray'), ('_codecs', 'encode'),
                 ('torch._utils', '_rebuild_tensor_v2'), ('torch._utils', '_rebuild_parameter'),
                 ('torch._utils', '_rebuild_parameter_with_state'), ('torch', 'Size'), ('torch', 'device'),
                 ('torch.serialization', '_get_layout'), ('torch', 'strided')}


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad=False, hooks=None, metadata=None):
    arr, dev = storage
    itemsize = arr.dtype.itemsize
    view = np.lib.stride_tricks.as_strided(arr[offset:], shape=tuple(size),
                                           strides=tuple(s * itemsize for s in stride)) if arr.size else \
        arr[:0].reshape(tuple(size)) if 0 in tuple(size) else arr.reshape(tuple(size))
    t = Tensor._make(backend.to_device_array(np.array(view), dev) if dev.type != 'cpu' else np.array(view))
    if requires_grad:
        t.requires_grad = True
    return t


def _rebuild_parameter(data, requires_grad, hooks=None, state=None):
    from .nn.parameter import Parameter
    return Parameter(data, requires_grad)


class _Unpickler(pickle.Unpickler):
    """Rebuilds torch's pickled tensors as ember tensors; refuses other globals when weights_only."""

    def __init__(self, file, records, map_location, weights_only, path):
        super().__init__(file)
        self.records, self.map_location, self.weights_only, self.path = records, map_location, weights_only, path
        self.loaded = {}

    def find_class(self, module, name):
        if (module, name) in _SAFE_GLOBALS or (module == 'torch' and (name in _STORAGE_DTYPES or
                                                                      hasattr(dtypes, name))):
            return self._translate(module, name)
        if self.weights_only:
            raise pickle.UnpicklingError(
                f"Weights only load failed for {self.path}: unsupported global {module}.{name}. ember.load with "
                "weights_only=True only rebuilds tensors, containers and plain values; pass weights_only=False "
                "only if you trust the file's source.")
        if module.startswith('torch'):
            module = 'ember' + module[len('torch'):]
        return super().find_class(module, name)

    def _translate(self, module, name):
        if module == 'torch._utils':
            return {'_rebuild_tensor_v2': _rebuild_tensor_v2, '_rebuild_parameter': _rebuild_parameter,
                    '_rebuild_parameter_with_state': _rebuild_parameter}[name]
        if module == 'torch':
            if name in _STORAGE_DTYPES:
                return _STORAGE_DTYPES[name]
            if name == 'Size':
                from .size import Size
                return Size
            if name == 'device':
                return _device
            if name == 'strided':
                from .layout import strided
                return strided
            return getattr(dtypes, name)
        if module == 'torch.serialization':
            return lambda *a: None
        if module == '_codecs':
            import codecs
            return codecs.encode
        import builtins
        return collections.OrderedDict if name == 'OrderedDict' else getattr(builtins, name)

    def persistent_load(self, pid):
        kind, dtype_name, key, location, numel = pid[:5]
        if kind != 'storage':
            raise pickle.UnpicklingError(f"{self.path}: unknown persistent id {kind!r}")
        if key not in self.loaded:
            name = self.records.get(key)
            if name is None:
                raise RuntimeError(f"{self.path} is corrupt: storage record data/{key} is missing")
            dt = dtypes.to_dtype(getattr(dtypes, dtype_name)).np.newbyteorder('<')
            raw = self.records['__zip__'].read(name)
            arr = np.frombuffer(raw, dtype=dt).astype(dt.newbyteorder('='), copy=True)
            if arr.size != numel and numel is not None and arr.size < numel:
                raise RuntimeError(f"{self.path} is corrupt: storage {key} holds {arr.size} elements, "
                                   f"expected {numel}")
            self.loaded[key] = (arr, self._device_for(location))
        return self.loaded[key]

    def _device_for(self, location):
        ml = self.map_location
        if isinstance(ml, dict):
            location = ml.get(location, location)
        elif isinstance(ml, (str, _device)):
            location = str(ml)
        elif callable(ml):
            location = 'cpu'
        dev = _device(location)
        if dev.type == 'cuda' and not backend.cuda_available():
            raise RuntimeError("Attempting to deserialize object on a CUDA device but ember.cuda.is_available() "
                               "is False. If you are running on a CPU-only machine, please use ember.load with "
                               "map_location='cpu' to map your storages to the CPU.")
        return resolve(dev)


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **pickle_load_args):
    """Load an object saved by ``ember.save`` or ``torch.save`` (zip format)."""
    path = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, 'name', '<file object>')
    try:
        zf = zipfile.ZipFile(f)
    except FileNotFoundError:  # an OSError, but not a corrupt file: let it through as is
        raise
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise RuntimeError(f"{path} is not a valid checkpoint (truncated or corrupt zip archive: {e}). "
                           "ember reads the zip format written by torch.save and ember.save.") from None
    with zf:
        names = zf.namelist()
        pkl = [n for n in names if n.endswith('/data.pkl') or n == 'data.pkl']
        if not pkl:
            raise RuntimeError(f"{path} is not a valid checkpoint: it has no data.pkl record")
        prefix = pkl[0][:-len('data.pkl')]
        records = {n[len(prefix) + len('data/'):]: n for n in names if n.startswith(prefix + 'data/')}
        records['__zip__'] = zf
        try:
            data = zf.read(pkl[0])
            return _Unpickler(io.BytesIO(data), records, map_location, weights_only, path).load()
        except (zipfile.BadZipFile, EOFError, struct.error, ValueError) as e:
            raise RuntimeError(f"{path} is corrupt or truncated: {e}") from None
