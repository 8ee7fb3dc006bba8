"""Applying fixes to source text without losing anything else in it.

A fix never deletes a comment and never changes line endings: an edit that
rewrites an import keeps the statement's own layout (its parentheses, one
name per line, the comments between them) and changes only the module or
the names it must; new lines take the file's line ending; an edit that would
still drop a comment is not applied, and its finding stays.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass

from safestride.lint.findings import Finding
from safestride.lint.parsing import newline_of

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_LAYOUT = (
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
)


def _tokens(text: str) -> list[tokenize.TokenInfo] | None:
    try:
        return list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return None


def _comments(text: str) -> list[str]:
    tokens = _tokens(text) or []
    return [token.string for token in tokens if token.type == tokenize.COMMENT]


@dataclass(frozen=True)
class _Alias:
    """One ``name [as other]`` of an import, as character offsets."""

    key: tuple[str, str | None]
    start: int
    end: int
    comma: tuple[int, int] | None  # the comma after it


@dataclass(frozen=True)
class _ImportLayout:
    module: tuple[int, int]
    aliases: list[_Alias]


def _layout(text: str) -> _ImportLayout | None:
    """Where the module and the names are in ``from m import ...`` source."""
    tokens = _tokens(text)
    if tokens is None:
        return None
    starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]

    def offset(position: tuple[int, int]) -> int:
        return starts[position[0] - 1] + position[1]

    words = [t for t in tokens if t.type not in _LAYOUT]
    names = [t.string for t in words]
    if not names or names[0] != "from" or "import" not in names:
        return None
    at = names.index("import")
    module = (offset(words[1].start), offset(words[at - 1].end))
    rest = [t for t in words[at + 1 :] if t.string not in "()"]
    aliases: list[_Alias] = []
    i = 0
    while i < len(rest):
        first = last = rest[i]
        asname = None
        if i + 2 < len(rest) and rest[i + 1].string == "as":
            last, asname = rest[i + 2], rest[i + 2].string
            i += 2
        i += 1
        comma = None
        if i < len(rest) and rest[i].string == ",":
            comma = (offset(rest[i].start), offset(rest[i].end))
            i += 1
        key = (first.string, asname)
        aliases.append(_Alias(key, offset(first.start), offset(last.end), comma))
    return _ImportLayout(module, aliases)


def _without(text: str, key: tuple[str, str | None]) -> str | None:
    """`text` (an import) without its last name `key`, and a line it empties."""
    layout = _layout(text)
    if layout is None:
        return None
    found = [i for i, alias in enumerate(layout.aliases) if alias.key == key]
    if not found or len(layout.aliases) < 2:
        return None
    index = found[-1]
    alias = layout.aliases[index]
    if alias.comma is not None:
        start, end = alias.start, alias.comma[1]
        while end < len(text) and text[end] in " \t":
            end += 1
    else:
        previous = layout.aliases[index - 1].comma
        if previous is None:
            return None
        start, end = previous[0], alias.end
    text = text[:start] + text[end:]
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    match = _LINE_BREAK.search(text, start)
    line_end = len(text) if match is None else match.end()
    if line_start > 0 and not text[line_start:line_end].strip():
        text = text[:line_start] + text[line_end:]
    return text


def _import(statement: str) -> ast.ImportFrom | None:
    try:
        body = ast.parse(statement.strip()).body
    except SyntaxError:
        return None
    if len(body) == 1 and isinstance(body[0], ast.ImportFrom):
        return body[0]
    return None


def _names(node: ast.ImportFrom) -> list[tuple[str, str | None]]:
    return [(alias.name, alias.asname) for alias in node.names]


def keep_layout(old: str, new: str, newline: str = "\n") -> str | None:
    """`new` (imports replacing the import `old`) in `old`'s own layout.

    Handles the two rewrites an import fix makes: the same names from
    another module, and some names moved into an import of their own on
    the lines after. None when `new` is neither.

    Examples
    --------
    >>> from safestride.lint.fixing import keep_layout
    >>> old = "from numpy.lib.stride_tricks import (  # why\\n    as_strided,\\n)"
    >>> print(keep_layout(old, "from safestride.stride_tricks import as_strided"))
    from safestride.stride_tricks import (  # why
        as_strided,
    )
    """
    before = _import(old)
    statements = new.split("\n")
    after = [node for node in map(_import, statements) if node is not None]
    layout = _layout(old)
    if before is None or layout is None or len(after) != len(statements):
        return None
    first = after[0]
    if len(after) == 1 and _names(first) == _names(before) and first.module:
        start, end = layout.module
        return old[:start] + "." * first.level + first.module + old[end:]
    if first.module != before.module or first.level != before.level:
        return None
    kept, text = _names(first), old
    for key in reversed(_names(before)):
        if key in kept:
            kept.remove(key)
            continue
        shorter = _without(text, key)
        if shorter is None:
            return None
        text = shorter
    rewritten = _import(text)
    if kept or rewritten is None or _names(rewritten) != _names(first):
        return None
    return newline.join([text, *statements[1:]])


def _offsets(source: str) -> list[int]:
    return [0] + [match.end() for match in _LINE_BREAK.finditer(source)]


def apply_fixes(source: str, findings: Iterable[Finding]) -> tuple[str, int]:
    """`source` with every non-overlapping fix applied; and how many were.

    Examples
    --------
    >>> from safestride.lint import Selection, apply_fixes, lint_source
    >>> source = "from numpy.lib.stride_tricks import as_strided\\r\\n"
    >>> apply_fixes(source, lint_source(source, selection=Selection(["SST008"])))
    ('from safestride.stride_tricks import as_strided\\r\\n', 1)
    """
    fixed, applied = fix_source(source, findings)
    return fixed, len(applied)


def fix_source(source: str, findings: Iterable[Finding]) -> tuple[str, list[Finding]]:
    """`source` with the fixes of `findings` applied, and the findings fixed.

    A fix whose edits overlap an applied one waits for the next pass.
    """
    edits = [
        (edit, finding)
        for finding in findings
        if finding.fix is not None
        for edit in finding.fix.edits
    ]
    starts = _offsets(source)
    newline = newline_of(source)

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    applied: list[Finding] = []
    last_start = len(source) + 1
    ordered = sorted(edits, key=lambda e: (e[0].line, e[0].column), reverse=True)
    for edit, finding in ordered:
        start = offset(edit.line, edit.column)
        end = offset(edit.end_line, edit.end_column)
        if end > last_start:
            continue  # overlaps an edit already applied
        old = source[start:end]
        content = keep_layout(old, edit.content, newline)
        if content is None:
            content = edit.content.replace("\n", newline)
        if any(comment not in content for comment in _comments(old)):
            continue  # it would delete a comment: leave it to a person
        source = source[:start] + content + source[end:]
        last_start = start
        if finding not in applied:
            applied.append(finding)
    return source, applied


def unified_diff(before: str, after: str, filename: str) -> str:
    """The change from `before` to `after` as a unified diff (empty if none)."""
    import difflib

    old = _LINE.findall(before)
    new = _LINE.findall(after)
    lines = []
    for line in difflib.unified_diff(old, new, filename, filename):
        lines.append(line if line.endswith(("\n", "\r")) else line + "\n")
        if not line.endswith(("\n", "\r")) and line[:1] in "+- ":
            lines.append("\\ No newline at end of file\n")
    return "".join(lines)
