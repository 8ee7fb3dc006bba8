"""The errors and warnings safestride raises, and how their messages read.

Every message says what was asked, what exists, what differs, and what to do
instead; the numbers are also kept as attributes for tools to read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from safestride._public import public
from safestride.core.messages import (
    render_foreign,
    render_picture,
    render_violation,
    summarize_foreign,
    summarize_violation,
)
from safestride.core.violation import Violation

if TYPE_CHECKING:
    from safestride.guard.callsite import CallSite

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


@public
class StrideError(ValueError):
    """A strided view safestride refuses to make.

    A subclass of `ValueError`, so code that catches numpy's errors keeps
    working.

    In IPython and Jupyter it displays as a picture of the memory and the
    view (``_repr_html_``), and as its message in a terminal.

    Attributes
    ----------
    summary : str
        The message's first sentence, for one-line listings.
    site : CallSite or None
        The line that asked for the view, when the guard raised the error
        (None when ``safestride.as_strided`` raised it: its traceback ends
        at that line).
    """

    site: CallSite | None = None

    def __init__(self, message: str, *, summary: str) -> None:
        super().__init__(message)
        self.summary = summary

    def _repr_html_(self) -> str:
        from safestride.notebook.display import error_html  # HTML only on demand

        return error_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))

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


@public
class MisalignedError(StrideError):
    """A view of an array holding Python objects whose elements would not land
    on object pointers. Reading it would crash the interpreter."""


@public
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

    def __init__(
        self,
        violation: Violation,
        message: str | None = None,
        *,
        summary: str | None = None,
    ) -> None:
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
            message if message is not None else render_violation(violation),
            summary=summarize_violation(violation) if summary is None else summary,
        )


@public
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
        super().__init__(
            violation,
            render_foreign(violation, offset, index),
            summary=summarize_foreign(offset, index),
        )


@public
class SafeStrideWarning(UserWarning):
    """Base class of the warnings safestride issues."""


@public
class OverlapWarning(SafeStrideWarning):
    """A writeable view whose elements share memory: one write changes
    several elements."""


@public
class MisalignedWarning(SafeStrideWarning):
    """A view whose elements are not aligned for their dtype."""


@public
class UnsafeViewWarning(SafeStrideWarning):
    """The guard, with ``policy="warn"``, saw an unsafe view being made."""
