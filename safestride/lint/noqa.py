"""``# noqa`` comments, read one way by the command line and the flake8 plugin.

The reading is flake8's, made more forgiving, so that a finding flake8 would
silence is silenced by ``safestride lint`` too, and the flake8 plugin can
drop the rest itself:

- ``# noqa`` silences every finding of the line; ``#noqa`` and ``# NOQA``
  as well (flake8 itself needs the one space);
- ``# noqa: SST001,SST004`` (or ``# noqa:SST001 SST004``) silences those
  codes and the codes they are prefixes of; lower case is accepted (flake8
  itself ignores ``# noqa: sst001``);
- anything else after ``# noqa`` (``# noqa:`` alone, ``# noqa : SST001``,
  ``# noqa: SST``) is, as in flake8, a ``# noqa`` for every code;
- a finding's line is the line it starts on, except inside a string that
  spans several lines: a ``# noqa`` on any line of it covers all of them;
- a line that starts with ``# flake8: noqa`` exempts the whole file.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass

from safestride.lint.findings import Finding

_INLINE = re.compile(
    r"#\s*noqa(?::\s?(?P<codes>(?:[A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE
)
_FILE = re.compile(r"\s*#\s*flake8[:=]\s*noqa", re.IGNORECASE)
_SEPARATORS = re.compile(r"[,\s]+")


def _statement_at(tree: ast.AST, line: int) -> ast.AST:
    """The innermost statement of `tree` whose lines include `line`."""
    node = tree
    while True:
        for child in ast.iter_child_nodes(node):
            end = getattr(child, "end_lineno", None)
            if isinstance(child, ast.stmt) and end and child.lineno <= line <= end:
                node = child
                break
        else:
            return node


@dataclass(frozen=True)
class Noqa:
    """One ``# noqa`` comment: the codes it names, or None for every code."""

    codes: tuple[str, ...] | None

    def silences(self, code: str) -> bool:
        return self.codes is None or code.startswith(self.codes)


def read_noqa(text: str) -> list[Noqa]:
    """Every ``# noqa`` comment in `text`.

    Examples
    --------
    >>> from safestride.lint.noqa import read_noqa
    >>> read_noqa("as_strided(x)  # noqa:sst001, SST004")
    [Noqa(codes=('SST001', 'SST004'))]
    >>> read_noqa("as_strided(x)  #NOQA")
    [Noqa(codes=None)]
    """
    found = []
    for match in _INLINE.finditer(text):
        codes = match.group("codes")
        if codes is None:
            found.append(Noqa(None))
        else:
            names = _SEPARATORS.split(codes.upper())
            found.append(Noqa(tuple(name for name in names if name)))
    return found


class NoqaReader:
    """Which findings of one module its ``# noqa`` comments silence.

    `lines` are the module's physical lines, without their line endings;
    `tree` its syntax tree (or the parts of it findings can be in).
    """

    def __init__(self, lines: Sequence[str], tree: ast.AST) -> None:
        self.lines = lines
        self.tree = tree
        self.present = any("noqa" in line.lower() for line in lines)
        self.file_exempt = self.present and any(_FILE.match(line) for line in lines)

    def _span(self, line: int) -> tuple[int, int]:
        """The (first, last) lines flake8 reads as one with `line` for noqa.

        flake8 joins the lines of a token that spans several (a string) and
        lines continued with a backslash; both stay within one statement.
        The strings come from the tree, not from tokenizing the file again
        (a literal concatenated over lines joins them too: a superset).
        """
        statement = _statement_at(self.tree, line)
        pairs = [
            (node.lineno, node.end_lineno)
            for node in ast.walk(statement)
            if isinstance(node, (ast.Constant, ast.JoinedStr))
            and not isinstance(getattr(node, "value", ""), (int, float, complex))
            and node.end_lineno is not None
            and node.end_lineno > node.lineno
        ]
        pairs += [
            (number, number + 1)
            for number in range(
                getattr(statement, "lineno", 1),
                (getattr(statement, "end_lineno", None) or len(self.lines)) + 1,
            )
            if number <= len(self.lines) and self.lines[number - 1].endswith("\\")
        ]
        first = last = line
        grown = True
        while grown:  # a chain of strings and continuations joins end to end
            grown = False
            for start, end in pairs:
                if start <= last and end >= first and (start < first or end > last):
                    first, last, grown = min(first, start), max(last, end), True
        return first, last

    def silences(self, finding: Finding) -> bool:
        """Whether a ``# noqa`` on `finding`'s line covers its code."""
        if not self.present:
            return False
        if self.file_exempt:
            return True
        if not 0 < finding.line <= len(self.lines):
            return False
        own = self.lines[finding.line - 1]
        if any(noqa.silences(finding.code) for noqa in read_noqa(own)):
            return True
        first, last = self._span(finding.line)
        if first == last:
            return False
        text = "\n".join(self.lines[first - 1 : last])
        return any(noqa.silences(finding.code) for noqa in read_noqa(text))
