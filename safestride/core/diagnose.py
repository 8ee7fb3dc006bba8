"""Checking an array that already exists, made by anyone (plain numpy too)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from safestride._public import public
from safestride.core.elements import foreign_element
from safestride.core.extent import (
    Allocation,
    Overlap,
    address,
    array_span,
    describe_array,
    extent_of,
    find_allocation,
    overlap,
)
from safestride.core.foreign import what_is_read
from safestride.core.messages import render_foreign, render_violation
from safestride.core.violation import Violation, violation_of
from safestride.errors import ForeignElementError, OutOfBoundsError
from safestride.options import Bounds, parse_bounds


@public
@dataclass(frozen=True)
class Diagnosis:
    """What `diagnose` found out about an array.

    Attributes
    ----------
    description : str
        The array in words.
    extent : tuple of int or None
        Bytes the array touches, relative to its first element (None if it
        touches none).
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
        The numbers of what makes it unsafe at `bounds`; None when `ok`.
    bounds : str
        The level it was judged at (see `diagnose`).
    outside_source : Violation or None
        When the array reaches outside the array it was made from, the
        numbers of that, at every level (a problem, or the violation itself
        with ``bounds="array"``).
    foreign_offset : int or None
        With ``bounds="elements"``: where an element that is not one of the
        source's elements starts, in bytes from the array's first element
        (the scale of `violation`).
    foreign_index : tuple of int or None
        The index of that element in the array.
    """

    description: str
    extent: tuple[int, int] | None
    allocation: Allocation
    in_bounds: bool
    overlap: Overlap
    aligned: bool
    violation: Violation | None
    bounds: str = "buffer"
    outside_source: Violation | None = None
    foreign_offset: int | None = None
    foreign_index: tuple[int, ...] | None = None

    @property
    def ok(self) -> bool:
        """True when the array reads only memory it may read at `bounds`."""
        return self.violation is None

    @property
    def problems(self) -> tuple[str, ...]:
        """One line per problem found, empty when there is none."""
        found = []
        if self.foreign_offset is not None:
            found.append(
                f"reads bytes that are not elements of the array it was made from, "
                f"from byte {self.foreign_offset} of it"
            )
        elif self.violation is not None:
            found.append(
                f"reads outside its memory: {self.violation.bytes_past_end} bytes past "
                f"the end, {self.violation.bytes_before_start} before the start"
            )
        source = self.outside_source
        if source is not None and source is not self.violation:
            found.append(
                f"reaches outside the array it was made from "
                f"({source.bytes_past_end} bytes past its end, "
                f"{source.bytes_before_start} before its start) but stays in its "
                f"allocation: deliberate in code such as scipy.linalg.toeplitz, the "
                f'bug otherwise (bounds="array" counts it as unsafe)'
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
        """Raise `OutOfBoundsError` (`ForeignElementError` for foreign
        elements) when the array is not `ok`."""
        if self.violation is None:
            return
        if self.foreign_offset is not None:
            raise ForeignElementError(
                self.violation, self.foreign_offset, self.foreign_index
            )
        raise OutOfBoundsError(self.violation)

    def __str__(self) -> str:
        if self.violation is not None:
            if self.foreign_offset is not None:
                text = render_foreign(
                    self.violation, self.foreign_offset, self.foreign_index
                )
            else:
                text = render_violation(self.violation)
            return f"{self.description}: UNSAFE\n{text}"
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
def diagnose(array: npt.NDArray[Any], *, bounds: Bounds = "buffer") -> Diagnosis:
    """Check an existing array against the memory it lives in.

    Unlike `as_strided`, this never raises for an unsafe array: it returns a
    report. Use it on arrays made elsewhere, for instance by numpy's
    unchecked ``as_strided``.

    Parameters
    ----------
    array : ndarray
        Any array.
    bounds : {"buffer", "array", "elements"}, optional
        What the array may read. ``"buffer"`` (default): its allocation; an
        array that reaches outside the array it was made from but stays in
        the allocation is ok, with a note in `Diagnosis.problems` (library
        code such as ``scipy.linalg.toeplitz`` does that on purpose).
        ``"array"``: also inside the array it was made from (its ``.base``),
        when known. ``"elements"``: only that array's elements, exactly
        (when both have the same itemsize).

    Returns
    -------
    Diagnosis
        ``diagnosis.ok`` is False when the array reads memory it may not
        read at `bounds`; ``str(diagnosis)`` is a readable report.

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

    Walking back from a slice stays in the allocation: ok, with a note.

    >>> values = np.arange(10.0)
    >>> toeplitz = as_strided(values[4:], shape=(3, 3), strides=(-8, 8))
    >>> diagnose(toeplitz).ok, diagnose(toeplitz, bounds="array").ok
    (True, False)
    >>> diagnose(toeplitz).problems[0][:50]
    'reaches outside the array it was made from (0 byte'
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(
            f"diagnose needs an existing numpy array; got {type(array).__name__}. "
            f"Only arrays have memory to check."
        )
    level = parse_bounds(bounds)
    shape, strides, itemsize = array.shape, array.strides, array.itemsize
    extent = extent_of(shape, strides, itemsize)
    allocation = find_allocation(array)
    source = _source_array(array)
    found = None
    outside = None
    foreign = None
    if not allocation.holds(extent):
        found = violation_of(
            shape,
            strides,
            array.dtype,
            source=source,
            bounds="buffer",
            allowed=allocation,
        )
    if source is not None and extent is not None:
        outside = _outside_source(array, source, extent)
        if level != "buffer" and found is None:
            found = outside
        if level == "elements" and found is None:
            foreign, found = _foreign_to_source(array, source)
    return Diagnosis(
        description=describe_array(array) + f" with strides {strides}",
        bounds=level,
        extent=extent,
        allocation=allocation,
        in_bounds=allocation.holds(extent),
        overlap=overlap(shape, strides, itemsize)
        if array.flags.writeable
        else Overlap.NONE,
        aligned=bool(array.flags.aligned),
        violation=found,
        outside_source=outside,
        foreign_offset=foreign[0] if foreign is not None else None,
        foreign_index=foreign[1] if foreign is not None else None,
    )


