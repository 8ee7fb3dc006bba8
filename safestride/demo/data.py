"""The demo's embedded dataset: digit glyphs drawn, shifted and noised by a seeded RNG.

No download: a 5x7 bitmap font lives below, and every image is made from it
deterministically. scikit-learn's 8x8 digits can be used instead when that
package is installed.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["DATASETS", "GLYPHS", "SIDE", "Dataset", "check_dataset", "glyphs", "load"]

Array = npt.NDArray[Any]

#: The 5x7 bitmap of each digit, one string of 0s and 1s per row.
GLYPHS = {
    0: ("01110", "10001", "10011", "10101", "11001", "10001", "01110"),
    1: ("00100", "01100", "00100", "00100", "00100", "00100", "01110"),
    2: ("01110", "10001", "00001", "00010", "00100", "01000", "11111"),
    3: ("11110", "00001", "00001", "01110", "00001", "00001", "11110"),
    4: ("00010", "00110", "01010", "10010", "11111", "00010", "00010"),
    5: ("11111", "10000", "11110", "00001", "00001", "10001", "01110"),
    6: ("00110", "01000", "10000", "11110", "10001", "10001", "01110"),
    7: ("11111", "00001", "00010", "00100", "01000", "01000", "01000"),
    8: ("01110", "10001", "10001", "01110", "10001", "10001", "01110"),
    9: ("01110", "10001", "10001", "01111", "00001", "00010", "01100"),
}
#: The side of a glyph image, in pixels.
SIDE = 12
#: The names `load` knows.
DATASETS = ("glyphs", "digits")


@dataclass(frozen=True)
class Dataset:
    """Images (N, 1, side, side) in [0, 1]-ish, labels (N,), split in two.

    `classes` is how many labels the dataset has (10 digits), whether or not
    a small split happens to hold them all.

    Examples
    --------
    >>> data = load("glyphs", train=8, test=4, seed=0)
    >>> data.train_x.shape, data.test_y.shape, data.classes
    ((8, 1, 12, 12), (4,), 10)
    """

    name: str
    train_x: Array
    train_y: Array
    test_x: Array
    test_y: Array
    classes: int = len(GLYPHS)


def _glyph(digit: int) -> Array:
    return np.array([[int(c) for c in row] for row in GLYPHS[digit]], dtype=np.float64)


def glyphs(count: int, seed: int) -> tuple[Array, Array]:
    """`count` noisy, shifted, scaled glyph images and their labels.

    Parameters
    ----------
    count : int
        How many images to draw.
    seed : int
        The seed of the random generator: the same seed gives the same images.

    Returns
    -------
    images : ndarray
        Shape (count, 1, 12, 12), float64.
    labels : ndarray
        Shape (count,), the digit each image shows.

    Examples
    --------
    >>> images, labels = glyphs(4, seed=0)
    >>> images.shape, labels.shape
    ((4, 1, 12, 12), (4,))
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=count)
    images = np.zeros((count, 1, SIDE, SIDE))
    for index, label in enumerate(labels):
        glyph = _glyph(int(label))
        if rng.random() < 0.5:  # a thicker stroke now and then
            glyph = np.maximum(glyph, np.roll(glyph, 1, axis=1))
        top = 2 + rng.integers(-1, 2)  # near the centre, jittered by a pixel
        left = 3 + rng.integers(-1, 2)
        images[index, 0, top : top + 7, left : left + 5] = glyph * rng.uniform(0.6, 1.0)
    images += rng.normal(0.0, 0.15, size=images.shape)
    return images, labels


def check_dataset(name: str) -> None:
    """Raise ValueError unless `load` can load `name` here.

    Cheap: it trains nothing and loads no data, so a command can call it
    before it starts.

    Examples
    --------
    >>> check_dataset("glyphs")
    >>> check_dataset("mnist")
    Traceback (most recent call last):
    ...
    ValueError: unknown dataset 'mnist': choose glyphs or digits
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}: choose glyphs or digits")
    if name == "digits" and importlib.util.find_spec("sklearn") is None:
        raise ValueError(
            "--dataset digits needs scikit-learn: pip install scikit-learn "
            "(or use the embedded --dataset glyphs)"
        )


def load(name: str, train: int, test: int, seed: int) -> Dataset:
    """The "glyphs" dataset, or scikit-learn's "digits" when it is installed.

    Parameters
    ----------
    name : {"glyphs", "digits"}
        The embedded glyphs, or scikit-learn's 8x8 digits.
    train, test : int
        How many images go to each split.
    seed : int
        Draws the glyphs, or picks and orders the digits.

    Returns
    -------
    Dataset

    Raises
    ------
    ValueError
        For an unknown `name`, or "digits" without scikit-learn.

    Examples
    --------
    >>> data = load("glyphs", train=30, test=10, seed=0)
    >>> len(data.train_y), len(data.test_y)
    (30, 10)
    """
    check_dataset(name)
    if name == "glyphs":
        images, labels = glyphs(train + test, seed)
    else:
        from sklearn.datasets import load_digits

        digits = load_digits()
        order = np.random.default_rng(seed).permutation(len(digits.target))
        chosen = order[: train + test]
        images = digits.images[chosen][:, None] / 16.0
        labels = digits.target[chosen]
    return Dataset(name, images[:train], labels[:train], images[train:], labels[train:])
