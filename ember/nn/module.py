"""(to be written)"""


class Module:
    """placeholder"""
