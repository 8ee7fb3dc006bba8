"""A checked drop-in for `numpy.lib.stride_tricks`.

`as_strided` checks the byte extent of the requested view before the view
exists; the other names are numpy's own, which are already safe.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from math import gcd, prod
from operator import countOf
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from numpy import broadcast_arrays, broadcast_shapes, broadcast_to
from numpy.lib.stride_tricks import as_strided as _numpy_as_strided
from numpy.lib.stride_tricks import sliding_window_view

from safestride.core.arguments import (
    INTP_MAX,
    check_bounds_flag,
    flag,
    shape_and_strides,
    total_size_fits,
)
from safestride.core.checks import check_object_view, check_request
from safestride.core.extent import Overlap, overlap, view_extent
from safestride.options import parse_bounds

__all__ = [
    "as_strided",
    "broadcast_arrays",
    "broadcast_shapes",
    "broadcast_to",
    "check_view",
    "safe_as_strided",
    "sliding_window_view",
]

ArrayT = TypeVar("ArrayT", bound=np.ndarray[Any, Any])


def _private_copy(function: Callable[..., Any]) -> Callable[..., Any]:
    """A copy of a Python function that shares its code but not its identity.

    The guard swaps the code of numpy's ``as_strided`` object itself; this copy
    keeps calling numpy's original code whatever happens to that object.
    """
    code = getattr(function, "__code__", None)
    if code is None:  # not a plain Python function: nothing can swap its code
        return function
    copy = types.FunctionType(
        code,
        function.__globals__,
        function.__name__,
        function.__defaults__,
        function.__closure__,
    )
    copy.__kwdefaults__ = function.__kwdefaults__
    functools.update_wrapper(copy, function)
    return copy


#: numpy's own, unchecked function, copied before anything can patch it.
numpy_as_strided = _private_copy(_numpy_as_strided)


def _one_block(flags: Any) -> bool:
    """x fills one block of memory that starts at its first element.

    Then x exports that block as a buffer, and a view at offset 0 of it has
    numpy's own data pointer; C- and Fortran-ordered arrays both qualify.
    """
    return bool(flags.c_contiguous or flags.f_contiguous)


def _make_view(
    x: npt.NDArray[Any],
    shape: tuple[int, ...],
    strides: tuple[int, ...],
    subok: bool,
    writeable: bool,
) -> Any:
    if type(x) is np.ndarray and _one_block(x.flags):
        # The ndarray constructor over x's own buffer: the same view numpy
        # makes (same pointer, dtype, flags), at a fraction of the cost.
        try:
            view = np.ndarray.__new__(np.ndarray, shape, x.dtype, x, 0, strides)
        except (TypeError, ValueError, BufferError, OverflowError):
            pass
        else:
            if view.flags.writeable and not (writeable and x.flags.writeable):
                view.flags.writeable = False
            return view
    return numpy_as_strided(x, shape, strides, subok=subok, writeable=writeable)


def _fast_view(
    x: npt.NDArray[Any],
    shape: tuple[int, ...],
    strides: tuple[int, ...],
    writeable: bool,
) -> Any:
    """The common case, checked in one pass; None defers to the full path.

    Only answers when the view is certainly fine: a plain ndarray input, a
    non-empty in-bounds view, no object dtype, no alignment issue, and no
    overlap if writeable. Anything else, including every error and warning,
    goes through the full path, which explains it.
    """
    if len(shape) != len(strides) or 0 in shape:
        return None
    dtype = x.dtype
    itemsize = dtype.itemsize
    low = 0
    high = itemsize
    nested = True  # each stride clears everything inside it: no overlap
    for size, stride in zip(reversed(shape), reversed(strides), strict=True):
        if size < 0:
            return None
        if stride > 0:
            if size > 1 and stride < high - low:
                nested = False
            high += stride * (size - 1)
        else:
            if size > 1 and -stride < high - low:
                nested = False
            low += stride * (size - 1)
    flags = x.flags
    contiguous = _one_block(flags)
    if contiguous:
        own_low, own_high = 0, x.nbytes
    else:
        own = view_extent(x.shape, x.strides, itemsize)
        if own is None:
            return None
        own_low, own_high = own
    if (
        low < own_low
        or high > own_high
        or dtype.hasobject
        or gcd(*strides) % dtype.alignment
    ):
        return None
    writeable = writeable and flags.writeable
    if not nested and (
        prod(shape) * itemsize > INTP_MAX
        or (writeable and overlap(shape, strides, itemsize) is not Overlap.NONE)
    ):
        return None
    if not contiguous:
        return numpy_as_strided(x, shape, strides, writeable=writeable)
    try:
        view = np.ndarray.__new__(np.ndarray, shape, dtype, x, 0, strides)
    except (TypeError, ValueError, BufferError, OverflowError):
        return None
    if not writeable:
        view.flags.writeable = False
    return view


def fast_path(
    x: object,
    shape: object,
    strides: object,
    subok: object,
    writeable: object,
    bounds: object,
) -> Any:
    """The checked view for the common, certainly-safe call; None otherwise.

    The common call: a plain ndarray, tuples of ints, bool flags, the default
    bounds. None means "take the full path", which validates and explains.
    """
    if (
        type(x) is np.ndarray
        and bounds == "array"
        and subok is False
        and (writeable is False or writeable is True)
        and type(shape) is tuple
        and type(strides) is tuple
        and countOf(map(type, shape), int) == len(shape)
        and countOf(map(type, strides), int) == len(strides)
    ):
        return _fast_view(x, shape, strides, writeable)
    return None


def as_strided(
    x: npt.ArrayLike,
    shape: Any = None,
    strides: Any = None,
    subok: bool = False,
    writeable: bool = True,
    *,
    check_bounds: bool | None = None,
    bounds: str = "array",
) -> Any:
    """Create a view into the array with the given shape and strides, checked.

    A drop-in for `numpy.lib.stride_tricks.as_strided`: every view numpy
    would make that stays in bounds comes back identical (shape, strides,
    dtype, data pointer, subclass, writeable flag). A view that would reach
    outside its memory raises `OutOfBoundsError` before it exists.

    Parameters
    ----------
    x : array_like
        Array to create a view of.
    shape : sequence of int, optional
        The shape of the view. Defaults to ``x.shape``.
    strides : sequence of int, optional
        The strides of the view, in bytes. Defaults to ``x.strides``.
    subok : bool, optional
        If True, subclasses are preserved.
    writeable : bool, optional
        If False, the view is read-only. Otherwise it is writeable when `x`
        is. Prefer False: views made here often overlap themselves.
    check_bounds : bool or None, optional
        numpy 2.5's keyword. None (the default) and True check; False makes
        the view unchecked, exactly as numpy would.
    bounds : {"array", "buffer", "elements"}, optional
        What the view may touch. ``"array"`` (default): only bytes inside the
        span of `x`. ``"buffer"``: anything in the allocation `x` lives in.
        ``"elements"``: only elements of `x`, exactly (slower; for debugging).

    Returns
    -------
    view : ndarray
        The view.

    Raises
    ------
    OutOfBoundsError
        The view would touch bytes outside what `bounds` allows. The message
        says which dimension overruns, by how much, and the likely cause.
    ForeignElementError
        With ``bounds="elements"``: the view reads bytes that are not
        elements of `x`.
    MisalignedError
        `x` holds Python objects and the view's elements would not be
        object pointers (that would crash the interpreter).
    TypeError, ValueError
        Malformed arguments; the message names the argument.

    Warns
    -----
    OverlapWarning
        The view is writeable and its elements share memory.
    MisalignedWarning
        The strides break the dtype's alignment.

    See Also
    --------
    numpy.lib.stride_tricks.as_strided : The unchecked original.
    numpy.broadcast_to : Repeat an array without strides by hand.
    numpy.lib.stride_tricks.sliding_window_view : Safe window views.

    Examples
    --------
    >>> import numpy as np
    >>> from safestride import as_strided
    >>> x = np.arange(6, dtype=np.float64)
    >>> as_strided(x, shape=(4, 3), strides=(8, 8), writeable=False)
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.],
           [3., 4., 5.]])

    One window too many reads past the end, and is refused:

    >>> as_strided(x, shape=(5, 3), strides=(8, 8))
    Traceback (most recent call last):
    ...
    safestride.errors.OutOfBoundsError: as_strided would read 8 bytes...
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not ours
    if check_bounds is None:
        view = fast_path(x, shape, strides, subok, writeable, bounds)
        if view is not None:
            return view
    if not isinstance(x, np.ndarray) or (type(x) is not np.ndarray and not subok):
        x = np.asanyarray(x) if subok else np.asarray(x)
    new_shape, new_strides = shape_and_strides(shape, strides, x.shape, x.strides)
    subok = flag(subok, "subok")
    writeable = flag(writeable, "writeable")
    level = parse_bounds(bounds)
    total_size_fits(new_shape, x.itemsize)
    if check_bounds_flag(check_bounds):
        check_request(
            x, new_shape, new_strides, level, writeable and x.flags.writeable, 3
        )
    else:
        check_object_view(x, new_shape, new_strides)
    return _make_view(x, new_shape, new_strides, subok, writeable)


