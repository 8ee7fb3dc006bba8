"""How safestride's errors and reports look in a notebook: HTML with an SVG picture.

Built from the same numbers as the text messages (the error's `Violation` and
the call site), never by reading the text back; every string put into the
markup is escaped, so a file name or a dtype cannot inject any. No IPython
here: Jupyter calls ``_repr_html_``, which calls these.
"""

from __future__ import annotations

import html
import linecache
import types
from typing import TYPE_CHECKING

from safestride.core.messages import NO_DIMENSION_MOVES, describe_overrun, what_to_do
from safestride.guard.callsite import CallSite, frame_filename, is_machinery

if TYPE_CHECKING:
    from safestride.core.violation import Violation
    from safestride.errors import StrideError
    from safestride.guard.report import Report, SiteViews

#: Width of the bars in the picture, in pixels.
BAR_WIDTH = 420
#: The narrowest a part of the picture is drawn, so a few bytes past a large
#: array still show.
MIN_PART = 3
#: Dimensions listed one per line; the rest are counted.
MOST_DIMENSIONS = 8

_LABEL_WIDTH = 64
#: Generous width of one character of the 12px labels, in pixels.
_CHARACTER_WIDTH = 8
_BOX = (
    "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:13px;"
    "line-height:1.45;border-left:4px solid #c62828;padding:6px 12px;margin:4px 0;"
    "background:rgba(198,40,40,0.06);overflow-wrap:anywhere"
)
_CODE = (
    "font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;margin:4px 0;"
    "padding:4px 8px;background:rgba(127,127,127,0.12);white-space:pre-wrap"
)
_INSIDE, _OUTSIDE, _MEMORY = "#1e88e5", "#e53935", "#9e9e9e"


def _text(value: object) -> str:
    return html.escape(str(value), quote=True)


def _x(byte: int, start: int, span: int) -> float:
    return _LABEL_WIDTH + (byte - start) * BAR_WIDTH / span


def _bar(low: float, high: float, y: int, colour: str, title: str) -> str:
    width = max(high - low, MIN_PART)
    return (
        f'<rect x="{low:.1f}" y="{y}" width="{width:.1f}" height="14" '
        f'fill="{colour}"><title>{_text(title)}</title></rect>'
    )


def memory_picture(
    view: tuple[int, int], allowed: tuple[int, int], marker: int | None = None
) -> str:
    """An SVG of the memory a view may use and the bytes it reaches, on one scale.

    Blue is the view inside the memory, red the view outside it; `marker`,
    when given, is a byte offset to point at (a foreign element).

    Examples
    --------
    >>> svg = memory_picture((0, 264), (0, 24))
    >>> svg.startswith("<svg") and "bytes [0, 264)" in svg
    True
    """
    start, stop = min(view[0], allowed[0]), max(view[1], allowed[1])
    span = max(stop - start, 1)
    parts = [
        _bar(
            _x(allowed[0], start, span),
            _x(allowed[1], start, span),
            6,
            _MEMORY,
            f"memory it may use: bytes [{allowed[0]}, {allowed[1]})",
        ),
        _bar(
            _x(view[0], start, span),
            _x(view[1], start, span),
            30,
            _INSIDE,
            f"the view: bytes [{view[0]}, {view[1]})",
        ),
    ]
    if view[0] < allowed[0]:
        low = _x(view[0], start, span)
        parts.append(
            _bar(
                low,
                _x(min(allowed[0], view[1]), start, span),
                30,
                _OUTSIDE,
                f"{allowed[0] - view[0]} bytes before the start",
            )
        )
    if view[1] > allowed[1]:
        high = _x(view[1], start, span)
        low = min(_x(max(allowed[1], view[0]), start, span), high - MIN_PART)
        parts.append(
            _bar(low, high, 30, _OUTSIDE, f"{view[1] - allowed[1]} bytes past the end")
        )
    if marker is not None:
        at = _x(marker, start, span)
        parts.append(
            f'<line x1="{at:.1f}" y1="26" x2="{at:.1f}" y2="48" stroke="{_OUTSIDE}" '
            f'stroke-width="2"><title>{_text(f"byte {marker}")}</title></line>'
        )
    right = _LABEL_WIDTH + BAR_WIDTH + 8
    memory_label = f"bytes [{allowed[0]}, {allowed[1]})"
    view_label = f"bytes [{view[0]}, {view[1]})"
    labels = [
        '<text x="0" y="17">memory</text><text x="0" y="41">view</text>',
        f'<text x="{right}" y="17">{_text(memory_label)}</text>',
        f'<text x="{right}" y="41">{_text(view_label)}</text>',
    ]
    # Room for the longer label, so offsets near 2**63 are not cut off.
    width = right + max(190, _CHARACTER_WIDTH * max(len(memory_label), len(view_label)))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="52" '
        f'role="img" font-size="12" fill="currentColor" style="display:block">'
        f"<title>memory versus view</title>{''.join(parts)}{''.join(labels)}</svg>"
    )


