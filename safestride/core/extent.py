"""Byte-extent arithmetic and finding the allocation an array lives in.

Everything here works on plain Python integers, so no product of shapes and
strides can overflow and hide a violation. Offsets are in bytes, relative to
the data pointer of the array being viewed (its first element).
"""

from __future__ import annotations

import enum
import mmap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from safestride._public import public
from safestride.core.arguments import int_sequence

#: How many elements a view may have before the exact overlap check stops
#: enumerating offsets and answers "may" instead.
ENUMERATION_LIMIT = 1 << 14


Extent = tuple[int, int]


def scan(
    shape: Sequence[int], strides: Sequence[int], itemsize: int
) -> tuple[int, int, bool]:
    """The one pass over a view's dimensions: its byte extent, and nesting.

    Every size must be at least 1 (callers settle empty views first).

    Returns
    -------
    low, high : int
        The view reads bytes ``low <= b < high``, 0 being its first element.
    nested : bool
        True when, from the last dimension outwards, every stride clears all
        the bytes of the dimensions inside it: then no two elements share a
        byte (the usual C-ordered window or broadcast-free view). False says
        nothing for certain; `overlap` decides.

    Examples
    --------
    >>> scan((4, 3), (8, 8), 8)
    (0, 48, False)
    >>> scan((2, 3), (-24, 8), 8)
    (-24, 24, True)
    """
    low = 0
    high = itemsize
    nested = True
    for size, stride in zip(reversed(shape), reversed(strides), strict=True):
        if stride >= 0:
            if size > 1 and stride < high - low:
                nested = False
            high += stride * (size - 1)
        else:
            if size > 1 and -stride < high - low:
                nested = False
            low += stride * (size - 1)
    return low, high, nested


def extent_of(
    shape: Sequence[int], strides: Sequence[int], itemsize: int
) -> Extent | None:
    """`view_extent` for arguments already checked: the hot path's version."""
    if itemsize == 0 or 0 in shape:
        return None
    low, high, _ = scan(shape, strides, itemsize)
    return low, high


def _itemsize(value: object) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"itemsize must be an integer number of bytes; got "
            f"{type(value).__name__} {value!r}."
        )
    if value < 0:
        raise ValueError(
            f"itemsize is {value}; it must be >= 0 (bytes per element, as in "
            f"x.itemsize)."
        )
    return int(value)


@public
def view_extent(shape: Any, strides: Any, itemsize: Any) -> Extent | None:
    """Return the bytes a strided view touches, relative to its data pointer.

    Parameters
    ----------
    shape : sequence of int
        The view's shape.
    strides : sequence of int
        The view's strides in bytes, one per dimension.
    itemsize : int
        Bytes per element, 0 or more.

    Returns
    -------
    tuple of int or None
        ``(low, high)``: the view reads bytes ``low <= b < high``, where 0 is
        its first element. ``None`` when the view touches no memory: it is
        empty (a zero in `shape`), or its elements have no bytes
        (`itemsize` 0, as in ``np.dtype("V0")``).

    Raises
    ------
    TypeError, ValueError
        An argument is not what it should be; the message names it.

    Examples
    --------
    >>> from safestride import view_extent
    >>> view_extent((3, 4), (0, 8), 8)
    (0, 32)
    >>> view_extent((5,), (-8,), 8)
    (-32, 8)
    >>> view_extent((0, 4), (8, 8), 8) is None
    True
    >>> view_extent((3,), (8,), -8)
    Traceback (most recent call last):
    ...
    ValueError: itemsize is -8; it must be >= 0 (bytes per element, as in x.itemsize).
    """
    size = _itemsize(itemsize)
    dims = int_sequence(shape, "shape")
    steps = int_sequence(strides, "strides")
    if len(dims) != len(steps):
        raise ValueError(
            f"shape and strides must have one entry per dimension; got shape {dims} "
            f"({len(dims)} entries) and strides {steps} ({len(steps)})."
        )
    for i, n in enumerate(dims):
        if n < 0:
            raise ValueError(f"shape[{i}] is {n}; sizes must be >= 0.")
    return extent_of(dims, steps, size)


