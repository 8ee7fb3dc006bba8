"""Parsing only what matters in a large file.

A 10,000-line test module with one ``as_strided`` call need not be parsed
whole: its top-level blocks (split at ``def``, ``class`` and decorators in
column 0) are parsed on their own, the header (imports) and the blocks that
mention a watched name only. Any doubt (a block that does not parse by
itself, a split inside a string) falls back to parsing the whole file, which
also reports real syntax errors.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

#: Files with fewer lines are parsed whole: splitting would not pay.
SPLIT_FROM_LINES = 1500

_TOP_LEVEL_DEFINITION = re.compile(r"(?:def |class |async def |@)")


def _blocks(lines: Sequence[str]) -> list[tuple[int, int]]:
    """(first, end) line indexes of the header and each top-level block."""
    starts = [0]
    for index, line in enumerate(lines):
        if index and _TOP_LEVEL_DEFINITION.match(line):
            previous = lines[index - 1]
            if not previous.startswith("@"):  # a decorator starts the block
                starts.append(index)
    ends = [*starts[1:], len(lines)]
    return list(zip(starts, ends, strict=True))


def parse_relevant(
    source: str, filename: str, lines: Sequence[str], needle: str
) -> ast.Module:
    """The module, or for a large file the header and blocks containing `needle`.

    Line numbers and columns are those of the whole file.
    """
    if len(lines) < SPLIT_FROM_LINES:
        return ast.parse(source, filename=filename)
    body: list[ast.stmt] = []
    for number, (first, end) in enumerate(_blocks(lines)):
        chunk = lines[first:end]
        if number and not any(needle in line for line in chunk):
            continue
        try:
            part = ast.parse("\n" * first + "\n".join(chunk), filename=filename)
        except SyntaxError:
            return ast.parse(source, filename=filename)
        body.extend(part.body)
    return ast.Module(body=body, type_ignores=[])
