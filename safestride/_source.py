"""The source of the statement a frame is executing, for reports."""

from __future__ import annotations

import ast
import functools
import linecache
import textwrap
import types


def statement_source(frame: types.FrameType, most: int = 8) -> str:
    """All lines (at most `most`) of the call or statement running in `frame`.

    Python 3.11+ knows where each instruction's expression starts and ends;
    on 3.10 the smallest simple statement around the current line stands in.
    """
    filename, first = frame.f_code.co_filename, frame.f_lineno
    last = first
    positions = getattr(frame.f_code, "co_positions", None)
    if positions is not None:
        start, end, _, _ = list(positions())[frame.f_lasti // 2]
        if start is not None and end is not None and start <= first <= end:
            first, last = start, end
    else:  # pragma: no cover - Python 3.10
        first, last = enclosing_statement(filename, first)
    last = min(last, first + most - 1)
    lines = [linecache.getline(filename, n).rstrip() for n in range(first, last + 1)]
    return textwrap.dedent("\n".join(lines)).strip()


def enclosing_statement(filename: str, lineno: int) -> tuple[int, int]:
    """(first, last) line of the simple statement spanning `lineno`.

    Simple statements never nest; statements with a body (``if``, ``def``...)
    do not count, as their span is the whole block. Where no statement spans
    the line (no source, a compound statement's header), the line on its own.

    Examples
    --------
    >>> import linecache
    >>> linecache.cache["<example>"] = (0, None, ["x = f(\\n", "    1,\\n", ")\\n"], "")
    >>> enclosing_statement("<example>", 2)
    (1, 3)
    >>> enclosing_statement("<example>", 7)
    (7, 7)
    """
    for first, last in _simple_statements(filename):
        if first <= lineno <= last:
            return first, last
    return lineno, lineno


@functools.lru_cache(maxsize=64)
def _simple_statements(filename: str) -> tuple[tuple[int, int], ...]:
    try:
        tree = ast.parse("".join(linecache.getlines(filename)))
    except (SyntaxError, ValueError):
        return ()
    return tuple(
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.stmt) and not hasattr(node, "body")
    )
