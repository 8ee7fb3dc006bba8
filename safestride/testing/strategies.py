"""Hypothesis strategies for strided views: arrays cut from parents, and views of them.

Importable only when hypothesis is installed (``pip install
"safestride[hypothesis]"``). Use them to test your own code that makes
strided views, or to fuzz a function taking strides. Each function checks its
arguments when it is called, and raises hypothesis's ``InvalidArgument`` (a
``TypeError``) naming the argument, as hypothesis's own strategies do.

Examples
--------
>>> from hypothesis import given, settings
>>> from safestride.testing import strategies
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
    from hypothesis.errors import InvalidArgument
except ImportError as missing:
    raise ImportError(
        "safestride.testing.strategies (also importable as safestride.strategies) "
        'needs hypothesis: pip install "safestride[hypothesis]", or pip install '
        "hypothesis."
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

Array = npt.NDArray[Any]

#: Dtypes of every itemsize from 1 to 16: numbers (a bool and a byte-swapped
#: int among them), an unaligned record (3 bytes), and byte strings for the
#: itemsizes no number has.
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
    *(np.dtype(f"S{size}") for size in (5, 6, 7, 9, 10, 11, 12, 13, 14, 15)),
)


@dataclass(frozen=True)
class StridedCase:
    """An owning `parent`, an array `x` cut from it, and a requested view of `x`."""

    parent: Array
    x: Array
    shape: tuple[int, ...]
    strides: tuple[int, ...]


def _count(value: object, name: str, function: str) -> int:
    """`value` as a count (an int, 0 or more), or InvalidArgument naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InvalidArgument(
            f"{function}({name}={value!r}): {name} must be an int, got "
            f"{type(value).__name__}"
        )
    count = int(value)
    if count < 0:
        raise InvalidArgument(f"{function}({name}={value!r}): {name} must be >= 0")
    return count


def _dtype(value: object, function: str) -> np.dtype[Any] | None:
    """`value` as a numpy dtype (None stays None), or InvalidArgument naming it."""
    if value is None:
        return None
    try:
        dtype: np.dtype[Any] = np.dtype(value)  # type: ignore[call-overload]
    except TypeError as error:
        raise InvalidArgument(
            f"{function}(dtype={value!r}): not a numpy dtype ({error})"
        ) from None
    if dtype.subdtype is not None:
        raise InvalidArgument(
            f"{function}(dtype={value!r}): a subarray dtype makes arrays of "
            f"{dtype.base} with {dtype.shape} added to their shape; pass "
            f"dtype={str(dtype.base)!r} instead"
        )
    return dtype


def _array(value: object, name: str, function: str) -> Array:
    if not isinstance(value, np.ndarray):
        raise InvalidArgument(
            f"{function}({name}=...): {name} must be a numpy array, got "
            f"{type(value).__name__}"
        )
    return value


def _patterned(shape: tuple[int, ...], dtype: np.dtype[Any]) -> Array:
    """A fresh C-contiguous array whose element i (in C order) holds i + 1.

    "Holds i + 1" means: the little-endian bytes of i + 1, cut to the itemsize
    (so element patterns repeat only after 256**itemsize elements); in a bool,
    (i + 1) % 2; in an object array, the int i + 1; in a record, each field
    holds it.
    """
    array = np.zeros(shape, dtype=dtype)
    count = array.size
    if dtype.names is not None:
        for name in dtype.names:
            field = array[name]
            field[...] = _patterned(field.shape, field.dtype)
    elif dtype.hasobject:
        array[...] = np.arange(1, count + 1).astype(object).reshape(shape)
    elif dtype == np.bool_:
        array[...] = (np.arange(1, count + 1) % 2).astype(bool).reshape(shape)
    elif dtype.itemsize:
        raw = array.reshape(-1).view(np.uint8).reshape(count, dtype.itemsize)
        numbers = np.arange(1, count + 1, dtype=np.uint64)
        for byte in range(min(dtype.itemsize, 8)):
            raw[:, byte] = (numbers >> np.uint64(8 * byte)) & np.uint64(0xFF)
    return array


def dtypes() -> st.SearchStrategy[np.dtype[Any]]:
    """One of `DTYPES`.

    Examples
    --------
    >>> from hypothesis import find
    >>> find(dtypes(), lambda dtype: dtype.itemsize == 7)
    dtype('S7')
    """
    return st.sampled_from(DTYPES)


def _sides(largest: int) -> st.SearchStrategy[int]:
    """Sizes from 1 to `largest`, and now and then 0."""
    return st.sampled_from((0, *range(1, largest + 1), *range(1, largest + 1)))


def _ndims(largest: int) -> st.SearchStrategy[int]:
    """Dimension counts from 0 to `largest`, mostly 1 and up."""
    return st.sampled_from((0, *range(1, largest + 1), *range(1, largest + 1)))


@st.composite
def _shapes(draw: st.DrawFn, max_dims: int, max_side: int) -> tuple[int, ...]:
    ndim = draw(_ndims(max_dims))
    return tuple(draw(st.lists(_sides(max_side), min_size=ndim, max_size=ndim)))


@st.composite
def _parents(
    draw: st.DrawFn, dtype: np.dtype[Any] | None, max_dims: int, max_side: int
) -> Array:
    chosen = draw(dtypes()) if dtype is None else dtype
    return _patterned(draw(_shapes(max_dims, max_side)), chosen)


