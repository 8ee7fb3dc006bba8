"""The element decision: exact against enumeration, O(ndim) for lattice views."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from safestride.core import elements
from safestride.core.elements import (
    ENUMERATION_LIMIT,
    UNDECIDED,
    Foreign,
    containing_element,
    foreign_element,
    lattice,
)
from tests.oracle import element_offsets


def test_contiguous_and_evenly_strided_arrays_are_one_progression() -> None:
    assert lattice((4, 6), (48, 8)) == elements.Lattice(0, (8,), (24,), (0,), True)
    fortran = np.asfortranarray(np.zeros((4, 6)))
    assert lattice(fortran.shape, fortran.strides).steps == (8,)  # type: ignore[union-attr]
    every_other = np.zeros((64, 128))[:, ::2]  # rows of 64 at 16 bytes, 1024 apart
    assert lattice(every_other.shape, every_other.strides).sizes == (4096,)  # type: ignore[union-attr]
    windows = np.lib.stride_tricks.sliding_window_view(np.zeros(10), 3)
    assert lattice(windows.shape, windows.strides).sizes == (10,)  # type: ignore[union-attr]


def test_gaps_keep_dimensions_apart_and_reversal_moves_the_base() -> None:
    grid = lattice((32, 32), (1024, 16))  # zeros((64, 64))[::2, ::2]
    assert grid is not None
    assert (grid.steps, grid.sizes, grid.unique) == ((16, 1024), (32, 32), True)
    reversed_rows = lattice((3, 4), (-32, 8))
    assert reversed_rows is not None
    assert reversed_rows.base == -64
    assert reversed_rows.origin == (8,)  # rows of 4 at 8 bytes, 32 apart: merged
    assert lattice((0, 3), (8, 8)) is None  # no elements at all


def test_broadcast_and_single_elements_have_no_steps() -> None:
    grid = lattice((5, 1), (0, 8))
    assert grid is not None
    assert grid.steps == ()
    assert foreign_element((5, 1), (0, 8), (3, 3), (0, 0)) is None
    assert foreign_element((5, 1), (0, 8), (3,), (8,)) == Foreign(8, (1,))


def _naive(
    x_shape: tuple[int, ...],
    x_strides: tuple[int, ...],
    shape: tuple[int, ...],
    strides: tuple[int, ...],
    start: int,
) -> set[int]:
    own = set(element_offsets(x_shape, x_strides))
    return {start + o for o in element_offsets(shape, strides)} - own


@st.composite
def _layouts(
    draw: st.DrawFn,
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...], int]:
    unit = draw(st.sampled_from((1, 2, 4, 8)))
    ndim = draw(st.integers(0, 3))
    x_shape = tuple(draw(st.lists(st.integers(0, 5), min_size=ndim, max_size=ndim)))
    x_strides = tuple(
        unit * s
        for s in draw(st.lists(st.integers(-40, 40), min_size=ndim, max_size=ndim))
    )
    k = draw(st.integers(0, 4))
    shape = tuple(draw(st.lists(st.integers(0, 5), min_size=k, max_size=k)))
    combination = st.lists(st.integers(-2, 2), min_size=ndim, max_size=ndim).map(
        lambda cs: sum(c * t for c, t in zip(cs, x_strides, strict=True))
    )
    anything = st.integers(-20 * unit, 20 * unit)
    strides = tuple(
        draw(st.lists(st.one_of(combination, anything), min_size=k, max_size=k))
    )
    start = draw(st.one_of(st.just(0), combination))
    return x_shape, x_strides, shape, strides, start


@settings(max_examples=600)
@given(layout=_layouts())
def test_agrees_with_enumeration(
    layout: tuple[
        tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[int, ...], int
    ],
) -> None:
    x_shape, x_strides, shape, strides, start = layout
    foreign = _naive(x_shape, x_strides, shape, strides, start)
    found = foreign_element(x_shape, x_strides, shape, strides, start)
    if not foreign:
        assert found is None
        return
    assert found is not None
    assert found.offset in foreign  # a real foreign element, never "undecided"
    assert found.index is not None
    assert all(0 <= i < n for i, n in zip(found.index, shape, strict=True))
    reached = start + sum(i * s for i, s in zip(found.index, strides, strict=True))
    assert reached == found.offset


def _refuse_to_enumerate(monkeypatch: pytest.MonkeyPatch) -> None:
    def enumerated(*args: object) -> None:
        raise AssertionError("enumerated offsets for a view the lattice proof covers")

    monkeypatch.setattr(elements, "c_order_offsets", enumerated)


LATTICE_VIEWS = {
    # name: (x, shape, strides as a function of x.strides)
    "1e6 x 1000 windows over x[::2]": (
        np.zeros(2_000_002, np.float32)[::2],
        (1_000_001 - 999, 1000),
        lambda s: (s[0], s[0]),
    ),
    "30x30 windows over x[::2, ::2]": (
        np.zeros((64, 64))[::2, ::2],
        (3, 3, 30, 30),
        lambda s: (s[0], s[1], s[0], s[1]),
    ),
    "frames over stereo[:, 0]": (
        np.zeros((48_000, 2))[:, 0],
        (374, 256),
        lambda s: (128 * s[0], s[0]),
    ),
    "im2col over a transposed batch": (
        np.zeros((32, 32, 3, 8), np.float32).transpose(3, 2, 0, 1),
        (8, 3, 30, 30, 3, 3),
        lambda s: (s[0], s[1], s[2], s[3], s[2], s[3]),
    ),
    "im2col with stride 2 over a cropped batch": (
        np.zeros((8, 3, 40, 40))[:, :, 4:36, 4:36],
        (8, 3, 15, 15, 3, 3),
        lambda s: (s[0], s[1], 2 * s[2], 2 * s[3], s[2], s[3]),
    ),
    "broadcast of a strided column": (
        np.zeros((100, 7))[:, 3],
        (50, 100, 20),
        lambda s: (0, s[0], 0),
    ),
    "reversed windows over a reversed slice": (
        np.zeros(1000)[900:100:-3],
        (200, 50),
        lambda s: (s[0], s[0]),
    ),
    "windows over strided object arrays": (
        np.empty(200_000, object)[::2],
        (99_901, 100),
        lambda s: (s[0], s[0]),
    ),
    "diagonal of a sliced grid": (
        np.zeros((50, 80))[5:45, 10:70],
        (40,),
        lambda s: (s[0] + s[1],),
    ),
    "windows over windows": (
        np.lib.stride_tricks.sliding_window_view(np.zeros(500)[::5], 4)[::3],
        (30, 2, 4),
        lambda s: (s[0], s[0], s[1]),
    ),
}


@pytest.mark.parametrize("name", LATTICE_VIEWS)
def test_window_and_broadcast_views_are_proven_without_enumerating(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    x, shape, strides_of = LATTICE_VIEWS[name]
    strides = strides_of(x.strides)
    _refuse_to_enumerate(monkeypatch)
    assert foreign_element(x.shape, x.strides, shape, strides) is None


def test_itemsize_strides_on_strided_inputs_are_refuted_without_enumerating(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _refuse_to_enumerate(monkeypatch)
    left = np.zeros((1_000_000, 2))[:, 0]
    assert foreign_element(left.shape, left.strides, (999_001, 1000), (8, 8)) in (
        Foreign(8, (1, 0)),
        Foreign(8, (0, 1)),
    )
    grid = np.zeros((64, 64))[::2, ::2]
    found = foreign_element(grid.shape, grid.strides, (30, 30, 3, 3), (512, 8, 512, 8))
    assert found is not None
    assert found.certain


def test_enumeration_is_capped_and_answers_undecided(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Rows of 4 elements 24 bytes apart, rows 120 bytes apart (a gap of one
    # element), read from the last row down: a stride of -48 wraps from row
    # to row, every element is x's, and the coordinate proof cannot follow.
    assert foreign_element((3, 4), (-120, 24), (3,), (-48,)) is None
    assert foreign_element((3, 4), (-120, 24), (4,), (-48,)) == Foreign(-144, (3,))
    sizes: list[int] = []
    original = elements.c_order_offsets

    def counted(shape: tuple[int, ...], strides: tuple[int, ...]) -> np.ndarray:
        sizes.append(int(np.prod(shape)))
        return original(shape, strides)

    monkeypatch.setattr(elements, "c_order_offsets", counted)
    x_shape, x_strides = (100_000, 3, 4), (400, -120, 24)
    assert foreign_element(x_shape, x_strides, (1000, 3), (400, -48)) is None
    huge = (100_000, 3)  # 300,000 elements: more than the limit
    assert foreign_element(x_shape, x_strides, huge, (400, -48)) is UNDECIDED
    assert max(sizes) <= ENUMERATION_LIMIT


def test_the_element_holding_a_byte_is_found_for_messages() -> None:
    assert containing_element((4,), (16,), 16, 24) == ((1,), 16)
    assert containing_element((4,), (16,), 8, 8) is None
    assert containing_element((2, 2), (8, 32), 8, 44) == ((1, 1), 40)
