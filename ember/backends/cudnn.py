"""``torch.backends.cudnn`` flags. ember's GPU path uses CuPy, not cuDNN, so they change nothing."""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    """Always False: ember does not use cuDNN."""
    return False


def version():
    """None: no cuDNN."""
    return None
