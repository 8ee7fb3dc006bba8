"""A checked drop-in for `numpy.lib.stride_tricks`.

`as_strided` checks the byte extent of the requested view before the view
exists; the other names are numpy's own, which are already safe.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, SupportsIndex

import numpy as np
import numpy.typing as npt
from numpy import broadcast_arrays, broadcast_shapes, broadcast_to
from numpy.lib.stride_tricks import sliding_window_view

from safestride._public import public
from safestride.core.arguments import (
    check_bounds_flag,
    flag,
    shape_and_strides,
    total_size_fits,
)
from safestride.core.checks import check_object_view, check_request
from safestride.core.fastpath import (
    fast_path,
    make_view,
    numpy_as_strided_or_guarded,
)
from safestride.options import DEFAULT_BOUNDS, Bounds, parse_bounds

__all__ = [
    "as_strided",
    "broadcast_arrays",
    "broadcast_shapes",
    "broadcast_to",
    "check_view",
    "safe_as_strided",
    "sliding_window_view",
]


def _level(bounds: object, check_bounds: object) -> Bounds:
    """The bounds level asked for: `bounds` if given; otherwise numpy 2.5's
    buffer check under ``check_bounds=True``, else the default level."""
    if bounds is not None:
        return parse_bounds(bounds)
    return "buffer" if check_bounds is True else DEFAULT_BOUNDS


@public
def as_strided(
    x: npt.ArrayLike,
    shape: Iterable[SupportsIndex] | None = None,
    strides: Iterable[SupportsIndex] | None = None,
    subok: bool = False,
    writeable: bool = True,
    *,
    check_bounds: bool | None = None,
    bounds: Bounds | None = None,
) -> npt.NDArray[Any]:
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
        numpy 2.5's keyword. None (the default) checks at `bounds`; True alone
        means numpy 2.5's own check (the owning buffer, ``bounds="buffer"``),
        so numpy's code and tests run unchanged; False makes the view
        unchecked, exactly as numpy would.
    bounds : {"elements", "array", "buffer"}, optional
        What the view may touch. ``"elements"`` (the default): only elements
        of `x`, exactly, so a view inside `x`'s span that reads the bytes
        between its elements (another channel, a skipped element, half of a
        complex number) is refused; O(ndim) for every window, broadcast or
        transpose built from `x`'s strides. ``"array"``: any byte inside the
        span of `x`. ``"buffer"``: anything in the allocation `x` lives in.
        Views that could touch Python object pointers must use `x`'s
        elements at every level.

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
        The view could read or write Python object pointers as something
        else (`x`, or the memory around it, holds objects): that would crash
        the interpreter. Raised at every level, even with
        ``check_bounds=False``.
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
    safestride.OutOfBoundsError: as_strided would read 8 bytes...
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not ours
    if check_bounds is None:
        view = fast_path(x, shape, strides, subok, writeable, bounds or DEFAULT_BOUNDS)
        if view is not None:
            return view
    if not isinstance(x, np.ndarray) or (type(x) is not np.ndarray and not subok):
        x = np.asanyarray(x) if subok else np.asarray(x)
    new_shape, new_strides = shape_and_strides(shape, strides, x)
    subok = flag(subok, "subok")
    writeable = flag(writeable, "writeable")
    level = _level(bounds, check_bounds)
    total_size_fits(new_shape, x.itemsize)
    if check_bounds_flag(check_bounds):
        check_request(
            x,
            new_shape,
            new_strides,
            bounds=level,
            writeable=writeable and x.flags.writeable,
            stacklevel=3,
        )
    else:
        check_object_view(x, new_shape, new_strides)
        # numpy's own function object: the guard, if installed, checks the
        # view whatever check_bounds says, as it does numpy's check_bounds=False.
        unchecked: npt.NDArray[Any] = numpy_as_strided_or_guarded(
            x, new_shape, new_strides, subok=subok, writeable=writeable
        )
        return unchecked
    return make_view(x, new_shape, new_strides, subok=subok, writeable=writeable)


safe_as_strided = as_strided


@public
def check_view(
    x: npt.ArrayLike,
    shape: Iterable[SupportsIndex] | None = None,
    strides: Iterable[SupportsIndex] | None = None,
    *,
    bounds: Bounds | None = None,
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
    bounds : {"elements", "array", "buffer"}, optional
        What the view may touch (see `as_strided`); the same default,
        ``"elements"``.
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
    safestride.OutOfBoundsError: as_strided would read 4 bytes...
    """
    __tracebackhide__ = True
    array = np.asanyarray(x)
    new_shape, new_strides = shape_and_strides(shape, strides, array)
    writeable = flag(writeable, "writeable")
    level = _level(bounds, None)
    total_size_fits(new_shape, array.itemsize)
    return check_request(
        array,
        new_shape,
        new_strides,
        bounds=level,
        writeable=writeable and array.flags.writeable,
        stacklevel=3,
    )
