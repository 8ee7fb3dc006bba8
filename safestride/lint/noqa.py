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

import io
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from safestride.lint.findings import Finding

_INLINE = re.compile(
    r"#\s*noqa(?::\s?(?P<codes>(?:[A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE
)
_FILE = re.compile(r"\s*#\s*flake8[:=]\s*noqa", re.IGNORECASE)
_SEPARATORS = re.compile(r"[,\s]+")


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
    """Which findings of one file its ``# noqa`` comments silence.

    `lines` are the file's physical lines, without their line endings.
    """

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = lines
        self.present = any("noqa" in line.lower() for line in lines)
        self.file_exempt = self.present and any(_FILE.match(line) for line in lines)

    @cached_property
    def _spans(self) -> dict[int, tuple[int, int]]:
        """Line -> (first, last) line of the tokens that end at its line break:
        more than one line only around a string spanning several."""
        spans: dict[int, tuple[int, int]] = {}
        text = "".join(f"{line}\n" for line in self.lines)
        first, last = len(self.lines) + 1, 0
        try:
            for token in tokenize.generate_tokens(io.StringIO(text).readline):
                if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                    continue
                first, last = min(first, token.start[0]), max(last, token.end[0])
                if token.type in (tokenize.NL, tokenize.NEWLINE):
                    spans.update(dict.fromkeys(range(first, last + 1), (first, last)))
                    first, last = len(self.lines) + 1, 0
        except (tokenize.TokenError, SyntaxError):
            return {}
        return spans

    def silences(self, finding: Finding) -> bool:
        """Whether a ``# noqa`` on `finding`'s line covers its code."""
        if not self.present:
            return False
        if self.file_exempt:
            return True
        if not 0 < finding.line <= len(self.lines):
            return False
        first, last = self._spans.get(finding.line, (finding.line, finding.line))
        text = "\n".join(self.lines[first - 1 : last])
        return any(noqa.silences(finding.code) for noqa in read_noqa(text))
