"""What the guard found: unsafe views, grouped by the call sites that made them.

A *view* record is one distinct unsafe request: a call site, the shape and
strides asked for, and the memory it was checked against. The same request
made again (a loop) is counted, not repeated; the same line asking for a
different view (another shape, or an ``x`` of another size) is a record of
its own. Listings group the records by call site: one entry per line, with
its counts and its worst overrun.
"""

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


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


@public
@dataclass
class UnsafeView:
    """One distinct unsafe view: a call site, a request and the memory it was
    checked against; `count` says how many times it was made."""

    site: CallSite
    error: StrideError
    count: int = 1

    @property
    def violation(self) -> Violation | None:
        found: Violation | None = getattr(self.error, "violation", None)
        return found

    @property
    def kind(self) -> str:
        if isinstance(self.error, ReportedElsewhereError):
            return str(self.error.record["error"])
        return type(self.error).__name__

    @property
    def workers(self) -> tuple[str, ...]:
        """Addresses of the dask workers that made this view (see
        `safestride.dask`); empty for a view made in this process."""
        if isinstance(self.error, ReportedElsewhereError):
            return tuple(self.error.record.get("workers", ()))
        return ()

    @property
    def overrun(self) -> int:
        """Bytes outside the allowed memory, past both ends (0 when unknown)."""
        found = self.violation
        if found is not None:
            return found.bytes_past_end + found.bytes_before_start
        if isinstance(self.error, ReportedElsewhereError):
            record = self.error.record
            return int(record.get("bytes_past_end", 0)) + int(
                record.get("bytes_before_start", 0)
            )
        return 0

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
                x_shape=None if found.x_shape is None else list(found.x_shape),
                x_strides=None if found.x_strides is None else list(found.x_strides),
                view_extent=[found.view_low, found.view_high],
                allowed_extent=[found.allowed.low, found.allowed.high],
                bytes_past_end=found.bytes_past_end,
                bytes_before_start=found.bytes_before_start,
                causes=list(found.causes),
            )
        return record


@dataclass
class SiteViews:
    """The unsafe views one call site made, for listings."""

    site: CallSite
    views: list[UnsafeView]

    @property
    def count(self) -> int:
        """How many times the site made an unsafe view."""
        return sum(view.count for view in self.views)

    @property
    def workers(self) -> tuple[str, ...]:
        """The dask workers where the site made its views, sorted."""
        return tuple(sorted({worker for view in self.views for worker in view.workers}))

    @property
    def worst(self) -> UnsafeView:
        """The view reaching furthest outside its memory (the first, on ties)."""
        return max(self.views, key=lambda view: view.overrun)

    @property
    def made(self) -> str:
        """How often, in words: ``made twice``, ``2 distinct views, made 3
        times; the worst``."""
        made = f"made {_times(self.count)}"
        if len(self.views) > 1:
            made = f"{len(self.views)} distinct views, {made}; the worst"
        return made

    def render(self, number: int, *, diagnosis: bool = True) -> str:
        """A numbered entry: where, how often, and the worst view's message
        (only its first sentence when `diagnosis` is False)."""
        lines = [f"{number}. {self.site} ({self.made}):"]
        if self.site.source:
            lines.append(textwrap.indent(self.site.source, "     "))
        if self.workers:
            lines.append(
                f"   on {_plural(len(self.workers), 'worker')}: "
                f"{', '.join(self.workers)}"
            )
        worst = self.worst
        if diagnosis:
            text = str(worst.error)
        else:
            text = (
                f"{worst.error.summary}\n  (raised at this line: its traceback has "
                f"the full diagnosis; --report FILE.json keeps every view's)"
            )
        lines.append(textwrap.indent(text, "   | ", lambda _: True))
        return "\n".join(lines)


def _identity(site: CallSite, error: StrideError) -> tuple[Any, ...]:
    """What makes two unsafe views the same one made again."""
    where = (site.filename, site.lineno)
    if isinstance(error, ReportedElsewhereError):
        record = error.record
        if "shape" in record:
            return (
                *where,
                record["error"],
                tuple(record["shape"]),
                tuple(record["strides"]),
                record["dtype"],
                record["bounds"],
                tuple(record["view_extent"]),
                tuple(record["allowed_extent"]),
            )
        return (*where, record["error"], record["message"])
    found: Violation | None = getattr(error, "violation", None)
    if found is None:
        return (*where, type(error).__name__, str(error))
    return (
        *where,
        type(error).__name__,
        found.shape,
        found.strides,
        found.dtype,
        found.bounds,
        (found.view_low, found.view_high),
        (found.allowed.low, found.allowed.high),
    )


