"""``safestride.demo.data``: the embedded glyphs, and scikit-learn's digits."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from safestride.demo import data

HAVE_SKLEARN = importlib.util.find_spec("sklearn") is not None


def test_load_splits_and_counts_every_class() -> None:
    glyphs = data.load("glyphs", train=5, test=3, seed=0)
    assert glyphs.train_x.shape == (5, 1, data.SIDE, data.SIDE)
    assert glyphs.test_y.shape == (3,)
    assert glyphs.classes == 10  # even when five images cannot show them all


def test_glyphs_are_seeded() -> None:
    images, labels = data.glyphs(6, seed=4)
    again, same = data.glyphs(6, seed=4)
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(labels, same)
    assert not np.array_equal(images, data.glyphs(6, seed=5)[0])


def test_unknown_dataset() -> None:
    with pytest.raises(ValueError, match="unknown dataset 'mnist': choose glyphs"):
        data.load("mnist", 1, 1, 0)


@pytest.mark.skipif(HAVE_SKLEARN, reason="checks the message without scikit-learn")
def test_digits_without_scikit_learn_says_how_to_get_it() -> None:
    with pytest.raises(ValueError, match="needs scikit-learn: pip install"):
        data.check_dataset("digits")
    with pytest.raises(ValueError, match="needs scikit-learn: pip install"):
        data.load("digits", 1, 1, 0)


@pytest.mark.skipif(not HAVE_SKLEARN, reason="needs scikit-learn")
def test_digits_with_scikit_learn() -> None:
    digits = data.load("digits", train=10, test=5, seed=0)
    assert digits.train_x.shape == (10, 1, 8, 8)
