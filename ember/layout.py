"""Memory layouts; ember only has the strided one."""


class layout:
    """A tensor memory layout (only ``ember.strided`` exists)."""
    __slots__ = ('name',)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"ember.{self.name}"


strided = layout('strided')
