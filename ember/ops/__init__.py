"""Differentiable primitives and the functions built on them.

Each module holds one family; forward works on backend arrays, backward on
Tensors. NumPy ufuncs and array functions (``np.exp``, ``np.where``...) are
called on the arrays directly: CuPy arrays dispatch them to CuPy through
NumPy's ``__array_ufunc__``/``__array_function__`` protocols, so one code path
serves both devices. Only array *creation* asks ``backend`` for ``xp``.

Every module lists in ``__all__`` the functions exported as ``ember.<name>``,
in ``TENSOR_METHODS`` those that are also Tensor methods, and in ``INPLACE``
those that get an in-place ``name_`` method.
"""
MODULES = ('arithmetic', 'unary', 'comparison', 'copy', 'indexing', 'linalg', 'reduction', 'shape', 'joining',
           'sorting', 'selection', 'activation', 'misc', 'conv')
