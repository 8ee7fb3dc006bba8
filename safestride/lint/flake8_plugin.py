"""The flake8 plugin: ``flake8 --select SST`` runs safestride's lint rules.

flake8 handles ``# noqa``, selection and output; this adapter only checks.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from typing import Any

from safestride import __version__
from safestride.lint.checker import Checker


class Flake8Checker:
    """Registered under the ``flake8.extension`` entry point as ``SST``."""

    name = "safestride"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = [line.rstrip("\r\n") for line in lines]

    def run(self) -> Iterator[tuple[int, int, str, type[Any]]]:
        if not isinstance(self.tree, ast.Module):
            return
        if not any("as_strided" in line for line in self.lines):
            return
        checker = Checker(self.filename, self.lines, self.tree)
        checker.visit(self.tree)
        for finding in checker.findings:
            yield (
                finding.line,
                finding.column - 1,
                f"{finding.code} {finding.message}",
                type(self),
            )
