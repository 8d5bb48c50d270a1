"""ember.vision.datasets: MNIST, FashionMNIST, FakeData, ImageFolder/DatasetFolder, as torchvision.datasets."""
from .vision import VisionDataset
from .mnist import MNIST, FashionMNIST, bundled_mnist_root
from .fakedata import FakeData
from .folder import DatasetFolder, ImageFolder

__all__ = ['VisionDataset', 'MNIST', 'FashionMNIST', 'bundled_mnist_root', 'FakeData', 'DatasetFolder',
           'ImageFolder']
