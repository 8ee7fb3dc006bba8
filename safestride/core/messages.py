"""How safestride's messages read, built from the numbers, never from text.

Every message says what was asked, what exists, what differs, and what to do
instead; its first sentence, the *summary*, stands alone in one-line
listings (the pytest summary, the guard's warnings, the run report).
"""

from __future__ import annotations

import textwrap

from safestride.core.extent import DimensionOverrun
from safestride.core.violation import Violation

PICTURE_WIDTH = 48
MESSAGE_WIDTH = 88


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


#: What a message says when no dimension is to blame.
NO_DIMENSION_MOVES = "no dimension moves: even the first element does not fit"


def describe_overrun(overrun: DimensionOverrun) -> str:
    """One dimension's part in an overrun, in words.

    Examples
    --------
    >>> from safestride.core.extent import DimensionOverrun
    >>> print(describe_overrun(DimensionOverrun(0, 5, 8, "end", 32, 3)))
    dimension 0 (size 5, stride 8) moves the view 32 bytes towards the end:
    at most 3 fit, 2 too many
    """
    if overrun.max_size == 0:
        verdict = "the other dimensions overrun even without it"
    else:
        verdict = f"at most {overrun.max_size} fit, {overrun.excess} too many"
    return (
        f"dimension {overrun.dim} (size {overrun.size}, stride {overrun.stride})"
        f" moves the view {overrun.reach} bytes towards the {overrun.side}: {verdict}"
    )


def _overrun_lines(violation: Violation) -> list[str]:
    lines = [f"  {describe_overrun(overrun)}" for overrun in violation.overruns]
    return lines or [f"  {NO_DIMENSION_MOVES}"]


def _overrun_summary(violation: Violation) -> str:
    """``N bytes (~k elements) out of bounds, past the end[, and ...]``."""
    size = max(violation.itemsize, 1)
    sides = [
        (n, side)
        for n, side in (
            (violation.bytes_past_end, "past the end"),
            (violation.bytes_before_start, "before the start"),
        )
        if n
    ]
    parts = [
        f"{n} bytes (~{_plural(-(-n // size), 'element')})"
        + (" out of bounds, " if position == 0 else " ")
        + side
        for position, (n, side) in enumerate(sides)
    ]
    return ", and ".join(parts) or "out of bounds"


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


def what_to_do(violation: Violation) -> str:
    """The advice that ends every out-of-bounds message, without its label."""
    advice = (
        "compute strides from x.strides rather than by hand; to repeat "
        "values use np.broadcast_to, for windows use sliding_window_view."
    )
    if violation.bounds == "array":
        advice += (
            " If the view is meant to reach into the rest of the buffer x was cut "
            'from, pass bounds="buffer".'
        )
    return advice


def _advice(violation: Violation) -> list[str]:
    lines = [""]
    for cause in violation.causes:
        lines.append(_paragraph(f"Likely cause: {cause}"))
    lines.append(_paragraph(f"What to do: {what_to_do(violation)}"))
    return lines


def summarize_violation(violation: Violation) -> str:
    """The first sentence of an `OutOfBoundsError`'s message, and its first
    line: it says "out of bounds", as numpy's own error does."""
    return (
        f"as_strided would read {_overrun_summary(violation)} of the memory it may use."
    )


def render_violation(violation: Violation) -> str:
    """The full message of an `OutOfBoundsError`."""
    lines = [
        summarize_violation(violation),
        _paragraph(
            "  numpy would have returned this view silently, full of whatever lies "
            "there."
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


def _element_at(index: tuple[int, ...] | None) -> str:
    return f"view[{', '.join(map(str, index))}]" if index is not None else "an element"


def summarize_foreign(offset: int, index: tuple[int, ...] | None) -> str:
    """The first sentence of a `ForeignElementError`'s message."""
    return (
        f"as_strided would read bytes that are not elements of x: "
        f"{_element_at(index)} starts at byte {offset}, which lies inside x's span "
        f"but is not the start of any element of x."
    )


def render_foreign(
    violation: Violation, offset: int, index: tuple[int, ...] | None
) -> str:
    """The message of a `ForeignElementError`."""
    lines = [
        _paragraph(
            f"{summarize_foreign(offset, index)} The view stays in bounds, so numpy "
            f"would return it silently, mixing in values x does not contain."
        ),
        *_header(violation),
        *_advice(violation),
    ]
    return "\n".join(lines)
