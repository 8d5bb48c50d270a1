"""Devices: ember.device objects, tensor.device/.to/.cpu/.cuda, ember.cuda and ember.accelerator."""
import pytest

import ember
from tests.oracle import requires_torch, torch
from tests.test_tensor import same_repr

HAS_CUDA = ember.cuda.is_available()
requires_cuda = pytest.mark.skipif(not HAS_CUDA, reason="no GPU (CuPy) available")


@requires_torch
@pytest.mark.parametrize('fn', [
    lambda m: m.device('cpu'), lambda m: m.device('cuda'), lambda m: m.device('cuda:1'), lambda m: m.device('cuda', 2),
    lambda m: m.device('cuda:1').index, lambda m: m.device('cuda:1').type, lambda m: str(m.device('cuda:1')),
    lambda m: m.device('cpu').index, lambda m: m.device('cpu') == m.device('cpu'), lambda m: m.device('cpu') == 'cpu',
    lambda m: m.device('cuda:0') == m.device('cuda'), lambda m: m.device(m.device('cpu')),
    lambda m: m.device('xla2'), lambda m: m.device('cuda:x'), lambda m: m.device('cuda:-1'),
    lambda m: m.device('cpu:0').index, lambda m: len({m.device('cpu'), m.device('cpu')}),
    lambda m: m.zeros(2).device, lambda m: m.zeros(2, device='cpu').to('cpu').device, lambda m: m.zeros(2).cpu(),
    lambda m: m.zeros(2).is_cuda, lambda m: m.zeros(2).to(m.float64), lambda m: m.zeros(2).to('cpu', m.int32),
    lambda m: m.zeros(2).to(m.zeros(1, dtype=m.float16)), lambda m: m.zeros(2).to(device='cpu', dtype=m.bool),
    lambda m: m.zeros(2, requires_grad=True).to(m.float64),
])
def test_device_objects_and_to_match_torch(fn):
    same_repr(fn)


def test_to_is_identity_when_nothing_changes():
    x = ember.zeros(2)
    assert x.to('cpu') is x and x.to(ember.float32) is x and x.cpu() is x
    assert x.to(ember.float32, copy=True) is not x


def test_to_dtype_is_differentiable():
    x = ember.tensor([1., 2.], requires_grad=True)
    y = x.to(ember.float64)
    assert y.grad_fn.name() == 'ToCopyBackward0'
    (y * y).sum().backward()
    assert x.grad.dtype is ember.float32 and x.grad.tolist() == [2., 4.]


@pytest.mark.skipif(HAS_CUDA, reason="checks the error raised without a GPU")
@pytest.mark.parametrize('fn', [lambda: ember.zeros(2, device='cuda'), lambda: ember.zeros(2).cuda(),
                                lambda: ember.zeros(2).to('cuda'), lambda: ember.tensor([1], device='cuda:0'),
                                lambda: ember.cuda.current_device()])
def test_cuda_without_gpu_raises_clear_runtime_error(fn):
    with pytest.raises(RuntimeError, match='CUDA is not available'):
        fn()


def test_cuda_and_accelerator_queries():
    assert ember.cuda.is_available() == HAS_CUDA == ember.accelerator.is_available()
    assert ember.cuda.device_count() == ember.accelerator.device_count()
    ember.cuda.synchronize()  # a no-op without a GPU
    acc = ember.accelerator.current_accelerator()
    assert (acc is None) if not HAS_CUDA else (acc.type == 'cuda')
    assert ember.get_num_threads() >= 1


@requires_cuda
def test_cuda_tensors_round_trip():
    x = ember.arange(6.).reshape(2, 3).cuda()
    assert x.is_cuda and x.device == ember.device('cuda', 0) and "device='cuda:0'" in repr(x)
    y = (x * 2).sum(1)
    assert y.device.type == 'cuda' and y.cpu().tolist() == [6., 24.]
    w = ember.ones(3, device='cuda', requires_grad=True)
    (x * w).sum().backward()
    assert w.grad.is_cuda and w.grad.cpu().tolist() == [3., 5., 7.]
    cat = ember.cat([x, x]).t()[1:, ::2]
    assert cat.cpu().tolist() == [[1., 1.], [2., 2.]]
    x[0, 0] = 9
    assert x.cpu()[0, 0].item() == 9


@requires_cuda
def test_mixed_devices_raise():
    with pytest.raises(RuntimeError, match='Expected all tensors to be on the same device'):
        ember.cat([ember.zeros(2), ember.zeros(2, device='cuda')])
    with pytest.raises(RuntimeError, match='Expected all tensors to be on the same device'):
        ember.where(ember.zeros(2) > 0, ember.zeros(2, device='cuda'), ember.zeros(2))


def test_backend_flags_and_cuda_memory_queries_work_without_a_gpu():
    ember.backends.cudnn.benchmark = True
    ember.backends.cudnn.deterministic = True
    assert ember.backends.cudnn.benchmark and not ember.backends.mps.is_available()
    ember.cuda.empty_cache()
    if not HAS_CUDA:
        assert ember.cuda.memory_allocated() == 0 == ember.cuda.memory_reserved()
        with pytest.raises(RuntimeError):
            ember.cuda.get_device_name(0)
