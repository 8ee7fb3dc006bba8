"""The demo's embedded dataset: digit glyphs drawn, shifted and noised by a seeded RNG.

No download: a 5x7 bitmap font lives below, and every image is made from it
deterministically. scikit-learn's 8x8 digits can be used instead when that
package is installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]

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
SIDE = 12


@dataclass(frozen=True)
class Dataset:
    """Images (N, 1, side, side) in [0, 1]-ish, labels (N,), split in two."""

    name: str
    train_x: Array
    train_y: Array
    test_x: Array
    test_y: Array

    @property
    def classes(self) -> int:
        return int(self.train_y.max()) + 1


def _glyph(digit: int) -> Array:
    return np.array([[int(c) for c in row] for row in GLYPHS[digit]], dtype=np.float64)


def glyphs(count: int, seed: int) -> tuple[Array, Array]:
    """`count` noisy, shifted, scaled glyph images and their labels.

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


def load(name: str, train: int, test: int, seed: int) -> Dataset:
    """The "glyphs" dataset, or scikit-learn's "digits" when it is installed."""
    if name == "glyphs":
        images, labels = glyphs(train + test, seed)
    elif name == "digits":
        try:
            from sklearn.datasets import load_digits
        except ImportError:
            raise ValueError(
                "--dataset digits needs scikit-learn: pip install scikit-learn "
                "(or use the embedded --dataset glyphs)"
            ) from None
        digits = load_digits()
        order = np.random.default_rng(seed).permutation(len(digits.target))
        chosen = order[: train + test]
        images = digits.images[chosen][:, None] / 16.0
        labels = digits.target[chosen]
    else:
        raise ValueError(f"unknown dataset {name!r}: choose glyphs or digits")
    return Dataset(name, images[:train], labels[:train], images[train:], labels[train:])