def _shift(array: npt.NDArray[Any], source: npt.NDArray[Any]) -> int:
    """Where `array`'s first element lies, in bytes from `source`'s."""
    return address(array) - address(source)


def _outside_source(
    array: npt.NDArray[Any], source: npt.NDArray[Any], extent: tuple[int, int]
) -> Violation | None:
    span = array_span(source)
    shift = -_shift(array, source)
    source_span = Allocation(
        shift + span.low,
        shift + span.high,
        f"the array it was made from ({describe_array(source)})",
    )
    if source_span.holds(extent):
        return None
    level: Bounds = "array"
    return violation_of(
        array.shape,
        array.strides,
        array.dtype,
        source=source,
        bounds=level,
        allowed=source_span,
    )


def _foreign_to_source(
    array: npt.NDArray[Any], source: npt.NDArray[Any]
) -> tuple[tuple[int, tuple[int, ...] | None] | None, Violation | None]:
    """The first element of `array` that is not one of `source`'s, if any."""
    if array.dtype.itemsize != source.dtype.itemsize:
        return None, None  # a view with another dtype: elements do not compare
    start = _shift(array, source)
    found = foreign_element(
        source.shape, source.strides, array.shape, array.strides, start
    )
    if found is None or found.offset is None:
        return None, None
    read = what_is_read(source, found.offset, found.index)
    span = array_span(source)
    violation = violation_of(
        array.shape,
        array.strides,
        array.dtype,
        source=source,
        bounds="elements",
        allowed=Allocation(
            span.low - start,
            span.high - start,
            f"the array it was made from ({describe_array(source)})",
        ),
        first_causes=(read,) if read is not None else (),
    )
    return (found.offset - start, found.index), violation
