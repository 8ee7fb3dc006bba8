"""view_extent validates what it is given; objects_owner finds object memory."""

from __future__ import annotations

import numpy as np
import pytest

from safestride import view_extent
from safestride.core.extent import objects_owner


@pytest.mark.parametrize(
    ("itemsize", "error", "words"),
    [
        (-8, ValueError, "itemsize is -8; it must be >= 0"),
        (8.5, TypeError, "itemsize must be an integer number of bytes; got float 8.5"),
        (8.0, TypeError, "itemsize must be an integer number of bytes; got float"),
        (True, TypeError, "got bool True"),
        ("8", TypeError, "got str '8'"),
    ],
)
def test_a_bad_itemsize_is_refused_by_name(
    itemsize: object, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        view_extent((3,), (8,), itemsize)


def test_bad_shapes_and_strides_are_refused_by_name() -> None:
    with pytest.raises(TypeError, match=r"strides\[0\] is 8.0, a float"):
        view_extent((3,), (8.0,), 8)
    with pytest.raises(ValueError, match=r"shape\[1\] is -1; sizes must be >= 0"):
        view_extent((3, -1), (8, 8), 8)
    with pytest.raises(ValueError, match="one entry per dimension"):
        view_extent((3, 2), (8,), 8)


def test_numpy_integers_and_lists_are_accepted() -> None:
    assert view_extent([np.int64(3)], np.array([8]), np.int32(8)) == (0, 24)


def test_zero_itemsize_touches_no_memory() -> None:
    assert view_extent((3, 4), (8, 1), 0) is None
    assert view_extent((3,), (8,), 1) == (0, 17)


def test_objects_owner_follows_the_base_chain() -> None:
    records = np.zeros(4, [("name", object), ("value", "f8")])
    assert objects_owner(records) is records
    assert objects_owner(records["value"][::2]) is records
    window = np.lib.stride_tricks.sliding_window_view(records["value"], 2)
    assert objects_owner(window) is records  # through numpy's as_strided holder
    assert objects_owner(np.zeros(4)[::2]) is None
    assert objects_owner(np.frombuffer(b"abcdefgh", np.uint8)) is None
