"""The errors and warnings safestride raises, and how their messages read.

Every message says what was asked, what exists, what differs, and what to do
instead; the numbers are also kept as attributes for tools to read.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from safestride.core.extent import Allocation, DimensionOverrun

__all__ = [
    "ForeignElementError",
    "MisalignedError",
    "MisalignedWarning",
    "OutOfBoundsError",
    "OverlapWarning",
    "SafeStrideWarning",
    "StrideError",
    "UnsafeViewWarning",
    "Violation",
    "render_picture",
]

PICTURE_WIDTH = 48
MESSAGE_WIDTH = 88


class StrideError(ValueError):
    """A strided view safestride refuses to make.

    A subclass of `ValueError`, so code that catches numpy's errors keeps
    working.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        # Copy and pickle (a multiprocessing worker raising it) without
        # calling __init__, whose arguments differ between subclasses.
        return (_restore, (type(self), self.args, self.__dict__))


def _restore(
    cls: type[StrideError], args: tuple[Any, ...], state: dict[str, Any]
) -> StrideError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class MisalignedError(StrideError):
    """A view of an array holding Python objects whose elements would not land
    on object pointers. Reading it would crash the interpreter."""


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


class OutOfBoundsError(StrideError):
    """The requested view would touch bytes outside the memory it may use.

    Attributes
    ----------
    violation : Violation
        All the numbers below, in one object.
    shape, strides : tuple of int
        What was asked for.
    itemsize : int
        Bytes per element.
    view_extent : tuple of int
        ``(low, high)``: the bytes the view would touch, relative to ``x``'s
        first element.
    allowed_extent : tuple of int
        ``(low, high)``: the bytes it may touch.
    bytes_past_end, bytes_before_start : int
        How far it overruns each end.
    overruns : tuple of DimensionOverrun
        The dimensions responsible, largest reach first.
    causes : tuple of str
        Recognised likely causes, possibly empty.
    """

    def __init__(self, violation: Violation, message: str | None = None) -> None:
        self.violation = violation
        self.shape = violation.shape
        self.strides = violation.strides
        self.itemsize = violation.itemsize
        self.view_extent = (violation.view_low, violation.view_high)
        self.allowed_extent = (violation.allowed.low, violation.allowed.high)
        self.bytes_past_end = violation.bytes_past_end
        self.bytes_before_start = violation.bytes_before_start
        self.overruns = violation.overruns
        self.causes = violation.causes
        super().__init__(
            message if message is not None else render_violation(violation)
        )


class ForeignElementError(OutOfBoundsError):
    """The view stays inside ``x``'s span but reads bytes that are not
    elements of ``x`` (raised by ``bounds="elements"``).

    Attributes
    ----------
    offset : int
        The first such byte offset, relative to ``x``'s first element.
    index : tuple of int or None
        A view index that reads it, when cheap to find.
    """

    def __init__(
        self, violation: Violation, offset: int, index: tuple[int, ...] | None
    ) -> None:
        self.offset = offset
        self.index = index
        super().__init__(violation, render_foreign(violation, offset, index))


class SafeStrideWarning(UserWarning):
    """Base class of the warnings safestride issues."""


class OverlapWarning(SafeStrideWarning):
    """A writeable view whose elements share memory: one write changes
    several elements."""


class MisalignedWarning(SafeStrideWarning):
    """A view whose elements are not aligned for their dtype."""


class UnsafeViewWarning(SafeStrideWarning):
    """The guard, with ``policy="warn"``, saw an unsafe view being made."""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def render_picture(
    view: tuple[int, int], allowed: tuple[int, int], width: int = PICTURE_WIDTH
) -> str:
    """Draw the allowed bytes and the view's bytes on one scale.

    ``=`` marks memory the view may use, ``#`` the view inside it and ``!`` the
    view outside it.

    Examples
    --------
    >>> print(render_picture((0, 40), (0, 24), width=10))
    memory |======    | bytes [0, 24)
    view   |######!!!!| bytes [0, 40)
    """
    start = min(view[0], allowed[0])
    stop = max(view[1], allowed[1])
    scale = max(stop - start, 1) / width

    def cells(low: int, high: int, inside: str, outside: str = " ") -> str:
        row = []
        for column in range(width):
            a = start + column * scale
            b = a + scale
            touched = a < high and b > low
            if not touched:
                row.append(" ")
            elif (a >= allowed[0] and b <= allowed[1]) or outside == " ":
                row.append(inside)
            else:
                row.append(outside)
        return "".join(row)

    memory = cells(allowed[0], allowed[1], "=")
    picture = cells(view[0], view[1], "#", "!")
    return (
        f"memory |{memory}| bytes [{allowed[0]}, {allowed[1]})\n"
        f"view   |{picture}| bytes [{view[0]}, {view[1]})"
    )