@public
@dataclass
class Report:
    """Every unsafe view recorded while a guard was collecting.

    In IPython and Jupyter it displays as its rendered listing, with a
    picture per call site in a notebook (``_repr_html_``).

    The same view made again from the same line (a loop) is counted, not
    repeated; distinct views stay distinct. Safe to fill from several
    threads.

    Attributes
    ----------
    checked : int
        ``as_strided`` calls checked while the report collected.
    uncounted : int
        Processes (of ``safestride run``) that ended before they could count
        their checked calls: when not 0, `checked` is a lower bound.
    suppressed : dict of str to int
        Views not reported because a suppression named their caller, by rule.
    """

    checked: int = 0
    uncounted: int = 0
    suppressed: dict[str, int] = field(default_factory=dict)
    _views: dict[tuple[Any, ...], UnsafeView] = field(default_factory=dict)
    _lines: dict[tuple[str, int], int] = field(default_factory=dict)
    # Reentrant: a signal handler may record a view while this thread holds it.
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def add(self, site: CallSite, error: StrideError, count: int = 1) -> UnsafeView:
        """Record `count` makings of the unsafe view `error` describes."""
        view, _ = self._store(site, error, count)
        return view

    def record(self, site: CallSite, error: StrideError) -> bool:
        """Record one making of an unsafe view; True when it is the first
        unsafe view this report has from its line."""
        _, first_at_line = self._store(site, error, 1)
        return first_at_line

    def _store(
        self, site: CallSite, error: StrideError, count: int
    ) -> tuple[UnsafeView, bool]:
        key = _identity(site, error)
        line = (site.filename, site.lineno)
        with self._lock:
            found = self._views.get(key)
            if found is None:
                found = self._views[key] = UnsafeView(site, error, count)
            else:
                found.count += count
            before = self._lines.get(line, 0)
            self._lines[line] = before + count
            return found, before == 0

    def add_suppressed(self, rule: str, count: int = 1) -> None:
        """Count a view that the suppression `rule` kept out of the report."""
        with self._lock:
            self.suppressed[rule] = self.suppressed.get(rule, 0) + count

    def merge(self, records: list[dict[str, Any]]) -> None:
        """Add records written by another process (see `UnsafeView.to_dict`).

        The same view reported by several processes is one view: its counts
        add up, and so do the ``"workers"`` its records name.
        """
        for record in records:
            site = CallSite(
                record["file"], record["line"], record["function"], record["source"]
            )
            view = self.add(site, ReportedElsewhereError(dict(record)), record["count"])
            workers = record.get("workers")
            if workers and isinstance(view.error, ReportedElsewhereError):
                with self._lock:
                    known = view.error.record.get("workers", [])
                    view.error.record["workers"] = sorted({*known, *workers})

    @property
    def views(self) -> list[UnsafeView]:
        with self._lock:
            return list(self._views.values())

    def sites(self) -> list[SiteViews]:
        """The views grouped by call site, in the order the sites first
        made one."""
        groups: dict[tuple[str, int], SiteViews] = {}
        for view in self.views:
            key = (view.site.filename, view.site.lineno)
            if key in groups:
                groups[key].views.append(view)
            else:
                groups[key] = SiteViews(view.site, [view])
        return list(groups.values())

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

    def _settle(self) -> None:
        """Count the calls checked so far, when the report is still collecting."""
        from safestride.guard import state  # state holds reports: import late

        state.settle(self)

    def _checked_words(self) -> str:
        calls = _plural(self.checked, "as_strided call")
        suppressed = sum(self.suppressed.values())
        note = f"; {suppressed} suppressed" if suppressed else ""
        if not self.uncounted:
            return f"{calls} checked{note}"
        return (
            f"at least {calls} checked{note}: "
            f"{_plural(self.uncounted, 'process')} ended before counting "
            f"{'its' if self.uncounted == 1 else 'their'} own"
        )

    def summary(self) -> str:
        """One line: how many unsafe views, where, how often; calls checked.

        Examples
        --------
        >>> print(Report(checked=3).summary())
        safestride: no unsafe views (3 as_strided calls checked)
        """
        self._settle()
        if not self._views:
            return f"safestride: no unsafe views ({self._checked_words()})"
        return (
            f"safestride: {_plural(len(self._views), 'unsafe view')} at "
            f"{_plural(len(self.sites()), 'call site')}, made {_times(self.total)} "
            f"({self._checked_words()})"
        )

    def render(self, *, diagnoses: bool = True) -> str:
        """The summary line, then one entry per call site (see `render_views`)."""
        if not self._views:
            return self.summary()
        return f"{self.summary()}\n\n{self.render_views(diagnoses=diagnoses)}"

    def render_views(self, *, diagnoses: bool = True) -> str:
        """One numbered entry per call site: where, how often, and the full
        message of its worst view (only the first sentence when `diagnoses`
        is False, for views already raised with their message)."""
        return "\n\n".join(
            group.render(number, diagnosis=diagnoses)
            for number, group in enumerate(self.sites(), start=1)
        )

    def _repr_html_(self) -> str:
        from safestride.notebook.display import report_html  # HTML only on demand

        return report_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.render())

    def to_json(self) -> str:
        """Every distinct view as a JSON record, with the counts."""
        self._settle()
        return json.dumps(
            {
                "checked": self.checked,
                "checked_complete": not self.uncounted,
                "suppressed": dict(self.suppressed),
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
