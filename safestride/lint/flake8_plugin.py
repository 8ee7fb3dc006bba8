"""The flake8 plugin: ``flake8`` runs safestride's lint rules (prefix ``SST``).

It runs the same checks as ``safestride lint`` on flake8's parse of the
file, and reads ``# noqa`` with the same reader (flake8 then applies its own,
which silences nothing more; ``--disable-noqa`` turns both off). Like
flake8-bugbear's opinionated B9 warnings, the advice rules run only when
flake8's ``--select`` or ``--extend-select`` names them (``SST``,
``SST004``, ...); the default rules always run. flake8's own ``--ignore`` and
``--per-file-ignores`` apply as to any plugin.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from safestride import __version__
from safestride.lint.engine import WORDS, lint_tree
from safestride.lint.rules import RULES
from safestride.lint.selection import Selection


def _named(options: argparse.Namespace) -> tuple[str, ...]:
    """The prefixes of our codes among flake8's --select and --extend-select."""
    named = [
        *(getattr(options, "select", None) or ()),
        *(getattr(options, "extend_select", None) or ()),
    ]
    prefixes = {str(p).strip().upper() for p in named}
    return tuple(
        sorted(p for p in prefixes if p and any(r.code.startswith(p) for r in RULES))
    )


class Flake8Checker:
    """Registered under the ``flake8.extension`` entry point as ``SST``."""

    name = "safestride"
    version = __version__
    selection: ClassVar[Selection] = Selection()
    read_noqa: ClassVar[bool] = True

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = [line.rstrip("\r\n") for line in lines]

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        """Take the advice rules flake8's options name (flake8 calls this)."""
        cls.selection = Selection(extend_select=_named(options))
        cls.read_noqa = not getattr(options, "disable_noqa", False)

    def run(self) -> Iterator[tuple[int, int, str, type[Any]]]:
        if not isinstance(self.tree, ast.Module):
            return
        if not any(word in line for line in self.lines for word in WORDS):
            return
        findings = lint_tree(
            self.tree, self.lines, self.filename, self.selection, self.read_noqa
        )
        for finding in findings:
            yield (
                finding.line,
                finding.column - 1,
                f"{finding.code} {finding.message}",
                type(self),
            )
