"""Validation of ``as_strided`` arguments, with errors that name the argument."""

from __future__ import annotations

import operator
from collections.abc import Iterable
from math import prod
from operator import countOf
from typing import Any

import numpy as np
import numpy.typing as npt

INTP_MAX = int(np.iinfo(np.intp).max)
INTP_MIN = int(np.iinfo(np.intp).min)
MAX_DIMS = 64 if np.lib.NumpyVersion(np.__version__) >= "2.0.0" else 32


def _element(value: object, name: str, position: int) -> int:
    where = f"{name}[{position}]"
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{where} is {value!r}, a bool; {name} must hold integers. "
            f"A bool here is almost always a misplaced flag argument."
        )
    if isinstance(value, (float, np.floating)):
        hint = f"int({value!r})" if float(value).is_integer() else "an integer"
        raise TypeError(
            f"{where} is {value!r}, a float; {name} must hold integers "
            f"(use {hint}, or // instead of / when computing it)."
        )
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"{where} is {value!r} of type {type(value).__name__}; "
            f"{name} must hold integers."
        ) from None


def plain_ints(value: object) -> bool:
    """A tuple of exact ints: the common case, checked at C speed."""
    return type(value) is tuple and countOf(map(type, value), int) == len(value)


def int_sequence(value: object, name: str) -> tuple[int, ...]:
    """Turn `value` into a tuple of Python ints, or raise naming `name`."""
    if plain_ints(value):
        return value  # type: ignore[return-value]
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        is_count = isinstance(value, int) and not isinstance(value, bool)
        example = f"{name}=({value},)" if is_count else f"{name}=(2, 3)"
        raise TypeError(
            f"{name} must be a sequence of integers such as {example}; "
            f"got {type(value).__name__} {value!r}."
        )
    if isinstance(value, np.ndarray) and value.ndim != 1:
        raise TypeError(
            f"{name} must be a flat sequence of integers; got an array of "
            f"shape {value.shape}."
        )
    return tuple(_element(v, name, i) for i, v in enumerate(value))


def c_strides(shape: tuple[int, ...], itemsize: int) -> tuple[int, ...]:
    """Strides of a fresh C-contiguous array of `shape`, as numpy computes them.

    Examples
    --------
    >>> c_strides((2, 3, 4), 8)
    (96, 32, 8)
    >>> c_strides((0, 3), 8)
    (24, 8)
    """
    strides = []
    step = itemsize
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def shape_and_strides(
    shape: object, strides: object, x: npt.NDArray[Any]
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Validated ``(shape, strides)`` of a view of `x`, defaulting as numpy does.

    An omitted `shape` is ``x.shape``. An omitted `strides` is *not*
    ``x.strides`` when `x` is C-contiguous: numpy then gives the view the
    C-contiguous strides of the new shape (x's array interface reports no
    strides), and ``x.strides`` only otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> shape_and_strides((2, 8), None, np.zeros((4, 4)))
    ((2, 8), (64, 8))
    >>> shape_and_strides(None, None, np.zeros((4, 4))[:, ::2])
    ((4, 2), (32, 16))
    """
    new_shape = tuple(x.shape) if shape is None else int_sequence(shape, "shape")
    if strides is not None:
        new_strides = int_sequence(strides, "strides")
    elif x.flags.c_contiguous:
        new_strides = c_strides(new_shape, x.itemsize)
    else:
        new_strides = tuple(x.strides)
    if len(new_shape) != len(new_strides):
        shape_given = "given" if shape is not None else "not given, so x.shape is used"
        given = (
            "given"
            if strides is not None
            else "not given, and x is not C-contiguous, so numpy uses x.strides"
        )
        raise ValueError(
            f"shape and strides must have one entry per dimension, but shape "
            f"({shape_given}) is {new_shape} with {len(new_shape)} entries and strides "
            f"({given}) is {new_strides} with {len(new_strides)}. Pass both "
            f"explicitly with the same length."
        )
    if not new_shape:
        return new_shape, new_strides
    if len(new_shape) > MAX_DIMS:
        raise ValueError(
            f"shape has {len(new_shape)} dimensions; numpy supports at most {MAX_DIMS}."
        )
    if min(new_shape) < 0 or max(new_shape) > INTP_MAX:
        _explain_bad_size(new_shape)
    if min(new_strides) < INTP_MIN or max(new_strides) > INTP_MAX:
        _explain_bad_stride(new_strides)
    return new_shape, new_strides


def _explain_bad_size(shape: tuple[int, ...]) -> None:
    for i, size in enumerate(shape):
        if size < 0:
            raise ValueError(
                f"shape[{i}] is {size}; sizes must be >= 0. Check the arithmetic that "
                f"computed it (a window larger than its axis gives a negative count)."
            )
        if size > INTP_MAX:
            raise ValueError(
                f"shape[{i}] is {size}, more than numpy can index ({INTP_MAX})."
            )


def _explain_bad_stride(strides: tuple[int, ...]) -> None:
    for i, stride in enumerate(strides):
        if not INTP_MIN <= stride <= INTP_MAX:
            raise ValueError(
                f"strides[{i}] is {stride}, beyond what numpy can store "
                f"({INTP_MIN} to {INTP_MAX}); no real array has such strides."
            )


def total_size_fits(shape: tuple[int, ...], itemsize: int) -> None:
    """Raise when the view would have more bytes than numpy can address."""
    count = prod(shape)
    if count * max(itemsize, 1) > INTP_MAX:
        raise ValueError(
            f"shape {shape} asks for {count} elements of {itemsize} bytes, more "
            f"than numpy can address ({INTP_MAX} bytes). Check the shape arithmetic."
        )


def flag(value: object, name: str) -> bool:
    """A boolean argument; rejects truthy look-alikes such as ``"False"``."""
    if value is True or value is False:
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    raise TypeError(
        f"{name} must be True or False; got {type(value).__name__} {value!r}."
    )


def check_bounds_flag(value: object) -> bool:
    """``check_bounds``: None (the default) and True check, False does not."""
    if value is None:
        return True
    return flag(value, "check_bounds")
