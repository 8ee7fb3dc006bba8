"""Making the view, and the common call checked in one pass.

`make_view` is the one place a view comes into existence; `fast_path`
answers the common, certainly-safe call before any validation runs, and
defers everything else (every error and warning included) to the full path
in `safestride.stride_tricks`, which explains it.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from math import gcd, prod
from operator import countOf
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided as _numpy_as_strided

from safestride.core.arguments import INTP_MAX
from safestride.core.elements import proven
from safestride.core.extent import Overlap, objects_owner, overlap, scan


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
#: numpy's function object itself: checked while the guard is installed.
numpy_as_strided_or_guarded = _numpy_as_strided


def block_view(
    x: npt.NDArray[Any],
    shape: tuple[int, ...],
    strides: tuple[int, ...],
    writeable: bool,
) -> npt.NDArray[Any]:
    """The view, made by the ndarray constructor over x's own memory block.

    For a plain ndarray that fills one block from its first element (C or
    Fortran order), this is the view numpy's ``as_strided`` makes (same
    pointer, dtype, flags) at a fraction of the cost. `writeable` is final:
    False makes the view read-only. Positional: it runs on every call.
    """
    view: npt.NDArray[Any] = np.ndarray.__new__(
        np.ndarray, shape, x.dtype, x, 0, strides
    )
    if not writeable:
        view.setflags(write=False)  # cheaper than view.flags.writeable = False
    return view


def make_view(
    x: npt.NDArray[Any],
    shape: tuple[int, ...],
    strides: tuple[int, ...],
    *,
    subok: bool,
    writeable: bool,
) -> npt.NDArray[Any]:
    """The view numpy's ``as_strided`` would make; checks nothing."""
    flags = x.flags
    if type(x) is np.ndarray and (flags.c_contiguous or flags.f_contiguous):
        try:
            return block_view(x, shape, strides, writeable and flags.writeable)
        except (TypeError, ValueError, BufferError, OverflowError):
            pass  # numpy's function raises its own error, or copes
    made: npt.NDArray[Any] = numpy_as_strided(
        x, shape, strides, subok=subok, writeable=writeable
    )
    return made


def fast_path(
    x: object,
    shape: object,
    strides: object,
    subok: object,
    writeable: object,
    bounds: object,
    /,
) -> npt.NDArray[Any] | None:
    """The checked view for the common, certainly-safe call; None otherwise.

    Takes the user's arguments as given, positionally: it runs on every
    call. The common call is a plain ndarray, tuples of ints, bool flags and
    the ``"elements"`` or ``"array"`` bounds; the view is certainly fine when
    it is non-empty, inside x's own span, free of objects and alignment
    issues, and, if writeable, of overlap. At the ``"elements"`` level its
    elements must be proven x's: one gcd for a contiguous x (every in-bounds
    stride that is a multiple of the itemsize lands on an element), the
    O(ndim) lattice proof otherwise. None means "take the full path", which
    validates, explains every error and warning, and says in its own words
    what numpy would refuse.
    """
    if not (
        type(x) is np.ndarray
        and (bounds == "elements" or bounds == "array")
        and subok is False
        and (writeable is False or writeable is True)
        and type(shape) is tuple
        and type(strides) is tuple
        and countOf(map(type, shape), int) == len(shape)
        and countOf(map(type, strides), int) == len(strides)
        and len(shape) == len(strides)
        and (not shape or min(shape) > 0)  # the constructor reads -1 as "fill"
    ):
        return None
    dtype = x.dtype
    itemsize = dtype.itemsize
    low, high, nested = scan(shape, strides, itemsize)
    flags = x.flags
    if flags.c_contiguous or flags.f_contiguous:
        if low < 0 or high > x.nbytes or dtype.hasobject:
            return None
        base = x.base  # x may be an earlier view over object pointers:
        if (  # the chain is walked unless it plainly ends at an object-free array
            base is not None
            and (
                type(base) is not np.ndarray
                or base.dtype.hasobject
                or base.base is not None
            )
            and objects_owner(x) is not None
        ):
            return None
        if bounds == "elements":
            if not itemsize or gcd(*strides) % itemsize:
                return None
        elif gcd(*strides) % dtype.alignment:
            return None
        one_block = True
    else:
        x_shape, x_strides = x.shape, x.strides
        if 0 in x_shape or dtype.hasobject:
            return None
        own_low, own_high, _ = scan(x_shape, x_strides, itemsize)
        if low < own_low or high > own_high:
            return None
        if bounds == "elements":
            if not proven(x_shape, x_strides, shape, strides):
                return None
        elif gcd(*strides) % dtype.alignment or (
            not proven(x_shape, x_strides, shape, strides)  # cached: cheaper first
            and objects_owner(x) is not None  # then x's gaps may hold pointers
        ):
            return None
        one_block = False
    writeable = writeable and flags.writeable
    if not nested and (
        prod(shape) * itemsize > INTP_MAX
        or (writeable and overlap(shape, strides, itemsize) is not Overlap.NONE)
    ):
        return None
    try:
        if one_block:
            return block_view(x, shape, strides, writeable)
        made: npt.NDArray[Any] = numpy_as_strided(
            x, shape, strides, writeable=writeable
        )
        return made
    except (TypeError, ValueError, BufferError, OverflowError):
        return None
