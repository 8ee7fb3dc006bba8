"""An independent oracle for strided views: enumerate every element.

Deliberately naive and written without safestride's formulas: it lists the
byte offset of every element (itertools.product) and compares byte ranges.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import numpy.typing as npt


def pointer(array: npt.NDArray[Any]) -> int:
    return int(array.ctypes.data)


def element_offsets(shape: tuple[int, ...], strides: tuple[int, ...]) -> list[int]:
    """Byte offset of every element, in C order."""
    return [
        sum(i * s for i, s in zip(index, strides, strict=True))
        for index in itertools.product(*(range(n) for n in shape))
    ]


def allowed_bytes(
    parent: npt.NDArray[Any], x: npt.NDArray[Any], bounds: str
) -> set[int] | range:
    """Byte offsets (relative to x's first element) a view of x may touch."""
    if bounds == "buffer":
        start = pointer(parent) - pointer(x)
        return range(start, start + parent.nbytes)
    offsets = element_offsets(x.shape, x.strides)
    if not offsets:
        return range(0)
    return range(min(offsets), max(offsets) + x.itemsize)


def is_out_of_bounds(
    parent: npt.NDArray[Any],
    x: npt.NDArray[Any],
    shape: tuple[int, ...],
    strides: tuple[int, ...],
    bounds: str,
) -> bool:
    """True when some element of the view touches a byte it may not touch."""
    allowed = allowed_bytes(parent, x, "array" if bounds == "elements" else bounds)
    for offset in element_offsets(shape, strides):
        if offset not in allowed or offset + x.itemsize - 1 not in allowed:
            return True
    return False


def reads_foreign_element(
    x: npt.NDArray[Any], shape: tuple[int, ...], strides: tuple[int, ...]
) -> bool:
    """True when some element of the view does not start on an element of x."""
    own = set(element_offsets(x.shape, x.strides))
    return any(o not in own for o in element_offsets(shape, strides))


def same_view(ours: npt.NDArray[Any], theirs: npt.NDArray[Any]) -> None:
    """Assert two views are the same view of the same memory."""
    assert type(ours) is type(theirs)
    assert ours.shape == theirs.shape
    assert ours.strides == theirs.strides
    assert ours.dtype == theirs.dtype
    assert pointer(ours) == pointer(theirs)
    for name in ("writeable", "aligned", "c_contiguous", "f_contiguous"):
        assert getattr(ours.flags, name) == getattr(theirs.flags, name), name
    assert ours.tobytes() == theirs.tobytes()


def size(shape: tuple[int, ...]) -> int:
    return int(np.prod(shape, dtype=object))


def object_slots(dtype: np.dtype[Any], at: int = 0) -> list[int]:
    """Where the object pointers of one item of `dtype` start, by recursion
    over its fields and subarrays."""
    if dtype.names is not None:
        found = []
        for name in dtype.names:
            field, offset = dtype.fields[name][:2]  # type: ignore[index]
            found += object_slots(field, at + offset)
        return found
    if dtype.subdtype is not None:
        base, shape = dtype.subdtype
        return [
            s
            for i in range(size(shape))
            for s in object_slots(base, at + i * base.itemsize)
        ]
    return [at] if dtype.hasobject else []


def object_pointer_starts(owner: npt.NDArray[Any], x: npt.NDArray[Any]) -> set[int]:
    """Where the object pointers in `owner` start, relative to x's first
    element; no safestride code involved."""
    shift = pointer(owner) - pointer(x)
    inside = object_slots(owner.dtype)
    return {
        shift + start + slot
        for start in element_offsets(owner.shape, owner.strides)
        for slot in inside
    }


def object_pointer_bytes(owner: npt.NDArray[Any], x: npt.NDArray[Any]) -> set[int]:
    """Bytes (relative to x's first element) holding object pointers in `owner`."""
    return {
        start + b
        for start in object_pointer_starts(owner, x)
        for b in range(np.dtype(object).itemsize)
    }


def view_bytes(
    shape: tuple[int, ...], strides: tuple[int, ...], itemsize: int
) -> set[int]:
    """Every byte a view touches, relative to its first element."""
    return {o + b for o in element_offsets(shape, strides) for b in range(itemsize)}
