"""The numbers of a view that reaches outside its memory, collected once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from safestride._public import public
from safestride.core.causes import (
    Request,
    likely_causes,
    shape_one_too_large,
    stale_strides,
)
from safestride.core.extent import (
    Allocation,
    DimensionOverrun,
    dimension_overruns,
    extent_of,
    find_allocation,
)


@public
@dataclass(frozen=True)
class Violation:
    """Everything known about a view that reaches outside its memory.

    Offsets are in bytes relative to the first element of the array being
    viewed (``x``).
    """

    shape: tuple[int, ...]
    strides: tuple[int, ...]
    itemsize: int
    dtype: str
    bounds: str
    x_shape: tuple[int, ...] | None
    x_strides: tuple[int, ...] | None
    view_low: int
    view_high: int
    allowed: Allocation
    overruns: tuple[DimensionOverrun, ...]
    causes: tuple[str, ...]

    @property
    def bytes_past_end(self) -> int:
        return max(0, self.view_high - self.allowed.high)

    @property
    def bytes_before_start(self) -> int:
        return max(0, self.allowed.low - self.view_low)


def violation_of(
    shape: tuple[int, ...],
    strides: tuple[int, ...],
    dtype: np.dtype[Any],
    *,
    source: npt.NDArray[Any] | None,
    bounds: str,
    allowed: Allocation,
    first_causes: tuple[str, ...] = (),
) -> Violation:
    """Collect the numbers and likely causes of a bad view of `source`.

    `source` is the array the view is made from, None when unknown;
    `first_causes` are sentences the caller knows for certain, put before
    the recognised likely causes.
    """
    itemsize = dtype.itemsize
    extent = extent_of(shape, strides, itemsize)
    low, high = extent if extent is not None else (0, 0)
    causes = first_causes
    if source is not None:
        request = Request(
            shape,
            strides,
            itemsize,
            source.shape,
            source.strides,
            bool(source.flags.c_contiguous),
            allowed,
            owner=find_allocation(source),
        )
        recognised = likely_causes(request)
        if allowed.holds(extent):  # a foreign element: nothing overruns
            overrun_only = {shape_one_too_large(request), stale_strides(request)}
            recognised = tuple(c for c in recognised if c not in overrun_only)
        causes += recognised
    return Violation(
        shape=shape,
        strides=strides,
        itemsize=itemsize,
        dtype=str(dtype),
        bounds=bounds,
        x_shape=source.shape if source is not None else None,
        x_strides=source.strides if source is not None else None,
        view_low=low,
        view_high=high,
        allowed=allowed,
        overruns=dimension_overruns(shape, strides, itemsize, allowed),
        causes=causes,
    )
