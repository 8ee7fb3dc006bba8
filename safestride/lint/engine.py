"""Linting source text and files: pre-filter, decode, parse, check, honour noqa.

The command line and the flake8 plugin both end in `lint_tree`, so they read
``# noqa`` the same way and report the same findings.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path

from safestride.lint.checker import Checker
from safestride.lint.findings import Finding
from safestride.lint.fixing import apply_fixes
from safestride.lint.noqa import NoqaReader
from safestride.lint.parsing import decode, parse_relevant, physical_lines
from safestride.lint.rules import RULES_BY_CODE
from safestride.lint.selection import Selection

__all__ = [
    "NEEDLE",
    "WORDS",
    "Selection",
    "apply_fixes",
    "has_needle",
    "lint_file",
    "lint_source",
]

#: Words one of which every file with a finding contains; others are never
#: parsed (``byte_bounds``: SST012 reads layouts recorded without a view).
WORDS = ("as_strided", "byte_bounds")
NEEDLE = WORDS[0].encode()


def has_needle(data: bytes) -> bool:
    """Whether a file's bytes hold one of the `WORDS` (may have findings)."""
    return any(word.encode() in data for word in WORDS)


def unparseable(filename: str, reason: str, line: int = 1, column: int = 1) -> Finding:
    """The SST900 finding for a file that cannot be read or parsed."""
    message = RULES_BY_CODE["SST900"].message.format(source=reason)
    return Finding("SST900", message, filename, line, column, line, column)


def lint_tree(
    tree: ast.Module,
    lines: Sequence[str],
    filename: str,
    selection: Selection,
    noqa: bool = True,
) -> list[Finding]:
    """The findings in a parsed module that `selection` wants and no noqa silences.

    `lines` are the module's physical lines without their line endings;
    `noqa` False ignores ``# noqa`` comments.
    """
    checker = Checker(filename, lines, tree, wants=selection.wants)
    checker.visit(tree)
    found = [f for f in checker.findings if selection.wants(f.code)]
    if found and noqa:
        reader = NoqaReader(lines, tree)
        found = [f for f in found if not reader.silences(f)]
    return sorted(found, key=lambda f: (f.line, f.column, f.code))


def lint_source(
    source: str, filename: str = "<string>", selection: Selection | None = None
) -> list[Finding]:
    """Every finding in `source`, sorted by position.

    Examples
    --------
    >>> from safestride.lint import lint_source
    >>> code = '''
    ... from numpy.lib.stride_tricks import as_strided
    ... def bias(b, x):
    ...     return as_strided(b, shape=x.shape, strides=(0, x.strides[1], 0, 0))
    ... '''
    >>> from safestride.lint import Selection
    >>> for finding in lint_source(code, "model.py", Selection(["SST008"])):
    ...     print(finding)
    model.py:2:1: SST008 numpy's as_strided checks nothing: ...
    """
    selection = selection or Selection()
    source = source.removeprefix("\ufeff")
    lines = physical_lines(source)
    try:
        tree = parse_relevant(source, filename, lines, WORDS)
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None) or 1
        column = getattr(error, "offset", None) or 1
        reason = getattr(error, "msg", str(error))
        found = [unparseable(filename, reason, line, column)]
        return [f for f in found if selection.wants(f.code)]
    return lint_tree(tree, lines, filename, selection)


def lint_file(path: Path, selection: Selection | None = None) -> list[Finding]:
    """Findings in one file; files without ``as_strided`` (or ``byte_bounds``)
    are not even parsed."""
    data = path.read_bytes()
    if not has_needle(data):
        return []
    return lint_bytes(data, str(path), selection)


def lint_bytes(
    data: bytes, filename: str, selection: Selection | None = None
) -> list[Finding]:
    """Findings in a file's bytes, decoded as Python decodes a module."""
    selection = selection or Selection()
    try:
        source = decode(data).text
    except (SyntaxError, UnicodeDecodeError) as error:
        where = error.start if isinstance(error, UnicodeDecodeError) else 0
        line = data.count(b"\n", 0, where) + 1
        found = [unparseable(filename, _undecodable(error), line)]
        return [f for f in found if selection.wants(f.code)]
    return lint_source(source, filename, selection)


def _undecodable(error: SyntaxError | UnicodeDecodeError) -> str:
    if isinstance(error, UnicodeDecodeError):
        return (
            f"its bytes are not {error.encoding} (byte {error.start}: "
            f"{error.reason}); a PEP 263 coding line can name their codec"
        )
    if "unknown encoding" in str(error):
        return f"its coding line names no codec Python knows ({error})"
    return "its bytes are not UTF-8, and no PEP 263 coding line names their codec"
