"""(to be written)"""
__all__ = ()
TENSOR_METHODS = ()
