"""What the guard found: unsafe views with the call sites that made them."""

from __future__ import annotations

import json
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from safestride._public import public
from safestride.errors import StrideError, Violation
from safestride.guard.callsite import CallSite


@public
@dataclass
class UnsafeView:
    """One unsafe view, identified by call site and request; `count` says how
    many times it was made."""

    site: CallSite
    error: StrideError
    count: int = 1

    @property
    def violation(self) -> Violation | None:
        found: Violation | None = getattr(self.error, "violation", None)
        return found

    @property
    def kind(self) -> str:
        return type(self.error).__name__

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        if isinstance(self.error, ReportedElsewhereError):
            return {**self.error.record, "count": self.count}
        record: dict[str, Any] = {
            "file": self.site.filename,
            "line": self.site.lineno,
            "function": self.site.function,
            "source": self.site.source,
            "count": self.count,
            "error": self.kind,
            "summary": self.error.summary,
            "message": str(self.error),
        }
        found = self.violation
        if found is not None:
            record.update(
                shape=list(found.shape),
                strides=list(found.strides),
                itemsize=found.itemsize,
                dtype=found.dtype,
                bounds=found.bounds,
                view_extent=[found.view_low, found.view_high],
                allowed_extent=[found.allowed.low, found.allowed.high],
                bytes_past_end=found.bytes_past_end,
                bytes_before_start=found.bytes_before_start,
                causes=list(found.causes),
            )
        return record

    def render(self, number: int) -> str:
        times = "once" if self.count == 1 else f"{self.count} times"
        lines = [f"{number}. {self.site} (made {times})"]
        if self.site.source:
            lines.append(textwrap.indent(self.site.source, "     "))
        lines.append(textwrap.indent(str(self.error), "   | ", lambda _: True))
        return "\n".join(lines)


def _key(site: CallSite, error: StrideError) -> tuple[Any, ...]:
    if isinstance(error, ReportedElsewhereError) and "shape" in error.record:
        record = error.record
        return (
            site.filename,
            site.lineno,
            tuple(record["shape"]),
            tuple(record["strides"]),
            record["dtype"],
            record["bounds"],
        )
    found: Violation | None = getattr(error, "violation", None)
    if found is None:
        return (site.filename, site.lineno, type(error).__name__, str(error))
    return (
        site.filename,
        site.lineno,
        found.shape,
        found.strides,
        found.dtype,
        found.bounds,
    )


@public
@dataclass
class Report:
    """Every unsafe view recorded while a guard was collecting.

    Identical views from the same line (a loop) are counted, not repeated.
    Safe to fill from several threads.
    """

    checked: int = 0
    #: Views not reported because a suppression named their caller, by rule.
    suppressed: dict[str, int] = field(default_factory=dict)
    _views: dict[tuple[Any, ...], UnsafeView] = field(default_factory=dict)
    # Reentrant: a signal handler may record a view while this thread holds it.
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def add(self, site: CallSite, error: StrideError, count: int = 1) -> UnsafeView:
        key = _key(site, error)
        with self._lock:
            found = self._views.get(key)
            if found is None:
                found = self._views[key] = UnsafeView(site, error, count)
            else:
                found.count += count
            return found

    def add_suppressed(self, rule: str, count: int = 1) -> None:
        """Count a view that the suppression `rule` kept out of the report."""
        with self._lock:
            self.suppressed[rule] = self.suppressed.get(rule, 0) + count

    def merge(self, records: list[dict[str, Any]]) -> None:
        """Add records written by another process (see `UnsafeView.to_dict`)."""
        for record in records:
            site = CallSite(
                record["file"], record["line"], record["function"], record["source"]
            )
            self.add(site, ReportedElsewhereError(record), record["count"])

    @property
    def views(self) -> list[UnsafeView]:
        with self._lock:
            return list(self._views.values())

    def __len__(self) -> int:
        return len(self._views)

    def __iter__(self) -> Iterator[UnsafeView]:
        return iter(self.views)

    def __bool__(self) -> bool:
        return True

    @property
    def total(self) -> int:
        """Unsafe views made, counting repeats."""
        return sum(view.count for view in self.views)

    def _suppressed_note(self) -> str:
        count = sum(self.suppressed.values())
        return f"; {count} suppressed" if count else ""

    def summary(self) -> str:
        """One line."""
        if not self._views:
            return (
                f"safestride: no unsafe views ({self.checked} as_strided calls "
                f"checked{self._suppressed_note()})"
            )
        return (
            f"safestride: {len(self._views)} unsafe view"
            f"{'s' if len(self._views) != 1 else ''} made "
            f"({self.total} calls; {self.checked} as_strided calls "
            f"checked{self._suppressed_note()})"
        )

    def render(self) -> str:
        """The full readable report: the summary line, then every view."""
        if not self._views:
            return self.summary()
        return f"{self.summary()}\n\n{self.render_views()}"

    def render_views(self) -> str:
        """Every unsafe view, numbered, with its call site and message."""
        return "\n\n".join(view.render(i) for i, view in enumerate(self.views, start=1))

    def to_json(self) -> str:
        return json.dumps(
            {
                "checked": self.checked,
                "unsafe_views": [v.to_dict() for v in self.views],
            },
            indent=2,
        )


class ReportedElsewhereError(StrideError):
    """An unsafe view reported by another process, carried as its record."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record
        super().__init__(record["message"], summary=record["summary"])

    @property
    def violation(self) -> None:
        return None
