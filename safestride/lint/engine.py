"""Linting source text and files: pre-filter, parse, check, honour noqa."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from safestride.lint.checker import Checker
from safestride.lint.findings import Edit, Finding
from safestride.lint.parsing import parse_relevant
from safestride.lint.rules import RULES_BY_CODE

#: Text every file with a finding must contain; others are never parsed.
NEEDLE = b"as_strided"

_NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)


@dataclass(frozen=True)
class Selection:
    """Which rules run: `select` prefixes minus `ignore` prefixes."""

    select: tuple[str, ...] = ("SST",)
    ignore: tuple[str, ...] = ()

    def wants(self, code: str) -> bool:
        chosen = any(code.startswith(prefix) for prefix in self.select)
        return chosen and not any(code.startswith(prefix) for prefix in self.ignore)


def _suppressed(finding: Finding, lines: Sequence[str]) -> bool:
    if not 0 < finding.line <= len(lines):
        return False
    match = _NOQA.search(lines[finding.line - 1])
    if match is None:
        return False
    codes = match.group("codes")
    if codes is None:
        return True
    return finding.code in {c.upper() for c in re.split(r"[,\s]+", codes) if c}


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
    >>> for finding in lint_source(code, "model.py"):
    ...     print(finding.line, finding.code)
    2 SST008
    4 SST004
    4 SST001
    4 SST006
    """
    selection = selection or Selection()
    lines = source.splitlines()
    try:
        tree = parse_relevant(source, filename, lines, "as_strided")
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None) or 1
        column = getattr(error, "offset", None) or 1
        message = RULES_BY_CODE["SST900"].message.format(
            source=getattr(error, "msg", str(error))
        )
        found = [Finding("SST900", message, filename, line, column, line, column)]
        return [f for f in found if selection.wants(f.code)]
    checker = Checker(filename, lines, tree)
    checker.visit(tree)
    found = [
        f
        for f in checker.findings
        if selection.wants(f.code) and not _suppressed(f, lines)
    ]
    return sorted(found, key=lambda f: (f.line, f.column, f.code))


def lint_file(path: Path, selection: Selection | None = None) -> list[Finding]:
    """Findings in one file; files without ``as_strided`` are not even parsed."""
    data = path.read_bytes()
    if NEEDLE not in data:
        return []
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as error:
        message = RULES_BY_CODE["SST900"].message.format(source=f"not UTF-8 ({error})")
        return [Finding("SST900", message, str(path), 1, 1, 1, 1)]
    return lint_source(source, str(path), selection)


def apply_fixes(source: str, findings: Iterable[Finding]) -> tuple[str, int]:
    """`source` with every non-overlapping fix applied; and how many were."""
    edits: list[Edit] = []
    for finding in findings:
        if finding.fix is not None:
            edits.extend(finding.fix.edits)
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    applied = 0
    last_start = len(source) + 1
    for edit in sorted(edits, key=lambda e: (e.line, e.column), reverse=True):
        start, end = (
            offset(edit.line, edit.column),
            offset(edit.end_line, edit.end_column),
        )
        if end > last_start:
            continue  # overlaps an edit already applied
        source = source[:start] + edit.content + source[end:]
        last_start = start
        applied += 1
    return source, applied