def _overrun_lines(violation: Violation) -> list[str]:
    lines = []
    for overrun in violation.overruns:
        if overrun.max_size == 0:
            verdict = "the other dimensions overrun even without it"
        else:
            verdict = f"at most {overrun.max_size} fit, {overrun.excess} too many"
        lines.append(
            f"  dimension {overrun.dim} (size {overrun.size}, stride {overrun.stride})"
            f" moves the view {overrun.reach} bytes towards the {overrun.side}: "
            f"{verdict}"
        )
    if not lines:
        lines.append("  no dimension moves: even the first element does not fit")
    return lines


def _overrun_summary(violation: Violation) -> str:
    parts = []
    size = max(violation.itemsize, 1)
    if violation.bytes_past_end:
        n = violation.bytes_past_end
        parts.append(f"{n} bytes (~{_plural(-(-n // size), 'element')}) past the end")
    if violation.bytes_before_start:
        n = violation.bytes_before_start
        parts.append(
            f"{n} bytes (~{_plural(-(-n // size), 'element')}) before the start"
        )
    return " and ".join(parts)


def _header(violation: Violation) -> list[str]:
    allowed = violation.allowed
    lines = [
        f"  asked for  shape {violation.shape}, strides {violation.strides}, "
        f"itemsize {violation.itemsize} ({violation.dtype})",
        f"  from x     shape {violation.x_shape}, strides {violation.x_strides}"
        if violation.x_shape is not None
        else "  from x     (unknown: the array was made elsewhere)",
        f"  view       bytes [{violation.view_low}, {violation.view_high}) "
        f"relative to x's first element",
        f"  available  bytes [{allowed.low}, {allowed.high}): {allowed.owner} "
        f'(bounds="{violation.bounds}")',
    ]
    if not allowed.known:
        lines.append(
            "             (the allocation that owns x's memory could not be found, "
            "so x's own span was used)"
        )
    return lines


def _paragraph(text: str) -> str:
    return textwrap.fill(text, MESSAGE_WIDTH, subsequent_indent="  ")


def _advice(violation: Violation) -> list[str]:
    lines = [""]
    for cause in violation.causes:
        lines.append(_paragraph(f"Likely cause: {cause}"))
    advice = (
        "What to do: compute strides from x.strides rather than by hand; to repeat "
        "values use np.broadcast_to, for windows use sliding_window_view."
    )
    if violation.bounds == "array":
        advice += (
            " If the view is meant to reach into the rest of the buffer x was cut "
            'from, pass bounds="buffer".'
        )
    lines.append(_paragraph(advice))
    return lines


def render_violation(violation: Violation) -> str:
    """The full message of an `OutOfBoundsError`."""
    lines = [
        _paragraph(
            f"as_strided would read {_overrun_summary(violation)} of the memory it "
            f"may use. numpy would have returned this view silently, full of "
            f"whatever lies there."
        ),
        *_header(violation),
        "",
        *_overrun_lines(violation),
        "",
        render_picture((violation.view_low, violation.view_high), _allowed(violation)),
        *_advice(violation),
    ]
    return "\n".join(lines)


def _allowed(violation: Violation) -> tuple[int, int]:
    return (violation.allowed.low, violation.allowed.high)


def render_foreign(
    violation: Violation, offset: int, index: tuple[int, ...] | None
) -> str:
    """The message of a `ForeignElementError`."""
    where = f"view[{', '.join(map(str, index))}]" if index is not None else "an element"
    lines = [
        _paragraph(
            f"as_strided would read bytes that are not elements of x: {where} "
            f"starts at byte {offset}, which lies inside x's span but is not the "
            f"start of any element of x. The view stays in bounds, so numpy would "
            f"return it silently, mixing in values x does not contain."
        ),
        *_header(violation),
        *_advice(violation),
    ]
    return "\n".join(lines)
