"""ember._perf: allocator tuning and BLAS thread limits are optional and never raise."""
import numpy as np

from ember import _perf


def test_tune_malloc_is_idempotent():
    first = _perf.tune_malloc()
    assert isinstance(first, bool)
    assert _perf.tune_malloc() is False  # a second call changes nothing
    a = np.ones((1024, 1024), np.float32)  # large blocks still allocate and free normally
    assert float(a.sum()) == 1024 * 1024


def test_blas_threads_round_trip():
    before = _perf.get_blas_threads()
    if before is None:  # no OpenBLAS visible (another BLAS, no threadpoolctl): nothing to check
        assert _perf.set_blas_threads(1) in (True, False)
        return
    try:
        assert _perf.set_blas_threads(1) is True
        assert _perf.get_blas_threads() == 1
        a = np.arange(16, dtype=np.float32).reshape(4, 4)
        np.testing.assert_allclose(a @ a, np.dot(a.astype(np.float64), a))
    finally:
        _perf.set_blas_threads(before)
    assert _perf.get_blas_threads() == before
