"""Whether every element of a view is an element of x: an exact decision.

The elements of ``x`` start at the byte offsets ``sum(a[d] * t[d])`` for
``0 <= a[d] < m[d]`` (x's shape ``m`` and strides ``t``, offsets relative to
x's first element); those of a view of ``x`` at ``sum(i[j] * s[j])`` for
``0 <= i[j] < n[j]``. The view reads only x's elements when the second set
lies inside the first.

`lattice` rewrites x's offsets as ``base + sum(a[d] * step[d])`` with positive,
ascending steps, merging dimensions that together step evenly (a C-ordered
block, overlapping windows, a slice with step 2 of a contiguous array all
become one dimension). `Lattice.covers` then proves a view inside in
O(ndim) integer operations: every view stride is decoded into x coordinates,
and the coordinates the view reaches are kept inside x's shape. That covers
every window, broadcast, transpose and diagonal built from x's strides.
Where the proof fails, `foreign_element` looks for a view element that is
not one of x's (a stride, then the corners of the view), and only then
enumerates offsets, at most `ENUMERATION_LIMIT` of them; beyond that it
answers "undecided", which callers treat as a refusal.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from math import prod
from typing import Any

import numpy as np
import numpy.typing as npt

from safestride.core.extent import c_order_offsets

#: At most this many view offsets (and as many of x's) are ever enumerated:
#: 2 MiB per array of offsets. Beyond it, an unproven view is "undecided".
ENUMERATION_LIMIT = 1 << 18


@dataclass(frozen=True)
class Lattice:
    """The element starts of an array, as ``base + sum(a[d] * steps[d])``.

    Attributes
    ----------
    base : int
        The lowest element start, relative to the array's first element.
    steps : tuple of int
        Positive and ascending; no two dimensions merge any further.
    sizes : tuple of int
        ``0 <= a[d] < sizes[d]``; each at least 2.
    origin : tuple of int
        The coordinates ``a`` of the array's first element (offset 0).
    unique : bool
        True when every step exceeds the reach of the smaller ones: then
        each element start has one coordinate vector, and `coordinates`
        answers None only for offsets that are not element starts.
    """

    base: int
    steps: tuple[int, ...]
    sizes: tuple[int, ...]
    origin: tuple[int, ...]
    unique: bool

    @property
    def top(self) -> int:
        """The highest element start."""
        return self.base + sum(
            step * (size - 1) for step, size in zip(self.steps, self.sizes, strict=True)
        )

    @property
    def count(self) -> int:
        """How many coordinate vectors there are (element starts, if unique)."""
        return prod(self.sizes)

    def coordinates(self, offset: int) -> tuple[int, ...] | None:
        """Coordinates of the element starting at `offset`, or None.

        Greedy from the largest step down. A result is always right; None
        means "not an element start" only when the lattice is `unique`.
        """
        rest = offset - self.base
        if rest < 0:
            return None
        found = [0] * len(self.steps)
        for d in range(len(self.steps) - 1, -1, -1):
            step = self.steps[d]
            a = rest // step
            if a >= self.sizes[d]:
                a = self.sizes[d] - 1
            found[d] = a
            rest -= a * step
        return tuple(found) if rest == 0 else None

    def covers(
        self,
        shape: Sequence[int],
        strides: Sequence[int],
        origin: tuple[int, ...] | None = None,
    ) -> bool:
        """Whether every element of the view ``(shape, strides)`` is proven
        an element start, in O(ndim) integer operations.

        The view starts at the element with coordinates `origin` (by default
        the array's first element). False means "not proven", not "foreign"
        (see `foreign_element`). The view must be non-empty.
        """
        if origin is None:
            origin = self.origin
        if len(self.steps) == 1:
            step, lo, hi = self.steps[0], origin[0], origin[0]
            for size, stride in zip(shape, strides, strict=True):
                if size > 1 and stride:
                    c, r = divmod(stride, step)
                    if r:
                        return False
                    if c > 0:
                        hi += c * (size - 1)
                    else:
                        lo += c * (size - 1)
            return lo >= 0 and hi < self.sizes[0]
        steps, sizes = self.steps, self.sizes
        top = len(steps) - 1
        start = sum(a * step for a, step in zip(origin, steps, strict=True))
        low, high = list(origin), list(origin)
        for size, stride in zip(shape, strides, strict=True):
            if size <= 1 or not stride:
                continue
            rest = start + stride  # decoded greedily, as in `coordinates`
            if rest < 0:
                return False
            for d in range(top, -1, -1):
                step = steps[d]
                a = rest // step
                if a >= sizes[d]:
                    a = sizes[d] - 1
                rest -= a * step
                a -= origin[d]
                if a > 0:
                    high[d] += a * (size - 1)
                elif a < 0:
                    low[d] += a * (size - 1)
            if rest:
                return False
        return min(low, default=0) >= 0 and all(
            h < n for h, n in zip(high, sizes, strict=True)
        )


def _merge(dims: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Merge (step, size, origin) dimensions whose offsets form one progression.

    Steps ``p`` and ``q * p`` with ``q <= size`` of the first cover
    ``p * {0, ..., size - 1 + q * (size2 - 1)}`` with no gap.
    """
    while True:
        for a, (step_a, size_a, origin_a) in enumerate(dims):
            for b, (step_b, size_b, origin_b) in enumerate(dims):
                if a == b or step_b < step_a or step_b % step_a:
                    continue
                q = step_b // step_a
                if q > size_a:
                    continue
                dims[a] = (step_a, size_a + q * (size_b - 1), origin_a + q * origin_b)
                del dims[b]
                break
            else:
                continue
            break
        else:
            return dims


@functools.lru_cache(maxsize=1024)
def lattice(shape: tuple[int, ...], strides: tuple[int, ...]) -> Lattice | None:
    """The element starts of an array of `shape` and `strides`; None if empty.

    Cached: a loop making views of one array pays for this once.

    Examples
    --------
    >>> lattice((4, 6), (48, 8))  # C-contiguous float64: one progression
    Lattice(base=0, steps=(8,), sizes=(24,), origin=(0,), unique=True)
    >>> lattice((32, 32), (1024, 16))  # zeros((64, 64))[::2, ::2]
    Lattice(base=0, steps=(16, 1024), sizes=(32, 32), origin=(0, 0), unique=True)
    >>> lattice((5,), (-8,)).base  # reversed: the lowest element is 32 bytes down
    -32
    """
    if 0 in shape:
        return None
    base = 0
    dims: list[tuple[int, int, int]] = []
    for size, stride in zip(shape, strides, strict=True):
        if size == 1 or stride == 0:
            continue
        if stride < 0:
            base += stride * (size - 1)
            dims.append((-stride, size, size - 1))
        else:
            dims.append((stride, size, 0))
    dims = sorted(_merge(sorted(dims)))
    reach = 0
    unique = True
    for step, size, _ in dims:
        if step <= reach:
            unique = False
        reach += step * (size - 1)
    return Lattice(
        base,
        tuple(d[0] for d in dims),
        tuple(d[1] for d in dims),
        tuple(d[2] for d in dims),
        unique,
    )


@functools.lru_cache(maxsize=4096)
def proven(
    x_shape: tuple[int, ...],
    x_strides: tuple[int, ...],
    shape: tuple[int, ...],
    strides: tuple[int, ...],
) -> bool:
    """Whether `Lattice.covers` proves the view made at x's first element.

    Cached, for the fast path: a loop making the same view pays once.

    Examples
    --------
    >>> proven((32, 32), (1024, 16), (30, 30, 3, 3), (1024, 16, 1024, 16))
    True
    >>> proven((32, 32), (1024, 16), (30, 30, 3, 3), (512, 8, 512, 8))
    False
    """
    grid = lattice(x_shape, x_strides)
    return grid is not None and 0 not in shape and grid.covers(shape, strides)


@dataclass(frozen=True)
class Foreign:
    """A view element that is not an element of x, or the admission that
    none could be found within the enumeration limit.

    Attributes
    ----------
    offset : int or None
        Where that view element starts, relative to x's first element; None
        when undecided.
    index : tuple of int or None
        The view index of that element; None when undecided.
    """

    offset: int | None
    index: tuple[int, ...] | None

    @property
    def certain(self) -> bool:
        return self.offset is not None


UNDECIDED = Foreign(None, None)


def _offset_at(strides: Sequence[int], index: Sequence[int]) -> int:
    return sum(i * s for i, s in zip(index, strides, strict=True))


def _corner(shape: Sequence[int], signs: Sequence[int]) -> tuple[int, ...]:
    """The view index at the far end of every dimension with a positive sign."""
    return tuple(n - 1 if sign > 0 else 0 for n, sign in zip(shape, signs, strict=True))


def foreign_element(
    x_shape: tuple[int, ...],
    x_strides: tuple[int, ...],
    shape: Sequence[int],
    strides: Sequence[int],
    start: int = 0,
) -> Foreign | None:
    """A view element that does not start on an element of x, if any.

    Parameters
    ----------
    x_shape, x_strides : tuple of int
        The array the view is made of.
    shape, strides : sequence of int
        The view.
    start : int, optional
        Where the view's first element lies, in bytes from x's first element
        (0 for a view made by ``as_strided(x, ...)``).

    Returns
    -------
    Foreign or None
        None when every element of the view is an element of x (exactly);
        a `Foreign` with an offset and index when one is not; `UNDECIDED`
        when neither could be shown within `ENUMERATION_LIMIT` offsets.

    Examples
    --------
    >>> x = np.zeros((4, 6))[:, :3]          # rows of 3 inside rows of 6
    >>> foreign_element(x.shape, x.strides, (3, 3), (24, 8))
    Foreign(offset=24, index=(1, 0))
    >>> foreign_element(x.shape, x.strides, (3, 2, 2), (48, 48, 8)) is None
    True
    """
    if 0 in shape:
        return None
    grid = lattice(x_shape, x_strides)
    if grid is None:
        return Foreign(start, (0,) * len(shape))  # x has no elements at all
    origin = grid.coordinates(start)
    if origin is not None and grid.covers(shape, strides, origin):
        return None
    first = (0,) * len(shape)
    steps = [
        tuple(int(k == j) for k in range(len(shape)))
        for j, n in enumerate(shape)
        if n > 1 and strides[j]
    ]
    lowest = _corner(shape, [-s for s in strides])
    highest = _corner(shape, strides)
    for index in (first, *steps, lowest, highest):
        offset = start + _offset_at(strides, index)
        if not grid.base <= offset <= grid.top:
            return Foreign(offset, index)
    if grid.unique:
        if origin is None:
            return Foreign(start, first)
        found = _refute_by_coordinates(grid, shape, strides, start, origin)
        if found is not None:
            return found
    return _enumerate(grid, shape, strides, start)


def _refute_by_coordinates(
    grid: Lattice,
    shape: Sequence[int],
    strides: Sequence[int],
    start: int,
    origin: tuple[int, ...],
) -> Foreign | None:
    """On a unique lattice: a stride that is no element start, or a corner
    of the view beyond x's shape."""
    reached: list[tuple[int, ...]] = []
    moving = []
    for j, (size, stride) in enumerate(zip(shape, strides, strict=True)):
        if size <= 1 or not stride:
            continue
        coordinates = grid.coordinates(start + stride)
        if coordinates is None:
            index = tuple(int(k == j) for k in range(len(shape)))
            return Foreign(start + stride, index)
        reached.append(coordinates)
        moving.append(j)
    for d, first in enumerate(origin):
        moves = [0] * len(shape)
        for j, coordinates in zip(moving, reached, strict=True):
            moves[j] = coordinates[d] - first
        for signs in (moves, [-m for m in moves]):
            index = _corner(shape, signs)
            offset = start + _offset_at(strides, index)
            if grid.coordinates(offset) is None:
                return Foreign(offset, index)
    return None


def _members(grid: Lattice, offsets: npt.NDArray[np.int64]) -> npt.NDArray[Any] | None:
    """Which `offsets` are element starts; None if that needs too much work."""
    if grid.unique:
        rest = offsets - grid.base
        inside = rest >= 0
        for step, size in zip(reversed(grid.steps), reversed(grid.sizes), strict=True):
            rest = rest - np.minimum(rest // step, size - 1) * step
        result: npt.NDArray[Any] = inside & (rest == 0)
        return result
    if grid.count > ENUMERATION_LIMIT:
        return None
    starts = c_order_offsets(grid.sizes, grid.steps) + grid.base
    return np.isin(offsets, starts)


def _enumerate(
    grid: Lattice, shape: Sequence[int], strides: Sequence[int], start: int
) -> Foreign | None:
    moving = [
        j for j, (n, s) in enumerate(zip(shape, strides, strict=True)) if n > 1 and s
    ]
    sizes = [shape[j] for j in moving]
    if prod(sizes) > ENUMERATION_LIMIT:
        return UNDECIDED
    offsets = c_order_offsets(sizes, [strides[j] for j in moving]) + start
    members = _members(grid, offsets)
    if members is None:
        return UNDECIDED
    outside = np.flatnonzero(~members)
    if outside.size == 0:
        return None
    first = int(outside[0])
    index = [0] * len(shape)
    for j, i in zip(moving, np.unravel_index(first, sizes), strict=True):
        index[j] = int(i)
    return Foreign(int(offsets[first]), tuple(index))


def containing_element(
    x_shape: tuple[int, ...], x_strides: tuple[int, ...], itemsize: int, offset: int
) -> tuple[tuple[int, ...], int] | None:
    """The index of x's element whose bytes hold `offset`, and where it starts.

    Returns None when no element of x holds that byte, or when x has more
    than `ENUMERATION_LIMIT` elements (this is for messages only).

    Examples
    --------
    >>> containing_element((4,), (16,), 16, 24)  # complex128: x[1].imag
    ((1,), 16)
    >>> containing_element((4,), (16,), 8, 8) is None  # a gap after x[0]
    True
    """
    if prod(x_shape) > ENUMERATION_LIMIT or 0 in x_shape:
        return None
    starts = c_order_offsets(x_shape, x_strides)
    holding = np.flatnonzero((starts <= offset) & (offset < starts + itemsize))
    if holding.size == 0:
        return None
    position = int(holding[0])
    index = tuple(int(i) for i in np.unravel_index(position, x_shape))
    return index, int(starts[position])


def element_at(
    x_shape: tuple[int, ...], x_strides: tuple[int, ...], offset: int
) -> tuple[int, ...] | None:
    """The index of x's element that starts at `offset`, if any (for messages)."""
    found = containing_element(x_shape, x_strides, 1, offset)
    return found[0] if found is not None and found[1] == offset else None
