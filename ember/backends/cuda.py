"""``torch.backends.cuda`` flags (accepted; CuPy decides its own GEMM precision)."""
import types

matmul = types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True)
