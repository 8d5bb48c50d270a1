"""DatasetFolder and ImageFolder: samples stored as ``root/<class>/<file>``, the class taken from the folder."""
import os

from .vision import VisionDataset

__all__ = ['IMG_EXTENSIONS', 'has_file_allowed_extension', 'is_image_file', 'find_classes', 'make_dataset',
           'pil_loader', 'default_loader', 'DatasetFolder', 'ImageFolder']

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp')


def has_file_allowed_extension(filename, extensions):
    """True when ``filename`` ends (case-insensitively) with one of ``extensions``."""
    return filename.lower().endswith(extensions if isinstance(extensions, str) else tuple(extensions))


def is_image_file(filename):
    """True for the extensions Pillow reads (IMG_EXTENSIONS)."""
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory):
    """The sorted sub-folder names of ``directory`` and the mapping name -> index.

    Example::

        root/cat/1.png, root/dog/7.png  ->  (['cat', 'dog'], {'cat': 0, 'dog': 1})
    """
    try:
        classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    except FileNotFoundError:
        raise FileNotFoundError(f"Couldn't find the dataset folder {directory}.") from None
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(directory, class_to_idx=None, extensions=None, is_valid_file=None, allow_empty=False):
    """The ``(path, class_index)`` pairs under ``directory``, classes and files in sorted order.

    Exactly one of ``extensions`` and ``is_valid_file`` selects the files.
    """
    directory = os.path.expanduser(directory)
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the same time")
    if extensions is not None:
        def is_valid_file(path):
            return has_file_allowed_extension(path, extensions)
    instances, available = [], set()
    for target_class in sorted(class_to_idx):
        target_dir = os.path.join(directory, target_class)
        if not os.path.isdir(target_dir):
            continue
        for root, _, fnames in sorted(os.walk(target_dir, followlinks=True)):
            for fname in sorted(fnames):
                path = os.path.join(root, fname)
                if is_valid_file(path):
                    instances.append((path, class_to_idx[target_class]))
                    available.add(target_class)
    empty = set(class_to_idx) - available
    if empty and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            msg += f"Supported extensions are: {extensions if isinstance(extensions, str) else ', '.join(extensions)}"
        raise FileNotFoundError(msg)
    return instances


def pil_loader(path):
    """Open ``path`` with Pillow as an RGB image; a corrupt or truncated file raises an error naming it."""
    from PIL import Image, UnidentifiedImageError
    try:
        with open(path, 'rb') as f:
            img = Image.open(f)
            return img.convert('RGB')  # forces the decode while the file is open
    except UnidentifiedImageError as e:
        raise UnidentifiedImageError(f"cannot identify image file {path!r}: not an image or corrupt") from e
    except (OSError, SyntaxError, ValueError) as e:
        raise OSError(f"cannot read image file {path!r}: {e}") from e


def default_loader(path):
    """The loader ImageFolder uses: ``pil_loader``."""
    return pil_loader(path)


class DatasetFolder(VisionDataset):
    """Samples in ``root/<class>/**/<file>``; items are ``(loader(path), class_index)``.

    Args:
        root: the folder whose sub-folders are the classes.
        loader: reads a sample from its path.
        extensions: file endings to keep (exclusive with ``is_valid_file``).
        transform / target_transform: applied to the sample / the class index.
        is_valid_file: a predicate on the path choosing the files.
        allow_empty: allow class folders without a valid file.

    Attributes:
        classes, class_to_idx, samples (list of (path, class_index)), targets (class indices).
    """

    def __init__(self, root, loader, extensions=None, transform=None, target_transform=None, is_valid_file=None,
                 allow_empty=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx=class_to_idx, extensions=extensions,
                                    is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [s[1] for s in samples]

    @staticmethod
    def make_dataset(directory, class_to_idx, extensions=None, is_valid_file=None, allow_empty=False):
        """Override to change how samples are collected (default: ``make_dataset``)."""
        if class_to_idx is None:
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory):
        """Override to change how classes are found (default: ``find_classes``)."""
        return find_classes(directory)

    def __getitem__(self, index):
        path, target = self.samples[index]
        return self._apply(self.loader(path), target)

    def __len__(self):
        return len(self.samples)


class ImageFolder(DatasetFolder):
    """Images in ``root/<class>/<image>`` (any of IMG_EXTENSIONS), loaded as RGB PIL images.

    Example::

        >>> ds = ImageFolder('data/train', transform=transforms.ToTensor())
        >>> ds.classes, ds.class_to_idx          # (['cat', 'dog'], {'cat': 0, 'dog': 1})
    """

    def __init__(self, root, transform=None, target_transform=None, loader=default_loader, is_valid_file=None,
                 allow_empty=False):
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None, transform=transform,
                         target_transform=target_transform, is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
