"""Which files to lint: walk the paths, skip excluded and git-ignored ones.

Exclude patterns are anchored at the project root (see `safestride.lint.globs`
for their syntax). A file or directory named on the command line is linted
even if a pattern excludes it, unless `FileFilter.force_exclude` is set: the
pre-commit hook names every changed file, so it sets it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from safestride.lint.globs import Glob, GlobSet

DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "node_modules",
    "build",
    "dist",
    "*.egg-info",
    ".eggs",
    "__pypackages__",
    "_build",
    "site-packages",
)
SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True)
class _IgnoreRule:
    base: Path
    glob: Glob
    negate: bool


@dataclass
class GitIgnore:
    """The rules of the .gitignore files seen so far; the last match wins."""

    rules: list[_IgnoreRule] = field(default_factory=list)

    def read(self, directory: Path) -> None:
        path = directory / ".gitignore"
        if not path.is_file():
            return
        for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            line = line[1:] if negate else line
            self.rules.append(_IgnoreRule(directory, Glob.compile(line), negate))

    def ignores(self, path: Path, is_directory: bool) -> bool:
        ignored = False
        for rule in self.rules:
            try:
                relative = path.relative_to(rule.base).as_posix()
            except ValueError:
                continue
            if rule.glob.matches(relative, is_directory):
                ignored = not rule.negate
        return ignored


@dataclass(frozen=True)
class FileFilter:
    """What to skip: `exclude` patterns anchored at `root`, and git-ignored files."""

    root: Path
    exclude: GlobSet = field(default_factory=lambda: GlobSet.compile(DEFAULT_EXCLUDE))
    respect_gitignore: bool = True
    force_exclude: bool = False

    def relative(self, path: Path | str) -> str:
        """`path` from the root, '/'-separated; absolute if it is outside."""
        absolute = os.path.normpath(os.path.abspath(path))
        relative = os.path.relpath(absolute, self.root)
        if relative == os.curdir:
            return ""
        if relative.startswith(os.pardir):
            return Path(absolute).as_posix()
        return Path(relative).as_posix()

    def excludes(self, path: Path | str, is_directory: bool = False) -> bool:
        """Whether an exclude pattern covers `path` or a directory above it."""
        relative = self.relative(path)
        return bool(relative) and self.exclude.covers(relative, is_directory)

    def skips_named(self, path: Path | str, is_directory: bool = False) -> bool:
        """Whether to skip a path named on the command line (`force_exclude`)."""
        return self.force_exclude and self.excludes(path, is_directory)


def discover(paths: Sequence[str], files: FileFilter) -> Iterator[Path]:
    """Python files under `paths`. Files named explicitly are included unless
    `files.force_exclude` applies the excludes to them too."""
    for given in paths:
        path = Path(given)
        if path.is_file():
            if not files.skips_named(path):
                yield path
            continue
        if not path.is_dir():
            raise FileNotFoundError(f"no such file or directory: {given}")
        if files.skips_named(path, is_directory=True):
            continue
        ignore = GitIgnore() if files.respect_gitignore else None
        resolved = path.resolve()
        if ignore is not None:
            for ancestor in reversed(resolved.parents):
                ignore.read(ancestor)
        yield from _walk(path, resolved, files.relative(path), files.exclude, ignore)


def _walk(
    directory: Path,
    resolved: Path,
    relative: str,
    excluded: GlobSet,
    ignore: GitIgnore | None,
) -> Iterator[Path]:
    """Files below `directory` (at `resolved`, `relative` to the project root)."""
    if ignore is not None:
        ignore.read(resolved)
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        name = entry.name
        inner = f"{relative}/{name}" if relative else name
        is_directory = entry.is_dir(follow_symlinks=False)
        if not is_directory and not name.endswith(SUFFIXES):
            continue
        if excluded.matches(inner, is_directory):
            continue
        if ignore is not None and ignore.ignores(resolved / name, is_directory):
            continue
        if is_directory:
            yield from _walk(Path(entry.path), resolved / name, inner, excluded, ignore)
        else:
            yield Path(entry.path)