def holds(outer: Extent | None, inner: Extent | None) -> bool:
    """Whether the bytes `inner` lie inside `outer` (None: no bytes at all).

    Examples
    --------
    >>> holds((0, 32), (8, 32)), holds((0, 32), (-8, 8)), holds(None, None)
    (True, False, True)
    """
    if inner is None:
        return True
    return outer is not None and outer[0] <= inner[0] and inner[1] <= outer[1]


def own_extent(array: npt.NDArray[Any], flags: Any = None) -> Extent | None:
    """The bytes `array` itself spans, relative to its first element.

    `flags` is ``array.flags`` when the caller has it already (it costs a
    new object per read, and this runs on every checked call).

    Examples
    --------
    >>> import numpy as np
    >>> own_extent(np.zeros((3, 4))), own_extent(np.zeros((3, 4))[::-1, ::2])
    ((0, 96), (-64, 24))
    """
    if flags is None:
        flags = array.flags
    if flags.c_contiguous or flags.f_contiguous:
        return 0, array.nbytes
    return extent_of(array.shape, array.strides, array.itemsize)


@public
@dataclass(frozen=True)
class Allocation:
    """The memory a view may touch, relative to the viewed array's first element.

    Attributes
    ----------
    low, high : int
        Bytes ``low <= b < high`` are available.
    owner : str
        What owns the memory, in words (for messages).
    known : bool
        False when the owner could not be found and the array's own span was
        used instead.
    """

    low: int
    high: int
    owner: str
    known: bool = True

    @property
    def nbytes(self) -> int:
        return self.high - self.low

    def holds(self, extent: Extent | None) -> bool:
        """Whether the bytes `extent` (None: an empty view) lie inside."""
        return holds((self.low, self.high), extent)


def address(array: npt.NDArray[Any]) -> int:
    """The data pointer of `array`, as an integer."""
    pointer: int = array.__array_interface__["data"][0]
    return pointer


def array_span(array: npt.NDArray[Any]) -> Allocation:
    """The bytes spanned by `array` itself, first to last element."""
    extent = extent_of(array.shape, array.strides, array.itemsize)
    low, high = extent if extent is not None else (0, 0)
    return Allocation(low, high, f"x itself ({describe_array(array)})")


def describe_array(array: npt.NDArray[Any]) -> str:
    """A short description such as ``float64 array of shape (4, 5)``."""
    return f"{array.dtype} array of shape {tuple(array.shape)}"


def _buffer_range(obj: object) -> tuple[int, int] | None:
    """Start address and length of a buffer-protocol object, or None."""
    try:
        view = memoryview(obj)  # type: ignore[arg-type]
    except TypeError:
        return None
    with view:
        if view.nbytes == 0:
            return (0, 0)
        if view.c_contiguous:
            flat = np.frombuffer(view.cast("B") if view.ndim != 1 else view, np.uint8)
            return address(flat), view.nbytes
        as_array = np.asarray(view)
        extent = extent_of(as_array.shape, as_array.strides, as_array.itemsize)
        assert extent is not None  # nbytes > 0
        return address(as_array) + extent[0], extent[1] - extent[0]


def _describe_owner(obj: object) -> str:
    if isinstance(obj, np.ndarray):
        return f"the {describe_array(obj)} that owns the memory"
    if isinstance(obj, mmap.mmap):
        return "a memory-mapped file (mmap)"
    return f"a {type(obj).__name__} object"