def _facts(violation: Violation) -> str:
    allowed = violation.allowed
    rows = [
        (
            "asked for",
            f"shape {violation.shape}, strides {violation.strides}, "
            f"itemsize {violation.itemsize} ({violation.dtype})",
        ),
        (
            "from x",
            f"shape {violation.x_shape}, strides {violation.x_strides}"
            if violation.x_shape is not None
            else "(unknown: the array was made elsewhere)",
        ),
        (
            "view",
            f"bytes [{violation.view_low}, {violation.view_high}) "
            f"relative to x's first element",
        ),
        (
            "available",
            f"bytes [{allowed.low}, {allowed.high}): {allowed.owner} "
            f'(bounds="{violation.bounds}")',
        ),
    ]
    cells = "".join(
        f'<tr><th style="text-align:left;padding-right:12px;font-weight:600;'
        f'vertical-align:top">{_text(name)}</th><td style="text-align:left">'
        f"{_text(value)}</td></tr>"
        for name, value in rows
    )
    return f'<table style="border-collapse:collapse;margin:4px 0">{cells}</table>'


def _dimensions(violation: Violation) -> str:
    lines = [describe_overrun(overrun) for overrun in violation.overruns]
    if not lines:
        lines = [NO_DIMENSION_MOVES]
    shown = [f"<li>{_text(line)}</li>" for line in lines[:MOST_DIMENSIONS]]
    if len(lines) > MOST_DIMENSIONS:
        more = len(lines) - MOST_DIMENSIONS
        shown.append(
            f"<li>and {more} more dimensions (the text message lists all)</li>"
        )
    return f'<ul style="margin:4px 0;padding-left:20px">{"".join(shown)}</ul>'


def _advice(violation: Violation) -> str:
    paragraphs = [("Likely cause", cause) for cause in violation.causes]
    paragraphs.append(("What to do", what_to_do(violation)))
    return "".join(
        f'<p style="margin:4px 0"><b>{_text(label)}:</b> {_text(words)}</p>'
        for label, words in paragraphs
    )


def _reported_elsewhere(error: StrideError) -> str:
    """A view another process reported (a dask worker): its picture from the
    record's extents, then its text message whole, as the text listing shows
    it (a record carries no `Violation` to draw the rest from)."""
    from safestride.guard.report import ReportedElsewhereError

    if not isinstance(error, ReportedElsewhereError):
        return ""
    record = error.record
    picture = ""
    if "view_extent" in record and "allowed_extent" in record:
        view_low, view_high = record["view_extent"]
        allowed_low, allowed_high = record["allowed_extent"]
        picture = memory_picture((view_low, view_high), (allowed_low, allowed_high))
    return f'{picture}<pre style="{_CODE}">{_text(error)}</pre>'


