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
from safestride.core.extent import (
    Allocation,
    Extent,
    Overlap,
    array_span,
    describe_array,
    find_allocation,
    foreign_offset,
    holds,
    index_of_offset,
    overlap,
    own_extent,
    view_extent,
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

_OBJECTS_REFUSED = "as_strided refuses this view of"


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
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not ours
    itemsize = x.itemsize
    extent = view_extent(shape, strides, itemsize)
    if extent is None:
        return None
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
    if bounds == "elements":
        _check_elements(x, shape, strides)
    if x.dtype.hasobject:
        _check_object_slots(x, shape, strides, extent)
    elif warn:
        _warn_misaligned(x, shape, strides, stacklevel + 1)
    if writeable and warn:
        _warn_overlap(shape, strides, itemsize, stacklevel + 1)
    return extent


def _check_elements(
    x: npt.NDArray[Any], shape: tuple[int, ...], strides: tuple[int, ...]
) -> None:
    offset = foreign_offset(shape, strides, x)
    if offset is None:
        return
    report = violation_of(
        shape, strides, x.dtype, source=x, bounds="elements", allowed=array_span(x)
    )
    raise ForeignElementError(report, offset, index_of_offset(shape, strides, offset))


def _is_lattice_view(
    x: npt.NDArray[Any],
    shape: tuple[int, ...],
    strides: tuple[int, ...],
    extent: tuple[int, int],
) -> bool:
    """Cheap sufficient test that every element of the view is one of x's."""
    if not (x.flags.c_contiguous or x.flags.f_contiguous):
        return False
    if extent[0] < 0 or extent[1] > x.nbytes:
        return False
    return all(
        s % x.itemsize == 0 for n, s in zip(shape, strides, strict=True) if n > 1
    )


def check_object_view(
    x: npt.NDArray[Any], shape: tuple[int, ...], strides: tuple[int, ...]
) -> None:
    """Refuse a view of an object array whose elements are not x's object slots.

    Runs even with ``check_bounds=False``: such a view crashes the interpreter.
    """
    extent = view_extent(shape, strides, x.itemsize)
    if x.dtype.hasobject and extent is not None:
        _check_object_slots(x, shape, strides, extent)


def _check_object_slots(
    x: npt.NDArray[Any],
    shape: tuple[int, ...],
    strides: tuple[int, ...],
    extent: tuple[int, int],
) -> None:
    if _is_lattice_view(x, shape, strides, extent):
        return
    span = array_span(x)
    if extent[0] < span.low or extent[1] > span.high:
        raise MisalignedError(
            f"{_OBJECTS_REFUSED} {describe_array(x)}: it holds Python "
            f"objects, and the view (bytes [{extent[0]}, {extent[1]})) reaches "
            f"outside x (bytes [{span.low}, {span.high})), where safestride cannot "
            f"prove the bytes are object pointers. Reading a non-pointer as an object "
            f"crashes the interpreter. Make the view from the parent array instead.",
            summary=f"{_OBJECTS_REFUSED} {describe_array(x)}: it would reach "
            f"outside x, where object pointers cannot be proven.",
        )
    offset = foreign_offset(shape, strides, x)
    if offset is None:
        return
    index = index_of_offset(shape, strides, offset)
    where = f"view[{', '.join(map(str, index))}]" if index is not None else "an element"
    raise MisalignedError(
        f"{_OBJECTS_REFUSED} {describe_array(x)} (strides {x.strides}): "
        f"it holds Python objects, and {where} would start at byte {offset}, which is "
        f"not the start of an element of x. Its bytes are not an object pointer; "
        f"reading them crashes the interpreter. Asked for shape {shape}, strides "
        f"{strides}: use strides that are multiples of x.strides.",
        summary=f"{_OBJECTS_REFUSED} {describe_array(x)}: {where} would start "
        f"inside an object pointer, at byte {offset}.",
    )


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