safe_as_strided = as_strided


def check_view(
    x: npt.ArrayLike,
    shape: Any = None,
    strides: Any = None,
    *,
    bounds: str = "array",
    writeable: bool = False,
) -> tuple[int, int] | None:
    """Check a view of `x` without making it.

    Runs exactly the checks of `as_strided` and raises the same errors.

    Parameters
    ----------
    x : array_like
        The array the view would be made from.
    shape, strides : sequence of int, optional
        The view's shape and strides in bytes; default to `x`'s.
    bounds : {"array", "buffer", "elements"}, optional
        What the view may touch (see `as_strided`).
    writeable : bool, optional
        Whether the view would be writeable; if so, overlapping elements warn.

    Returns
    -------
    tuple of int or None
        The view's byte extent ``(low, high)`` relative to ``x``'s first
        element, or None for an empty view.

    Examples
    --------
    >>> import numpy as np
    >>> from safestride import check_view
    >>> x = np.zeros(10, dtype=np.float32)
    >>> check_view(x, (8, 3), (4, 4))
    (0, 40)
    >>> check_view(x, (9, 3), (4, 4))
    Traceback (most recent call last):
    ...
    safestride.errors.OutOfBoundsError: as_strided would read 4 bytes...
    """
    __tracebackhide__ = True
    array = np.asanyarray(x)
    new_shape, new_strides = shape_and_strides(
        shape, strides, array.shape, array.strides
    )
    writeable = flag(writeable, "writeable")
    level = parse_bounds(bounds)
    total_size_fits(new_shape, array.itemsize)
    return check_request(
        array, new_shape, new_strides, level, writeable and array.flags.writeable, 3
    )
