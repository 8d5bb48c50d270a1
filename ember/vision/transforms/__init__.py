"""ember.vision.transforms: image transforms with torchvision's names, arguments and algorithms."""
from . import functional
from .functional import InterpolationMode
from .transforms import Compose, ToTensor, PILToTensor, ToPILImage, Normalize, Resize, CenterCrop, Pad, Grayscale, \
    Lambda
from .random import RandomCrop, RandomResizedCrop, RandomHorizontalFlip, RandomVerticalFlip, RandomRotation, \
    ColorJitter, RandomApply, RandomChoice

__all__ = ['functional', 'InterpolationMode', 'Compose', 'ToTensor', 'PILToTensor', 'ToPILImage', 'Normalize',
           'Resize', 'CenterCrop', 'Pad', 'Grayscale', 'Lambda', 'RandomCrop', 'RandomResizedCrop',
           'RandomHorizontalFlip', 'RandomVerticalFlip', 'RandomRotation', 'ColorJitter', 'RandomApply',
           'RandomChoice']