def parents(
    dtype: npt.DTypeLike | None = None, max_dims: int = 3, max_side: int = 6
) -> st.SearchStrategy[Array]:
    """Fresh C-contiguous arrays whose elements tell each other apart.

    Element i (in C order) holds the little-endian bytes of i + 1, cut to the
    itemsize, so no two elements have the same bytes while there are fewer
    than 256**itemsize of them (with the defaults, at most 216 elements: every
    dtype with a byte or more). Two kinds of dtype have fewer values than
    that: a bool element holds (i + 1) % 2, and an object element the int
    i + 1; in a record each field holds its own pattern.

    Parameters
    ----------
    dtype : dtype-like, optional
        Anything ``np.dtype`` accepts, ``object`` and records included; one
        of `DTYPES` when omitted.
    max_dims : int
        At most this many dimensions (0 makes 0-d arrays).
    max_side : int
        At most this many elements along each dimension; now and then 0.

    Returns
    -------
    SearchStrategy of ndarray

    Examples
    --------
    >>> from hypothesis import find
    >>> find(parents(dtype=np.int16, max_dims=1), lambda a: a.size >= 3)
    array([1, 2, 3], dtype=int16)
    >>> find(parents(dtype=object, max_dims=1), lambda a: a.size >= 2)
    array([1, 2], dtype=object)
    """
    return _parents(
        _dtype(dtype, "parents"),
        _count(max_dims, "max_dims", "parents"),
        _count(max_side, "max_side", "parents"),
    )


@st.composite
def _sliced(draw: st.DrawFn, parent: Array) -> Array:
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
    view: Array = parent[tuple(index)]
    if view.ndim > 1 and draw(st.booleans()):
        view = view.transpose(draw(st.permutations(range(view.ndim))))
    return view


def sliced(parent: Array) -> st.SearchStrategy[Array]:
    """Views of `parent`: random starts, steps (negative too), and a transpose.

    Parameters
    ----------
    parent : ndarray
        The array to cut from.

    Returns
    -------
    SearchStrategy of ndarray
        Views of `parent` (never copies), 0-d ones included.

    Examples
    --------
    >>> from hypothesis import find
    >>> parent = np.arange(6)
    >>> find(sliced(parent), lambda x: x.strides == (-16,) and x.size == 3)
    array([4, 2, 0])
    """
    return _sliced(_array(parent, "parent", "sliced"))


@st.composite
def _near_x(draw: st.DrawFn, x: Array) -> tuple[tuple[int, ...], tuple[int, ...]]:
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
def _view_requests(
    draw: st.DrawFn, x: Array, max_dims: int, max_side: int
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    if draw(st.booleans()):
        return draw(_near_x(x))
    shape = draw(_shapes(max_dims, max_side))
    item = max(x.itemsize, 1)
    reach = max(x.nbytes, item) // item + 2
    own = x.strides or (item,)
    step = st.one_of(
        st.integers(-2, 3).map(lambda k: k * item),
        st.tuples(st.sampled_from(own), st.integers(-2, 2)).map(lambda p: p[0] * p[1]),
        st.integers(-reach, reach).map(lambda k: k * item),
        st.integers(-reach * item, reach * item),
    )
    strides = tuple(draw(st.lists(step, min_size=len(shape), max_size=len(shape))))
    return shape, strides


def view_requests(
    x: Array, max_dims: int = 4, max_side: int = 5
) -> st.SearchStrategy[tuple[tuple[int, ...], tuple[int, ...]]]:
    """``(shape, strides)`` pairs for a view of `x`, in bounds or not.

    Either `x`'s own layout nudged towards its boundary (a dimension one
    larger or smaller, a stride flipped or off by a byte, a window dimension
    added), or any shape with strides that are mostly multiples of the
    itemsize (zero and negative included), sometimes any byte count,
    sometimes multiples of `x`'s strides.

    Parameters
    ----------
    x : ndarray
        The array the view would be made of.
    max_dims, max_side : int
        Bound the shapes drawn freely (the nudged layouts follow `x`).

    Returns
    -------
    SearchStrategy of (shape, strides)

    Examples
    --------
    >>> from hypothesis import find
    >>> x = np.zeros(4)
    >>> shape, strides = find(view_requests(x), lambda request: request[0] == (5,))
    >>> shape, len(strides)
    ((5,), 1)
    """
    return _view_requests(
        _array(x, "x", "view_requests"),
        _count(max_dims, "max_dims", "view_requests"),
        _count(max_side, "max_side", "view_requests"),
    )


@st.composite
def _strided_cases(draw: st.DrawFn, dtype: np.dtype[Any] | None) -> StridedCase:
    parent = draw(parents(dtype=dtype))
    x = draw(sliced(parent))
    shape, strides = draw(view_requests(x))
    return StridedCase(parent, x, shape, strides)


def strided_cases(dtype: npt.DTypeLike | None = None) -> st.SearchStrategy[StridedCase]:
    """A parent (see `parents`), an array cut from it, and a view request of that array.

    Parameters
    ----------
    dtype : dtype-like, optional
        The parent's dtype; one of `DTYPES` when omitted.

    Returns
    -------
    SearchStrategy of StridedCase

    Examples
    --------
    >>> from hypothesis import find
    >>> case = find(strided_cases(dtype="f8"), lambda c: c.x.ndim == 2)
    >>> case.x.base is case.parent, case.parent.dtype
    (True, dtype('float64'))
    """
    return _strided_cases(_dtype(dtype, "strided_cases"))
