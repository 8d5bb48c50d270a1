"""VisionDataset: the base of the image datasets (root, transform, target_transform, repr)."""
import os

from ...utils.data import Dataset


class VisionDataset(Dataset):
    """A dataset under ``root`` whose items pass through ``transform`` (image) and ``target_transform`` (label)."""

    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        self.root = os.path.expanduser(root) if isinstance(root, (str, os.PathLike)) else root
        has_transforms = transforms is not None
        has_separate = transform is not None or target_transform is not None
        if has_transforms and has_separate:
            raise ValueError("Only transforms or transform/target_transform can be passed as argument")
        self.transform = transform
        self.target_transform = target_transform
        if has_separate:
            transforms = _StandardTransform(transform, target_transform)
        self.transforms = transforms

    def _apply(self, img, target):
        if self.transforms is not None:
            img, target = self.transforms(img, target)
        return img, target

    def extra_repr(self):
        """Dataset-specific lines for ``repr``."""
        return ""

    def __repr__(self):
        lines = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            lines.append(f"Root location: {self.root}")
        lines += self.extra_repr().splitlines()
        if self.transform is not None:
            lines += [f"Transform: {line}" if i == 0 else f"           {line}"
                      for i, line in enumerate(repr(self.transform).splitlines())]
        if self.target_transform is not None:
            lines.append(f"Target transform: {self.target_transform!r}")
        return '\n'.join([f"Dataset {self.__class__.__name__}"] + [' ' * self._repr_indent + x for x in lines])


class _StandardTransform:
    def __init__(self, transform=None, target_transform=None):
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, img, target):
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target
