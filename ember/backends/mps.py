"""``torch.backends.mps``: Apple GPUs are not supported by ember."""


def is_available():
    """Always False."""
    return False


def is_built():
    """Always False."""
    return False
