"""Hypothesis strategies for strided views: arrays cut from parents, and views of them.

Importable only when hypothesis is installed. Use them to test your own code
that makes strided views, or to fuzz a function taking strides.

Examples
--------
>>> from hypothesis import given, settings
>>> from safestride import strategies
>>> @settings(max_examples=5)
... @given(strategies.strided_cases())
... def test_case_shape(case):
...     assert len(case.shape) == len(case.strides)
>>> test_case_shape()
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

try:
    from hypothesis import strategies as st
except ImportError as missing:  # pragma: no cover - exercised without hypothesis
    raise ImportError(
        "safestride.strategies needs hypothesis: pip install 'safestride[test]' "
        "or pip install hypothesis."
    ) from missing

__all__ = [
    "DTYPES",
    "StridedCase",
    "dtypes",
    "parents",
    "sliced",
    "strided_cases",
    "view_requests",
]

#: Plain dtypes of every itemsize from 1 to 16, plus an unaligned record.
DTYPES: tuple[np.dtype[Any], ...] = (
    np.dtype(np.int8),
    np.dtype(np.uint16),
    np.dtype(np.int32),
    np.dtype(np.float32),
    np.dtype(np.float64),
    np.dtype(np.complex128),
    np.dtype(np.bool_),
    np.dtype(">i4"),
    np.dtype([("a", np.uint8), ("b", np.uint16)]),
)


@dataclass(frozen=True)
class StridedCase:
    """An owning `parent`, an array `x` cut from it, and a requested view of `x`."""

    parent: npt.NDArray[Any]
    x: npt.NDArray[Any]
    shape: tuple[int, ...]
    strides: tuple[int, ...]


def dtypes() -> st.SearchStrategy[np.dtype[Any]]:
    """One of `DTYPES`."""
    return st.sampled_from(DTYPES)


def _sides(largest: int) -> st.SearchStrategy[int]:
    """Sizes from 1 to `largest`, and now and then 0."""
    return st.sampled_from((0, *range(1, largest + 1), *range(1, largest + 1)))


def _ndims(largest: int) -> st.SearchStrategy[int]:
    """Dimension counts from 0 to `largest`, mostly 1 and up."""
    return st.sampled_from((0, *range(1, largest + 1), *range(1, largest + 1)))


@st.composite
def parents(
    draw: st.DrawFn,
    dtype: np.dtype[Any] | None = None,
    max_dims: int = 3,
    max_side: int = 6,
) -> npt.NDArray[Any]:
    """A fresh C-contiguous array filled with distinct byte patterns."""
    chosen = draw(dtypes()) if dtype is None else dtype
    ndim = draw(_ndims(max_dims))
    shape = tuple(draw(st.lists(_sides(max_side), min_size=ndim, max_size=ndim)))
    array = np.zeros(shape, dtype=chosen)
    raw = array.view(np.uint8) if array.ndim else array.reshape(1).view(np.uint8)
    raw[...] = (np.arange(raw.size) % 251).reshape(raw.shape)
    if chosen == np.bool_:
        np.bitwise_and(raw, 1, out=raw)  # a bool byte must be 0 or 1
    return array


@st.composite
def sliced(draw: st.DrawFn, parent: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """A view of `parent`: random starts, steps (negative too), and a transpose."""
    index: list[Any] = []
    for size in parent.shape:
        start = draw(st.integers(0, size - 1)) if size else 0
        stop = draw(st.integers(start + 1, size)) if size else 0
        step = draw(st.sampled_from((1, 1, 2, 3)))
        if draw(st.booleans()):
            index.append(slice(stop - 1 if stop > start else None, None, -step))
        else:
            index.append(slice(start, stop, step))
    index.append(Ellipsis)  # keeps a 0-d result an array, not a scalar
    view: npt.NDArray[Any] = parent[tuple(index)]
    if view.ndim > 1 and draw(st.booleans()):
        view = view.transpose(draw(st.permutations(range(view.ndim))))
    return view


@st.composite
def _near_x(
    draw: st.DrawFn, x: npt.NDArray[Any]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """`x`'s own layout, nudged: a dimension one larger or smaller, a stride
    flipped or off by a byte, a window dimension added. Lands on the boundary
    often."""
    shape, strides = list(x.shape), list(x.strides)
    if draw(st.booleans()) and shape:
        dim = draw(st.integers(0, len(shape) - 1))
        shape[dim] = max(0, shape[dim] + draw(st.sampled_from((1, -1))))
    if draw(st.booleans()) and shape:
        dim = draw(st.integers(0, len(shape) - 1))
        strides[dim] = -strides[dim]
    if draw(st.booleans()) and shape:
        dim = draw(st.integers(0, len(shape) - 1))
        strides[dim] += draw(st.sampled_from((1, -1)))
    if draw(st.booleans()) and shape:
        dim = draw(st.integers(0, len(shape) - 1))
        window = draw(st.integers(1, max(1, shape[dim])))
        shape[dim] = max(0, shape[dim] - window + draw(st.sampled_from((1, 1, 2))))
        shape.append(window)
        strides.append(strides[dim])
    return tuple(shape), tuple(strides)


@st.composite
def view_requests(
    draw: st.DrawFn, x: npt.NDArray[Any], max_dims: int = 4, max_side: int = 5
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """A ``(shape, strides)`` for a view of `x`, in bounds or not.

    Either `x`'s own layout nudged towards its boundary, or any shape with
    strides that are mostly multiples of the itemsize (zero and negative
    included), sometimes any byte count, sometimes multiples of `x`'s strides.
    """
    if draw(st.booleans()):
        return draw(_near_x(x))
    ndim = draw(_ndims(max_dims))
    shape = tuple(draw(st.lists(_sides(max_side), min_size=ndim, max_size=ndim)))
    item = max(x.itemsize, 1)
    reach = max(x.nbytes, item) // item + 2
    own = x.strides or (item,)
    step = st.one_of(
        st.integers(-2, 3).map(lambda k: k * item),
        st.tuples(st.sampled_from(own), st.integers(-2, 2)).map(lambda p: p[0] * p[1]),
        st.integers(-reach, reach).map(lambda k: k * item),
        st.integers(-reach * item, reach * item),
    )
    strides = tuple(draw(st.lists(step, min_size=ndim, max_size=ndim)))
    return shape, strides


@st.composite
def strided_cases(draw: st.DrawFn, dtype: np.dtype[Any] | None = None) -> StridedCase:
    """A parent, an array cut from it, and a view request of that array."""
    parent = draw(parents(dtype=dtype))
    x = draw(sliced(parent))
    shape, strides = draw(view_requests(x))
    return StridedCase(parent, x, shape, strides)
