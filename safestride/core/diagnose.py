"""Checking an array that already exists, made by anyone (plain numpy too)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from safestride._public import public
from safestride.core.extent import (
    Allocation,
    Overlap,
    address,
    array_span,
    describe_array,
    find_allocation,
    overlap,
    view_extent,
)
from safestride.core.messages import render_violation
from safestride.core.violation import Violation, violation_of
from safestride.errors import OutOfBoundsError


@public
@dataclass(frozen=True)
class Diagnosis:
    """What `diagnose` found out about an array.

    Attributes
    ----------
    description : str
        The array in words.
    extent : tuple of int or None
        Bytes the array touches, relative to its first element (None if empty).
    allocation : Allocation
        The memory it lives in, on the same scale.
    in_bounds : bool
        Whether every element lies inside that memory.
    overlap : Overlap
        Whether elements share memory (``Overlap.NONE`` for read-only arrays,
        where sharing is harmless).
    aligned : bool
        numpy's alignment flag.
    violation : Violation or None
        The numbers of the overrun, when out of bounds.
    """

    description: str
    extent: tuple[int, int] | None
    allocation: Allocation
    in_bounds: bool
    overlap: Overlap
    aligned: bool
    violation: Violation | None

    @property
    def ok(self) -> bool:
        """True when the array reads only memory it may read."""
        return self.in_bounds

    @property
    def problems(self) -> tuple[str, ...]:
        """One line per problem found, empty when there is none."""
        found = []
        if self.violation is not None:
            found.append(
                f"reads outside its memory: {self.violation.bytes_past_end} bytes past "
                f"the end, {self.violation.bytes_before_start} before the start"
            )
        if self.overlap is Overlap.CERTAIN:
            found.append("writeable, and its elements overlap")
        elif self.overlap is Overlap.POSSIBLE:
            found.append("writeable, and its elements may overlap")
        if not self.aligned:
            found.append("misaligned for its dtype")
        if not self.allocation.known:
            found.append("the allocation owning its memory could not be found")
        return tuple(found)

    def raise_if_unsafe(self) -> None:
        """Raise `OutOfBoundsError` when the array reads outside its memory."""
        if self.violation is not None:
            raise OutOfBoundsError(self.violation)

    def __str__(self) -> str:
        if self.violation is not None:
            return f"{self.description}: UNSAFE\n{render_violation(self.violation)}"
        lines = [f"{self.description}: in bounds of {self.allocation.owner}"]
        lines += [f"  note: {problem}" for problem in self.problems]
        return "\n".join(lines)


def _source_array(array: npt.NDArray[Any]) -> npt.NDArray[Any] | None:
    """The array `array` was made from: its base, through numpy's as_strided."""
    base = array.base
    if not isinstance(base, np.ndarray) and hasattr(base, "__array_interface__"):
        base = getattr(base, "base", None)
    return base if isinstance(base, np.ndarray) else None


@public
def diagnose(array: npt.NDArray[Any]) -> Diagnosis:
    """Check an existing array against the memory it lives in.

    Unlike `as_strided`, this never raises for an unsafe array: it returns a
    report. Use it on arrays made elsewhere, for instance by numpy's
    unchecked ``as_strided``.

    Parameters
    ----------
    array : ndarray
        Any array.

    Returns
    -------
    Diagnosis
        ``diagnosis.ok`` is False when the array reads memory outside the
        allocation it lives in; ``str(diagnosis)`` is a readable report.

    Examples
    --------
    >>> import numpy as np
    >>> from numpy.lib.stride_tricks import as_strided
    >>> from safestride import diagnose
    >>> x = np.arange(4.0)
    >>> diagnose(as_strided(x, shape=(3, 2), strides=(8, 8))).ok
    True
    >>> bad = as_strided(x, shape=(3, 4), strides=(16, 8))
    >>> report = diagnose(bad)
    >>> report.ok
    False
    >>> report.violation.bytes_past_end
    32
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(
            f"diagnose needs an existing numpy array; got {type(array).__name__}. "
            f"Only arrays have memory to check."
        )
    shape, strides, itemsize = array.shape, array.strides, array.itemsize
    extent = view_extent(shape, strides, itemsize)
    allocation = find_allocation(array)
    source = _source_array(array)
    found = None
    if not allocation.holds(extent):
        found = violation_of(
            shape,
            strides,
            array.dtype,
            source=source,
            bounds="buffer",
            allowed=allocation,
        )
    elif source is not None:
        span = array_span(source)
        shift = address(source) - address(array)
        source_span = Allocation(
            shift + span.low,
            shift + span.high,
            f"the array it was made from ({describe_array(source)})",
        )
        if not source_span.holds(extent):
            found = violation_of(
                shape,
                strides,
                array.dtype,
                source=source,
                bounds="array",
                allowed=source_span,
            )
    return Diagnosis(
        description=describe_array(array) + f" with strides {strides}",
        extent=extent,
        allocation=allocation,
        in_bounds=found is None,
        overlap=overlap(shape, strides, itemsize)
        if array.flags.writeable
        else Overlap.NONE,
        aligned=bool(array.flags.aligned),
        violation=found,
    )
