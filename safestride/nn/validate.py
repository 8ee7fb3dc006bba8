"""Argument checks of the conv2d and bias helpers: each error names the argument."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]
Pair = tuple[int, int]


def pair(value: object, name: str, *, minimum: int) -> Pair:
    """(int, int) from an int or a pair of ints, each at least `minimum`."""
    items = value if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints; got {value!r}.")
    numbers = []
    for item in items:
        if isinstance(item, (bool, np.bool_)) or not isinstance(
            item, (int, np.integer)
        ):
            raise TypeError(f"{name} must be an int or a pair of ints; got {value!r}.")
        if item < minimum:
            raise ValueError(f"{name} must be >= {minimum}; got {value!r}.")
        numbers.append(int(item))
    return numbers[0], numbers[1]


def padding_pairs(
    value: object, *, kernel: Pair, dilation: Pair, stride: Pair
) -> tuple[Pair, Pair]:
    """((top, bottom), (left, right)) from an int, a pair, "same" or "valid"."""
    if value == "valid":
        return (0, 0), (0, 0)
    if value == "same":
        if stride != (1, 1):
            raise ValueError(
                f"padding='same' needs stride 1 (the output size would not be the "
                f"input size otherwise); got stride={stride}. Give padding as ints."
            )
        total = [d * (k - 1) for d, k in zip(dilation, kernel, strict=True)]
        return (total[0] // 2, total[0] - total[0] // 2), (
            total[1] // 2,
            total[1] - total[1] // 2,
        )
    if isinstance(value, str):
        raise ValueError(
            f"padding must be an int, a pair, 'same' or 'valid'; got {value!r}."
        )
    top, left = pair(value, "padding", minimum=0)
    return (top, top), (left, left)


def real_array(value: object, name: str, *, ndim: int, layout: str) -> Array:
    """`value` as an array of `ndim` dimensions holding real numbers."""
    array = np.asarray(value)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D {layout}; got shape {array.shape}.")
    if not (
        np.issubdtype(array.dtype, np.floating)
        or np.issubdtype(array.dtype, np.integer)
    ):
        raise TypeError(f"{name} must hold real numbers; got dtype {array.dtype}.")
    return array


def result_dtype(*arrays: Array) -> np.dtype[Any]:
    """The floating dtype of a result: the arrays' common one, float64 for ints."""
    dtype = np.result_type(*arrays)
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


def bias_vector(b: object, *, filters: int, dtype: np.dtype[Any]) -> Array:
    """`b` as one value per filter, in `dtype`."""
    bias = np.asarray(b)
    if bias.shape != (filters,):
        raise ValueError(
            f"b must have one value per filter, shape ({filters},); "
            f"got shape {bias.shape}."
        )
    return bias.astype(dtype, copy=False)


def axis_index(axis: object, *, ndim: int) -> int:
    """`axis` as an index in range(ndim); negative axes count from the end."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an int; got {axis!r}.")
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"axis {axis} is out of range for an array with {ndim} dimensions."
        )
    return int(axis) % ndim
