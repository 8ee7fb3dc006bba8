"""Linting files and stdin with the settings of one run, fixing if asked.

A fix is applied, the file linted again, and so on while fixes apply (a
fix can make room for another); the file is written once, in its own codec,
byte order mark and line endings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from safestride.lint.engine import has_needle, lint_bytes, unparseable
from safestride.lint.files import FileFilter
from safestride.lint.findings import Finding
from safestride.lint.fixing import fix_source, unified_diff
from safestride.lint.parsing import decode
from safestride.lint.selection import (
    PerFileIgnore,
    Selection,
    ignored_codes,
    per_file_ignores,
)

#: Passes of fix-and-lint-again before giving up on a file.
MAX_FIX_PASSES = 10

#: What happens to fixes: reported only, written back, or shown as a diff.
CHECK, FIX, DIFF = "check", "fix", "diff"


@dataclass
class FileResult:
    """One file's remaining findings, what was fixed, and the diff (--diff)."""

    filename: str
    findings: list[Finding]
    fixed: Counter[str] = field(default_factory=Counter)
    diff: str = ""


@dataclass(frozen=True)
class Linter:
    """The rules, the files and the per-file ignores of one run."""

    selection: Selection
    files: FileFilter
    per_file: Mapping[str, tuple[str, ...]]

    @cached_property
    def _per_file(self) -> tuple[PerFileIgnore, ...]:
        return per_file_ignores(self.per_file)

    def _ignored(self, path: str | None) -> frozenset[str]:
        if path is None:
            return frozenset()
        return ignored_codes(self._per_file, self.files.relative(path))

    def lint_data(
        self, data: bytes, filename: str, path: str | None, mode: str = CHECK
    ) -> tuple[FileResult, bytes]:
        """Lint (and fix) a file's bytes; the result and the bytes after fixes.

        `filename` names it in messages; `path` (None for an anonymous stdin)
        is where it is for the per-file settings.
        """
        ignored = self._ignored(path) if has_needle(data) else self.selection.codes
        if self.selection.codes <= ignored:  # no rule runs on it
            return FileResult(filename, []), data
        selection = Selection(ignore=sorted(ignored), base=self.selection)
        findings = lint_bytes(data, filename, selection)
        result = FileResult(filename, findings)
        if mode == CHECK or not any(f.fix is not None for f in findings):
            return result, data
        decoded = decode(data)  # it decoded once already: the fixes exist
        text = decoded.text
        for _ in range(MAX_FIX_PASSES):
            text, applied = fix_source(text, result.findings)
            if not applied:
                break
            result.fixed.update(f.code for f in applied)
            result.findings = lint_bytes(decoded.encode(text), filename, selection)
        if mode == DIFF:
            result.diff = unified_diff(decoded.text, text, filename)
            result.findings = findings  # `fixed` says what the diff would fix
            return result, data
        return result, decoded.encode(text)

    def lint_path(self, path: Path, mode: str = CHECK) -> FileResult:
        """Lint one file; with `mode` FIX, write the fixes back to it."""
        try:
            data = path.read_bytes()
        except OSError as error:
            finding = unparseable(str(path), f"cannot read it: {error}")
            ignored = self._ignored(str(path))
            wanted = self.selection.wants("SST900") and "SST900" not in ignored
            return FileResult(str(path), [finding] if wanted else [])
        result, fixed = self.lint_data(data, str(path), str(path), mode)
        if mode == FIX and fixed != data:
            path.write_bytes(fixed)
        return result

    def excludes_stdin(self, stdin_filename: str | None) -> bool:
        """Whether --force-exclude skips the file named by --stdin-filename."""
        return stdin_filename is not None and self.files.skips_named(stdin_filename)