def find_allocation(array: npt.NDArray[Any]) -> Allocation:
    """Find the whole allocation that `array`'s memory belongs to.

    Follows ``.base`` through ndarrays, numpy's own ``as_strided`` results,
    memoryviews and any buffer-protocol owner (``bytes``, ``bytearray``,
    ``mmap``, ``array.array``, ctypes). Where no owner can be found, returns
    the array's own span with ``known=False``.
    """
    start = address(array)
    node: object = array
    for _ in range(10_000):  # a base chain is never this long; bounded anyway
        if isinstance(node, np.ndarray):
            base = node.base
            if base is None:
                if node.flags.owndata:
                    span = array_span(node)
                    origin = address(node) - start
                    return Allocation(
                        origin + span.low, origin + span.high, _describe_owner(node)
                    )
                break
            node = base
            continue
        if isinstance(node, memoryview) and node.obj is not None:
            node = node.obj
            continue
        found = _buffer_range(node)
        if found is not None:
            begin, length = found
            return Allocation(
                begin - start, begin - start + length, _describe_owner(node)
            )
        # numpy's as_strided leaves a holder of __array_interface__ as .base
        parent = getattr(node, "base", None)
        if parent is None or not hasattr(node, "__array_interface__"):
            break
        node = parent
    span = array_span(array)
    return Allocation(span.low, span.high, span.owner, known=False)


