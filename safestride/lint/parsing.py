"""Reading and parsing source: one way for the command line and flake8.

Bytes become text the way Python itself reads a module: a UTF-8 byte order
mark or a PEP 263 coding line chooses the codec, and the mark is dropped.
Lines are split where Python counts lines (``\\n``, ``\\r\\n``, ``\\r``), never
at form feeds or other characters `str.splitlines` also breaks at.

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
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass

#: Files with fewer lines are parsed whole: splitting would not pay.
SPLIT_FROM_LINES = 1500

_TOP_LEVEL_DEFINITION = re.compile(r"(?:def |class |async def |@)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: What `str.splitlines` also breaks at, and Python does not.
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass(frozen=True)
class Decoded:
    """A file's text, and the codec that gives its bytes back."""

    text: str
    encoding: str = "utf-8"

    def encode(self, text: str) -> bytes:
        """`text` as bytes in this file's codec (with its byte order mark)."""
        return text.encode(self.encoding)


def decode(data: bytes) -> Decoded:
    """The text of a Python file's bytes, as Python reads it.

    Raises `SyntaxError` for an unknown coding and `UnicodeDecodeError` for
    bytes that are not in the declared (or default UTF-8) codec.

    Examples
    --------
    >>> from safestride.lint.parsing import decode
    >>> decode(b"\\xef\\xbb\\xbfx = 1\\n")
    Decoded(text='x = 1\\n', encoding='utf-8-sig')
    >>> decode(b"# coding: latin-1\\nx = '\\xe9'\\n").text
    "# coding: latin-1\\nx = '\u00e9'\\n"
    """
    lines = iter(data.splitlines(keepends=True))
    encoding, _ = tokenize.detect_encoding(lambda: next(lines, b""))
    return Decoded(data.decode(encoding), encoding)


def physical_lines(text: str) -> list[str]:
    """`text`'s lines as Python numbers them, without their line endings.

    Examples
    --------
    >>> from safestride.lint.parsing import physical_lines
    >>> physical_lines("a = 1\\r\\n\\x0cb = 2\\n")
    ['a = 1', '\\x0cb = 2']
    """
    if _OTHER_BREAKS.search(text) is None:  # the common case, at C speed
        return text.splitlines()
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def newline_of(text: str) -> str:
    """The line ending `text` uses first (``\\n`` if it has none)."""
    match = _LINE_BREAK.search(text)
    return "\n" if match is None else match.group()


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
    source: str, filename: str, lines: Sequence[str], needle: str | tuple[str, ...]
) -> ast.Module:
    """The module, or for a large file the header and blocks containing
    `needle` (or one of several).

    Line numbers and columns are those of the whole file.
    """
    if len(lines) < SPLIT_FROM_LINES:
        return ast.parse(source, filename=filename)
    needles = (needle,) if isinstance(needle, str) else needle
    body: list[ast.stmt] = []
    for number, (first, end) in enumerate(_blocks(lines)):
        chunk = lines[first:end]
        if number and not any(n in line for line in chunk for n in needles):
            continue
        try:
            part = ast.parse("\n" * first + "\n".join(chunk), filename=filename)
        except SyntaxError:
            return ast.parse(source, filename=filename)
        body.extend(part.body)
    return ast.Module(body=body, type_ignores=[])
