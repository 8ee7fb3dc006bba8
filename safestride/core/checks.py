"""Checking a requested view against the memory it comes from.

`check_request` is the hot path of every checked ``as_strided`` call: the
common case (a view that fits) costs a few integer operations per dimension.
"""

from __future__ import annotations

import warnings
from math import gcd
from typing import Any

import numpy.typing as npt

from safestride.core.causes import Request, strides_in_elements
from safestride.core.elements import foreign_element
from safestride.core.extent import (
    Allocation,
    Extent,
    Overlap,
    array_span,
    find_allocation,
    holds,
    lands_on_pointers,
    lies_over_pointers,
    objects_owner,
    overlap,
    own_extent,
    scan,
)
from safestride.core.foreign import (
    foreign_objects_message,
    outside_objects_message,
    pointers_under_x_message,
    undecided_message,
    what_is_read,
)
from safestride.core.violation import violation_of
from safestride.errors import (
    ForeignElementError,
    MisalignedError,
    MisalignedWarning,
    OutOfBoundsError,
    OverlapWarning,
)
from safestride.options import Bounds


def allowed_memory(x: npt.NDArray[Any], bounds: Bounds) -> Allocation:
    """The bytes a view of `x` may touch under `bounds`."""
    if bounds == "buffer":
        return find_allocation(x)
    return array_span(x)


