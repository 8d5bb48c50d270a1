"""FakeData: random images and labels, reproducible per index, for trying out a pipeline without files."""
import ember
from .vision import VisionDataset

__all__ = ['FakeData']


class FakeData(VisionDataset):
    """``size`` random PIL images of shape ``image_size`` (C, H, W) with labels in ``[0, num_classes)``.

    Item ``i`` is drawn from a generator seeded with ``i + random_offset``, so it is the same on every
    access and in every worker, as in torchvision.
    """

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None, target_transform=None,
                 random_offset=0):
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = tuple(image_size)
        self.random_offset = random_offset

    def __getitem__(self, index):
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        from ..transforms import ToPILImage
        g = ember.Generator().manual_seed(index + self.random_offset)
        img = ember.randn(*self.image_size, generator=g)
        target = int(ember.randint(0, self.num_classes, (1,), generator=g).item())
        return self._apply(ToPILImage()(img), target)

    def __len__(self):
        return self.size