def _diagnosis(error: StrideError) -> str:
    """The picture and the numbers, when the error carries them."""
    violation: Violation | None = getattr(error, "violation", None)
    if violation is None:
        return _reported_elsewhere(error)
    marker = getattr(error, "offset", None)
    picture = memory_picture(
        (violation.view_low, violation.view_high),
        (violation.allowed.low, violation.allowed.high),
        marker if isinstance(marker, int) else None,
    )
    return picture + _facts(violation) + _dimensions(violation) + _advice(violation)


def _where(site: CallSite | None) -> str:
    if site is None:
        return ""
    made = (
        f"<div>made at <b>{_text(site.location)}</b> in <code>{_text(site.function)}"
        f"</code></div>"
    )
    if site.source:
        made += f'<pre style="{_CODE}">{_text(site.source)}</pre>'
    return made


def site_of(error: BaseException) -> CallSite | None:
    """The line that asked for the view: the guard's record of it, or else the
    last line of the error's traceback outside numpy and safestride."""
    site: CallSite | None = getattr(error, "site", None)
    if site is not None:
        return site
    found = None
    entry: types.TracebackType | None = error.__traceback__
    while entry is not None:
        module = entry.tb_frame.f_globals.get("__name__")
        if not isinstance(module, str) or not is_machinery(module):
            found = entry
        entry = entry.tb_next
    if found is None:
        return None
    filename = frame_filename(found.tb_frame)
    source = linecache.getline(filename, found.tb_lineno).strip()
    return CallSite(filename, found.tb_lineno, found.tb_frame.f_code.co_name, source)


def error_html(error: StrideError, site: CallSite | None = None) -> str:
    """An error as HTML: what went wrong, where, the picture and the numbers.

    Parameters
    ----------
    error : StrideError
        The error to show.
    site : CallSite, optional
        Where it was made; by default the guard's record or the traceback's.

    Examples
    --------
    >>> import numpy as np
    >>> import safestride
    >>> try:
    ...     safestride.as_strided(np.zeros(3), shape=(4,), strides=(8,))
    ... except safestride.OutOfBoundsError as error:
    ...     page = error_html(error)
    >>> "8 bytes (~1 element) out of bounds" in page, "<svg" in page
    (True, True)
    """
    where = _where(site if site is not None else site_of(error))
    return (
        f'<div class="safestride-error" style="{_BOX}"><div><b>'
        f"{_text(type(error).__name__)}:</b> {_text(error.summary)}</div>"
        f"{where}{_diagnosis(error)}</div>"
    )


def _site_entry(number: int, group: SiteViews) -> str:
    worst = group.worst
    heading = (
        f"<div><b>{number}. {_text(group.site.location)}</b> in "
        f"<code>{_text(group.site.function)}</code> ({_text(group.made)}):</div>"
    )
    source = (
        f'<pre style="{_CODE}">{_text(group.site.source)}</pre>'
        if group.site.source
        else ""
    )
    workers = group.workers
    if workers:
        source += (
            f"<div>on {len(workers)} worker{'' if len(workers) == 1 else 's'}: "
            f"{_text(', '.join(workers))}</div>"
        )
    summary = f"<div><b>{_text(worst.kind)}:</b> {_text(worst.error.summary)}</div>"
    return (
        f'<div style="margin:8px 0 12px">{heading}{source}{summary}'
        f"{_diagnosis(worst.error)}</div>"
    )


def report_html(report: Report) -> str:
    """A report as HTML: its summary line, then one entry per call site.

    Examples
    --------
    >>> from safestride import Report
    >>> page = report_html(Report(checked=2))
    >>> "no unsafe views (2 as_strided calls checked)" in page
    True
    """
    summary = f"<div><b>{_text(report.summary())}</b></div>"
    entries = "".join(
        _site_entry(number, group)
        for number, group in enumerate(report.sites(), start=1)
    )
    style = _BOX if len(report) else _BOX.replace("#c62828", "#43a047")
    return f'<div class="safestride-report" style="{style}">{summary}{entries}</div>'
