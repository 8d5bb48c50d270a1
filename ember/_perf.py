"""Process-wide performance tuning: the C allocator and BLAS threads.

Two findings from profiling training steps on a small shared machine:

* glibc's malloc serves blocks above its mmap threshold (128 KiB at start,
  adapting upward later) with fresh ``mmap`` calls and hands freed heap tops
  back to the OS; a training step that allocates and frees the same large
  temporaries every iteration then pays page faults on each. ``tune_malloc``
  raises both thresholds, so the memory is reused from the heap (a LeNet-5
  step went from 24 to 15 ms).
* OpenBLAS spins worker threads; on an oversubscribed machine (DataLoader
  workers, other processes) thin GEMMs become many times slower. torch runs
  one thread per DataLoader worker; ``set_blas_threads(1)`` does the same.

Everything here is optional and silent where it does not apply (no glibc, no
OpenBLAS, threadpoolctl absent). Nothing runs at import: callers decide
(``ember.set_num_threads`` should call ``set_blas_threads``; the package
``__init__`` may call ``tune_malloc()`` once).
"""
import ctypes
import sys

__all__ = ['tune_malloc', 'set_blas_threads', 'get_blas_threads']

# mallopt parameter numbers from glibc's malloc.h.
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

# Names under which OpenBLAS builds export their thread-count setters (plain,
# 64-bit-integer, and the scipy-openblas wheels NumPy bundles).
_OPENBLAS_SETTERS = ('scipy_openblas_set_num_threads64_', 'scipy_openblas_set_num_threads',
                     'openblas_set_num_threads64_', 'openblas_set_num_threads')
_OPENBLAS_GETTERS = tuple(name.replace('set_', 'get_') for name in _OPENBLAS_SETTERS)

_malloc_tuned = False


def tune_malloc(mmap_threshold=32 << 20, trim_threshold=256 << 20):
    """Raise glibc's mmap and trim thresholds so large temporaries are reused, not re-faulted.

    Args:
        mmap_threshold: blocks at least this big still get their own mapping
            (32 MiB, glibc's upper limit for the dynamic threshold).
        trim_threshold: free memory at the heap top kept before returning it to the OS.

    Returns:
        True when the allocator accepted both settings, False elsewhere
        (macOS, Windows, musl) or when already tuned by this function.
    """
    global _malloc_tuned
    if _malloc_tuned or not sys.platform.startswith('linux'):
        return False
    try:
        libc = ctypes.CDLL('libc.so.6')
        ok = libc.mallopt(_M_MMAP_THRESHOLD, int(mmap_threshold)) == 1
        ok = libc.mallopt(_M_TRIM_THRESHOLD, int(trim_threshold)) == 1 and ok
    except (OSError, AttributeError):
        return False
    _malloc_tuned = ok
    return ok


def _openblas_libraries():
    """The OpenBLAS shared libraries already loaded into this process (Linux: read from /proc/self/maps)."""
    import numpy  # noqa: F401  (loads NumPy's BLAS, the one to tune)
    try:
        with open('/proc/self/maps') as maps:
            paths = {line.split()[-1] for line in maps if 'openblas' in line.lower() and '/' in line}
    except OSError:
        return []
    libs = []
    for path in sorted(paths):
        try:
            libs.append(ctypes.CDLL(path))
        except OSError:
            pass
    return libs


def _call_openblas(names, *args):
    """Call the first exported function among ``names`` in each loaded OpenBLAS; the results in order."""
    results = []
    for lib in _openblas_libraries():
        for name in names:
            fn = getattr(lib, name, None)
            if fn is not None:
                results.append(fn(*args))
                break
    return results


def set_blas_threads(n):
    """Limit the BLAS (and OpenMP) thread pools of this process to ``n`` threads.

    Uses threadpoolctl when it is installed (it knows MKL, BLIS, OpenMP),
    else OpenBLAS's own setter found among the loaded libraries.

    Returns:
        True when some thread pool was limited, False when none was found.
    """
    n = int(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return bool(_call_openblas(_OPENBLAS_SETTERS, ctypes.c_int(n)) if n > 0 else [])
    threadpool_limits(n)
    return True


def get_blas_threads():
    """The BLAS thread count in use (the first pool found), or None when no BLAS pool is visible."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        counts = _call_openblas(_OPENBLAS_GETTERS)
        return counts[0] if counts else None
    pools = [p for p in threadpool_info() if p.get('user_api') == 'blas']
    return pools[0]['num_threads'] if pools else None


_AXPY = {}


def blas_axpy(dtype):
    """OpenBLAS's ``cblas_?axpy`` for float32/float64 as ``f(n, alpha, x_ptr, y_ptr)`` (``y += alpha * x``), or None.

    One fused, FMA-rounded pass (torch's ``add_(x, alpha=a)`` rounds the same
    way), threaded by OpenBLAS on long vectors; NumPy needs a temporary and two
    passes for the same update. Found among the already loaded libraries.
    """
    import numpy as np
    dtype = np.dtype(dtype)
    if dtype in _AXPY:
        return _AXPY[dtype]
    fn = None
    prefix = {'float32': 's', 'float64': 'd'}.get(dtype.name)
    if prefix is not None and sys.platform.startswith('linux'):
        scalar = ctypes.c_float if prefix == 's' else ctypes.c_double
        names = (f'scipy_cblas_{prefix}axpy64_', f'cblas_{prefix}axpy64_', f'scipy_cblas_{prefix}axpy',
                 f'cblas_{prefix}axpy')
        for lib in _openblas_libraries():
            for name in names:
                raw = getattr(lib, name, None)
                if raw is None:
                    continue
                index = ctypes.c_int64 if name.endswith('64_') else ctypes.c_int
                raw.restype = None
                raw.argtypes = [index, scalar, ctypes.c_void_p, index, ctypes.c_void_p, index]
                fn = _bind_axpy(raw)
                break
            if fn is not None:
                break
    _AXPY[dtype] = fn
    return fn


def _bind_axpy(raw):
    def axpy(n, alpha, x_ptr, y_ptr):
        raw(n, alpha, x_ptr, 1, y_ptr, 1)
    return axpy
