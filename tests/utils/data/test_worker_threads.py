"""DataLoader workers run BLAS on one thread, as torch's workers do."""
import ember
from ember import _perf
from ember.utils.data import DataLoader, Dataset


class _Threads(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        n = _perf.get_blas_threads()
        return -1 if n is None else n


def test_workers_use_one_blas_thread():
    expected = -1 if _perf.get_blas_threads() is None else 1
    loader = DataLoader(_Threads(), batch_size=None, num_workers=2)
    assert [int(v) for v in loader] == [expected, expected]
