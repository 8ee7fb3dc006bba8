"""The fast path covers the element level for the common call, and only safe calls."""

from __future__ import annotations

import numpy as np
import pytest

from safestride.core.fastpath import fast_path

WINDOWS = {
    "contiguous 2-D windows": (np.zeros((64, 64), np.float32), (62, 62, 3, 3), 2),
    "fortran windows": (np.asfortranarray(np.zeros((9, 9))), (7, 7, 3, 3), 2),
    "windows over x[::2, ::2]": (np.zeros((64, 64))[::2, ::2], (30, 30, 3, 3), 2),
    "frames over a strided column": (np.zeros((100, 2))[:, 0], (91, 10), 2),
}


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("bounds", ["elements", "array"])
def test_window_views_are_answered_here(name: str, bounds: str) -> None:
    x, shape, repeat = WINDOWS[name]
    strides = x.strides * repeat
    view = fast_path(x, shape, strides, False, False, bounds)
    assert view is not None
    assert view.shape == shape
    assert view.strides == strides


@pytest.mark.parametrize(
    ("x", "shape", "strides"),
    [
        (np.zeros((100, 2))[:, 0], (91, 10), (8, 8)),  # the other channel
        (np.zeros(10), (9,), (4,)),  # half elements
        (np.zeros((4, 6))[:, :3], (3, 3), (24, 8)),  # C-contiguous assumption
        (np.zeros(3, "V0"), (2,), (1,)),  # itemsize 0: the full path says why
    ],
)
def test_foreign_elements_go_to_the_full_path(
    x: np.ndarray, shape: tuple[int, ...], strides: tuple[int, ...]
) -> None:
    assert fast_path(x, shape, strides, False, False, "elements") is None


def test_the_array_level_never_answers_near_object_pointers() -> None:
    records = np.zeros(4, [("name", object), ("value", "f8")])
    values = records["value"]
    assert fast_path(values, (7,), (8,), False, False, "array") is None
    for bounds in ("array", "elements"):  # x's own elements: no pointer among them
        assert fast_path(values, (2,), (32,), False, False, bounds) is not None
    assert fast_path(np.zeros(8)[::2], (7,), (8,), False, False, "array") is not None


@pytest.mark.parametrize("shape", [(-1,), (3, -1), (0, 2)])
def test_empty_and_negative_sizes_go_to_the_full_path(shape: tuple[int, ...]) -> None:
    # The ndarray constructor would read -1 as "as many as fit".
    x = np.zeros(4)
    assert fast_path(x, shape, (0,) * len(shape), False, False, "elements") is None
    assert fast_path(x, (), (), False, False, "elements") is not None  # 0-d is fine
