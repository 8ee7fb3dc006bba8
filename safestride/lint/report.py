"""Writing one run's report: findings or statistics, fixes, diffs, the summary.

The findings go to stdout or ``--output-file``; the text format ends with a
summary line as ruff's does; warnings go to stderr. When fixed code goes to
stdout (``safestride lint --fix -``), the report goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TextIO

from safestride.lint.config import ConfigError
from safestride.lint.formats import (
    FORMATS,
    as_text,
    fixed_report,
    statistics,
    summary,
    use_colour,
)
from safestride.lint.linting import CHECK, DIFF, FIX, FileResult


@dataclass
class Report:
    """Where and how one run reports."""

    stream: TextIO
    format: str = "text"
    colour: bool = False
    statistics: bool = False
    quiet: bool = False
    mode: str = CHECK
    stdin: bool = False
    owned: bool = False  # the stream is an --output-file to close

    @classmethod
    def open(cls, arguments: argparse.Namespace, mode: str) -> Report:
        """The report the options ask for: to ``--output-file`` or stdout
        (stderr when fixed code from stdin goes to stdout)."""
        stdin = arguments.paths == ["-"]
        stream = sys.stderr if stdin and mode == FIX else sys.stdout
        owned = arguments.output_file is not None
        if owned:
            try:
                stream = open(arguments.output_file, "w", encoding="utf-8")  # noqa: SIM115
            except OSError as error:
                name = arguments.output_file
                raise ConfigError(f"--output-file {name}: {error}") from None
        colour = arguments.format == "text" and use_colour(arguments.color, stream)
        return cls(
            stream,
            format=arguments.format,
            colour=colour,
            statistics=arguments.statistics,
            quiet=arguments.quiet,
            mode=mode,
            stdin=stdin,
            owned=owned,
        )

    def close(self) -> None:
        if self.owned:
            self.stream.close()

    def warn(self, message: str) -> None:
        if not self.quiet:
            print(f"safestride lint: warning: {message}", file=sys.stderr)

    def _closing(self, text: str) -> None:
        if self.quiet or not text:
            return
        if self.format == "text":
            self.stream.write(text)
        else:  # keep stdout machine-readable
            sys.stderr.write(text)

    def write(self, results: list[FileResult]) -> bool:
        """Write the report of `results`; whether any fix would change a file."""
        findings = [f for result in results for f in result.findings]
        fixed = {r.filename: r.fixed for r in results if sum(r.fixed.values())}
        count = sum(sum(counts.values()) for counts in fixed.values())
        if self.mode == DIFF:
            for result in results:
                self.stream.write(result.diff)
            if count and not self.quiet:
                noun = "finding" if count == 1 else "findings"
                target = sys.stderr if self.stdin else self.stream
                target.write(f"Would fix {count} {noun}.\n")
            return any(result.diff for result in results)
        if self.statistics:
            self.stream.write(statistics(findings, self.format))
        elif self.format == "text":
            self.stream.write(as_text(findings, self.colour))
        else:
            from safestride import __version__

            self.stream.write(FORMATS[self.format](findings, __version__))
        self._closing(fixed_report(fixed))
        self._closing(summary(findings, count) if self.format == "text" else "")
        return bool(count)