def objects_owner(array: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
    """The array holding Python objects that `array`'s memory belongs to, if any.

    `array` itself, or an ndarray on its ``.base`` chain (through numpy's
    ``as_strided`` holders): a field view such as ``records["value"]`` shares
    its memory with the object fields around it. Object arrays export no
    buffer, so no other kind of owner can hold them.

    Examples
    --------
    >>> records = np.zeros(4, [("name", object), ("value", "f8")])
    >>> objects_owner(records["value"]) is records
    True
    >>> objects_owner(np.zeros(4)[::2]) is None
    True
    """
    node: object = array
    while node is not None:  # a .base chain is finite (and numpy collapses it)
        if isinstance(node, np.ndarray) and node.dtype.hasobject:
            return node
        node = getattr(node, "base", None)
    return None


def pointer_offsets(dtype: np.dtype[Any], start: int = 0) -> list[int]:
    """Where the object pointers of one item of `dtype` start, in bytes.

    Examples
    --------
    >>> pointer_offsets(np.dtype([("a", "f8"), ("b", "O"), ("c", "O", 2)]))
    [8, 16, 24]
    """
    if dtype.subdtype is not None:
        item, shape = dtype.subdtype
        count = int(np.prod(shape))
        return [
            offset
            for i in range(count)
            for offset in pointer_offsets(item, start + i * item.itemsize)
        ]
    if dtype.fields:
        return sorted(
            offset
            for field, at, *_ in dtype.fields.values()
            for offset in pointer_offsets(field, start + at)
        )
    return [start] if dtype.hasobject else []


def touches_pointers(owner: npt.NDArray[Any], low: int, high: int) -> bool | None:
    """Whether the absolute byte range [low, high) overlaps one of the object
    pointers in `owner`'s memory; None when the array owning that memory
    does not pack its records back to back, so its pointers cannot be listed
    by period.

    Examples
    --------
    >>> records = np.zeros(3, [("name", object), ("value", "f8")])
    >>> start = address(records)
    >>> touches_pointers(records, start + 8, start + 16)  # record 0's value
    False
    >>> touches_pointers(records, start + 8, start + 24)  # and record 1's name
    True
    """
    node: Any = owner
    while isinstance(getattr(node, "base", None), np.ndarray):
        node = node.base
    if not isinstance(node, np.ndarray):
        return None
    if not (node.flags.c_contiguous or node.flags.f_contiguous):
        return None  # records not packed back to back: not listed by period
    period = node.itemsize
    if not period or node.size == 0:
        return False
    first = address(node)
    low, high = low - first, high - first
    pointer = np.dtype(object).itemsize
    for offset in pointer_offsets(node.dtype):
        # the first pointer of this field that ends after low
        k = max(0, (low - offset - pointer) // period + 1)
        if k < node.size and k * period + offset < high:
            return True
    return False


def _packed_root(owner: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
    """The array that owns `owner`'s memory, if it packs its records back to
    back (so its pointers repeat with the record size); None otherwise."""
    root: Any = owner
    while isinstance(getattr(root, "base", None), np.ndarray):
        root = root.base
    if not isinstance(root, np.ndarray) or not root.itemsize or not root.size:
        return None
    if not (root.flags.c_contiguous or root.flags.f_contiguous):
        return None
    return root


#: Past this many (residue, byte) pairs the pointer proof gives up (refuses).
_PROOF_LIMIT = 1 << 16


def lands_on_pointers(
    owner: npt.NDArray[Any],
    x: npt.NDArray[Any],
    shape: tuple[int, ...],
    strides: tuple[int, ...],
    *,
    writeable: bool,
) -> bool:
    """Whether the view of `x` is proven harmless to the object pointers of
    `owner`'s memory: inside that memory, every object field of every element
    on a pointer, and, when `writeable`, no other byte of an element on one.

    The records repeat every ``itemsize`` bytes, so only where each element
    starts within its record matters: at most one place per byte of the
    record, found in O(ndim * itemsize**2) however large the view.

    Examples
    --------
    >>> records = np.zeros(4, [("name", object), ("value", "f8")])
    >>> x = records["value"]
    >>> lands_on_pointers(records, x, (7,), (8,), writeable=False)  # reads only
    True
    >>> lands_on_pointers(records, x, (7,), (8,), writeable=True)
    False
    >>> names = records["name"][3:]
    >>> lands_on_pointers(records, names, (4,), (-16,), writeable=True)
    True
    """
    root = _packed_root(owner)
    if root is None:
        return False
    period, records = root.itemsize, root.size
    pointers = pointer_offsets(root.dtype)
    if not pointers:
        return False
    itemsize = x.itemsize
    first = address(x) - address(root)
    low, high, _ = scan(shape, strides, itemsize)
    if first + low < 0 or first + high > period * records:
        return False
    places = {first % period}
    for size, stride in zip(shape, strides, strict=True):
        step = stride % period
        if size > 1 and step:
            reach = range(min(size, period))
            if len(places) * len(reach) > _PROOF_LIMIT:
                return False  # huge records: too many places to list, refuse
            places = {(place + i * step) % period for place in places for i in reach}
    if len(places) * (itemsize + period) > _PROOF_LIMIT:
        return False
    width = np.dtype(object).itemsize
    starts = set(pointers)
    pointer_bytes = {(p + j) % period for p in pointers for j in range(width)}
    fields = pointer_offsets(x.dtype)
    field_bytes = {q + j for q in fields for j in range(width)}
    for place in places:
        if any((place + q) % period not in starts for q in fields):
            return False
        if writeable and any(
            (place + j) % period in pointer_bytes
            for j in range(itemsize)
            if j not in field_bytes
        ):
            return False
    return True


def lies_over_pointers(x: npt.NDArray[Any], owner: npt.NDArray[Any]) -> bool:
    """Whether the elements of `x`, an array of no objects, overlap one of the
    object pointers of `owner` (an earlier view with strides that do not skip
    them). Exact when every stride of x is a multiple of the records' size
    (all elements sit at one place in their record); otherwise x's whole span
    is judged.

    Examples
    --------
    >>> records = np.zeros(4, [("name", object), ("value", "f8")])
    >>> lies_over_pointers(records["value"][::-1], records)
    False
    >>> from numpy.lib.stride_tricks import as_strided
    >>> lies_over_pointers(as_strided(records["value"], (7,), (8,)), records)
    True
    """
    span = array_span(x)
    if span.high <= span.low:
        return False
    root: Any = owner
    while isinstance(getattr(root, "base", None), np.ndarray):
        root = root.base
    period = root.itemsize
    start = address(x)
    moving = [s for n, s in zip(x.shape, x.strides, strict=True) if n > 1]
    if period and all(s % period == 0 for s in moving):
        low, high = start + span.low, start + span.low + x.itemsize
    else:
        low, high = start + span.low, start + span.high
    return touches_pointers(owner, low, high) is True


@public
class Overlap(enum.Enum):
    """Whether the elements of a view share bytes."""

    NONE = "none"
    CERTAIN = "certain"
    POSSIBLE = "possible"


def c_order_offsets(
    shape: Sequence[int], strides: Sequence[int]
) -> npt.NDArray[np.int64]:
    """The byte offset of every element of a view, in C order (prod(shape) of them)."""
    offsets = np.zeros(1, dtype=np.int64)
    for size, stride in zip(shape, strides, strict=True):
        steps = np.arange(size, dtype=np.int64) * stride
        offsets = (offsets[:, None] + steps[None, :]).ravel()
    return offsets


def overlap(shape: Sequence[int], strides: Sequence[int], itemsize: int) -> Overlap:
    """Decide whether two elements of a view share a byte.

    Exact for zero strides, for strides that nest (each at least the extent
    of the smaller ones, the usual case) and for views of up to
    ``ENUMERATION_LIMIT`` elements; otherwise ``Overlap.POSSIBLE``.
    """
    if itemsize == 0 or 0 in shape:
        return Overlap.NONE
    reach = itemsize
    for step, size in sorted(zip(map(abs, strides), shape, strict=True)):
        if size == 1:
            continue
        if step < reach:
            break
        reach += step * (size - 1)
    else:
        return Overlap.NONE
    dims = sorted((abs(s), n) for n, s in zip(shape, strides, strict=True) if n > 1)
    steps = [step for step, _ in dims]
    if steps[0] < itemsize or len(set(steps)) < len(steps):
        # Neighbours share bytes, or two dimensions step alike: (1, 0) and
        # (0, 1) land on the same element (or (1, 1) and (0, 0), signs apart).
        return Overlap.CERTAIN
    count = 1
    for _, size in dims:
        count *= size
    if count > ENUMERATION_LIMIT:
        return Overlap.POSSIBLE
    offsets = np.sort(c_order_offsets([n for _, n in dims], [s for s, _ in dims]))
    if bool(np.all(np.diff(offsets) >= itemsize)):
        return Overlap.NONE
    return Overlap.CERTAIN


@public
@dataclass(frozen=True)
class DimensionOverrun:
    """How one dimension carries a view past one end of its memory.

    Attributes
    ----------
    dim : int
        The dimension.
    size, stride : int
        Its requested size and stride.
    side : {"end", "start"}
        Which end it crosses: forward strides cross the end, negative ones
        the start.
    reach : int
        Bytes this dimension moves the view towards that side.
    max_size : int
        The largest size that fits with the other dimensions at their
        requested sizes; 0 when the other dimensions alone already overrun.
    """

    dim: int
    size: int
    stride: int
    side: str
    reach: int
    max_size: int

    @property
    def excess(self) -> int:
        """Positions that do not fit along this dimension."""
        return self.size - self.max_size


def dimension_overruns(
    shape: Sequence[int],
    strides: Sequence[int],
    itemsize: int,
    allowed: Allocation,
) -> tuple[DimensionOverrun, ...]:
    """The dimensions that carry a view past either end of `allowed`."""
    extent = extent_of(shape, strides, itemsize)
    if extent is None:
        return ()
    low, high = extent
    found = []
    for dim, (size, stride) in enumerate(zip(shape, strides, strict=True)):
        if size <= 1 or stride == 0:
            continue
        reach = abs(stride) * (size - 1)
        if stride > 0 and high > allowed.high:
            room = allowed.high - (high - reach)
            side = "end"
        elif stride < 0 and low < allowed.low:
            room = (low + reach) - allowed.low
            side = "start"
        else:
            continue
        max_size = room // abs(stride) + 1 if room >= 0 else 0
        found.append(DimensionOverrun(dim, size, stride, side, reach, max_size))
    found.sort(key=lambda overrun: -overrun.reach)
    return tuple(found)
