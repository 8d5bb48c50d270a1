"""Benchmarks timing ember against PyTorch in the same run (``python -m benchmarks``)."""
