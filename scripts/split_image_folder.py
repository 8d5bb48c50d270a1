"""Split an image folder (root/<class>/<image>) into train/valid/test folders by ratio, per class and seeded.

    python scripts/split_image_folder.py data/flowers data/flowers_split            # 8:1:1, seed 0
    python scripts/split_image_folder.py data/flowers out --ratios 0.7 0.15 0.15 --seed 3 --mode link

Every class is split on its own (stratified), with random_split's rule for
the sizes (floor of each share, the remainder handed out from the first
split), so the result loads directly with ``ImageFolder(out/'train')`` etc.
"""
import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import ember  # noqa: E402
from ember.utils.data.dataset import _fraction_lengths  # noqa: E402
from ember.vision.datasets.folder import find_classes, is_image_file  # noqa: E402

SPLITS = ('train', 'valid', 'test')


def split_image_folder(src, dst, ratios=(0.8, 0.1, 0.1), seed=0, mode='copy', names=SPLITS):
    """Copy (or hard-link / symlink / move) each class's images into ``dst/<split>/<class>/``.

    Returns:
        {split: {class: number of files}}.
    """
    if len(ratios) != len(names):
        raise ValueError(f"expected {len(names)} ratios for the splits {names}, got {len(ratios)}")
    if any(r < 0 for r in ratios) or sum(ratios) <= 0:
        raise ValueError(f"ratios must be non-negative with a positive sum, got {ratios}")
    fractions = [r / sum(ratios) for r in ratios]
    place = {'copy': shutil.copy2, 'move': shutil.move, 'link': os.link, 'symlink': os.symlink}.get(mode)
    if place is None:
        raise ValueError(f"mode must be one of copy, move, link, symlink; got {mode!r}")
    classes, _ = find_classes(src)
    counts = {name: {} for name in names}
    g = ember.Generator().manual_seed(seed)
    for cls in classes:
        files = sorted(f for f in os.listdir(os.path.join(src, cls))
                       if is_image_file(f) and os.path.isfile(os.path.join(src, cls, f)))
        order = ember.randperm(len(files), generator=g).tolist()
        start = 0
        lengths = _fraction_lengths(len(files), fractions) if files else [0] * len(names)
        for name, length in zip(names, lengths):
            out_dir = os.path.join(dst, name, cls)
            os.makedirs(out_dir, exist_ok=True)
            for i in order[start:start + length]:
                source = os.path.abspath(os.path.join(src, cls, files[i]))
                place(source, os.path.join(out_dir, files[i]))
            counts[name][cls] = length
            start += length
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help='image folder: src/<class>/<image>')
    parser.add_argument('dst', help='output: dst/{train,valid,test}/<class>/<image>')
    parser.add_argument('--ratios', type=float, nargs=3, default=[0.8, 0.1, 0.1])
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--mode', choices=['copy', 'move', 'link', 'symlink'], default='copy')
    args = parser.parse_args()
    counts = split_image_folder(args.src, args.dst, args.ratios, args.seed, args.mode)
    for name, per_class in counts.items():
        print(f'{name}: {sum(per_class.values())} images in {len(per_class)} classes')


if __name__ == '__main__':
    main()