def check_request(
    x: npt.NDArray[Any],
    shape: tuple[int, ...],
    strides: tuple[int, ...],
    *,
    bounds: Bounds,
    writeable: bool,
    stacklevel: int,
    warn: bool = True,
) -> Extent | None:
    """Raise or warn about the view `x` -> (`shape`, `strides`); return its extent.

    `writeable` says whether the view would be writeable; `stacklevel` points
    warnings at the caller of the public function; `warn=False` raises only.
    A view that touches no memory (empty, or of itemsize 0) is always fine.
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not ours
    itemsize = x.itemsize
    if itemsize == 0 or 0 in shape:
        return None
    low, high, _ = scan(shape, strides, itemsize)
    extent = (low, high)
    if bounds == "buffer":
        fits = find_allocation(x).holds(extent)
    else:
        fits = holds(own_extent(x), extent)
    if not fits:
        allowed = allowed_memory(x, bounds)
        raise OutOfBoundsError(
            violation_of(
                shape, strides, x.dtype, source=x, bounds=bounds, allowed=allowed
            )
        )
    holds_objects = check_object_memory(x, shape, strides, writeable=writeable)
    if bounds == "elements":
        _check_elements(x, shape, strides)
    if warn and not holds_objects:
        _warn_misaligned(x, shape, strides, stacklevel + 1)
    if writeable and warn:
        _warn_overlap(shape, strides, itemsize, stacklevel + 1)
    return extent


def _check_elements(
    x: npt.NDArray[Any], shape: tuple[int, ...], strides: tuple[int, ...]
) -> None:
    found = foreign_element(x.shape, x.strides, shape, strides)
    if found is None:
        return
    if found.offset is None:
        message, summary = undecided_message(x, shape, strides)
        report = violation_of(
            shape, strides, x.dtype, source=x, bounds="elements", allowed=array_span(x)
        )
        raise OutOfBoundsError(report, message, summary=summary)
    read = what_is_read(x, found.offset, found.index)
    report = violation_of(
        shape,
        strides,
        x.dtype,
        source=x,
        bounds="elements",
        allowed=array_span(x),
        first_causes=(read,) if read is not None else (),
    )
    raise ForeignElementError(report, found.offset, found.index)


def check_object_memory(
    x: npt.NDArray[Any],
    shape: tuple[int, ...],
    strides: tuple[int, ...],
    *,
    writeable: bool = True,
) -> bool:
    """Refuse a view that could mix Python object pointers with other bytes.

    When `x` holds objects, or shares an allocation with an array that does
    (a field of a record array with object fields), every element of the
    view must be an element of `x` (then each pointer lands on a pointer and
    nothing else lands on one), or be proven from the records' layout to
    land on pointers exactly (for a `writeable` view: no other byte on one).
    Runs at every bounds level and with ``check_bounds=False``: such a view
    crashes the interpreter. Returns whether objects are involved.
    """
    __tracebackhide__ = True
    if x.itemsize == 0 or 0 in shape:
        return False
    owner = objects_owner(x)
    if owner is None:
        return False
    low, high, _ = scan(shape, strides, x.itemsize)
    span = array_span(x)
    problem: tuple[str, str] | None = None
    if low < span.low or high > span.high:
        problem = outside_objects_message(x, owner, (low, high), (span.low, span.high))
    elif not x.dtype.hasobject and lies_over_pointers(x, owner):
        problem = pointers_under_x_message(x, owner)
    elif not x.dtype.hasobject and (x.flags.c_contiguous or x.flags.f_contiguous):
        return True  # only x's own bytes, none of them a pointer
    else:
        found = foreign_element(x.shape, x.strides, shape, strides)
        if found is not None:
            problem = foreign_objects_message(
                x, owner, shape, strides, found.offset, found.index
            )
    if problem is None or lands_on_pointers(
        owner, x, shape, strides, writeable=writeable
    ):
        return True
    message, summary = problem
    raise MisalignedError(message, summary=summary)


def check_object_view(
    x: npt.NDArray[Any], shape: tuple[int, ...], strides: tuple[int, ...]
) -> None:
    """`check_object_memory` for ``check_bounds=False``, which checks nothing else."""
    __tracebackhide__ = True
    check_object_memory(x, shape, strides)


def _warn_misaligned(
    x: npt.NDArray[Any],
    shape: tuple[int, ...],
    strides: tuple[int, ...],
    stacklevel: int,
) -> None:
    alignment = x.dtype.alignment
    if gcd(*strides) % alignment == 0 or not x.flags.aligned:
        return
    broken = [
        (dim, stride)
        for dim, (size, stride) in enumerate(zip(shape, strides, strict=True))
        if size > 1 and stride % alignment
    ]
    if not broken:
        return
    dim, stride = broken[0]
    message = (
        f"as_strided made a misaligned view: strides[{dim}] = {stride} is not a "
        f"multiple of the {x.dtype} alignment ({alignment} bytes), so elements "
        f"straddle x's elements and mix their bytes (and access is slow)."
    )
    request = Request(
        shape, strides, x.itemsize, x.shape, x.strides, True, array_span(x)
    )
    cause = strides_in_elements(request)
    message += (
        f" {cause}" if cause else " Use strides that are multiples of x.itemsize."
    )
    warnings.warn(message, MisalignedWarning, stacklevel=stacklevel)


def _warn_overlap(
    shape: tuple[int, ...], strides: tuple[int, ...], itemsize: int, stacklevel: int
) -> None:
    verdict = overlap(shape, strides, itemsize)
    if verdict is Overlap.NONE:
        return
    fix = (
        "Pass writeable=False if you only read (numpy's own docs advise it); "
        "np.broadcast_to and sliding_window_view return read-only views."
    )
    zero = [
        d
        for d, (n, s) in enumerate(zip(shape, strides, strict=True))
        if n > 1 and s == 0
    ]
    if zero:
        d = zero[0]
        what = (
            f"strides[{d}] = 0 repeats each element {shape[d]} times, so writing one "
            f"element writes all its copies."
        )
    elif verdict is Overlap.CERTAIN:
        what = (
            f"its elements share memory (shape {shape}, strides {strides}), so "
            f"writing one element changes others."
        )
    else:
        what = (
            f"its elements may share memory (shape {shape}, strides {strides}; too "
            f"many to check exactly), so a write may change other elements."
        )
    warnings.warn(
        f"as_strided made a writeable view that overlaps itself: {what} {fix}",
        OverlapWarning,
        stacklevel=stacklevel,
    )
