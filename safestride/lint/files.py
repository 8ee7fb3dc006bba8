"""Which files to lint: walk the paths, skip excluded and git-ignored ones."""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

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
)
SUFFIXES = (".py", ".pyi")


def _pattern_to_regex(pattern: str) -> str:
    """A .gitignore glob as a regex over '/'-separated relative paths."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class _IgnoreRule:
    base: Path
    regex: re.Pattern[str]
    negate: bool
    directories_only: bool


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
            directories_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            line = line.lstrip("/")
            body = _pattern_to_regex(line)
            regex = f"^{body}$" if anchored else f"^(?:.*/)?{body}$"
            self.rules.append(
                _IgnoreRule(directory, re.compile(regex), negate, directories_only)
            )

    def ignores(self, path: Path, is_directory: bool) -> bool:
        ignored = False
        for rule in self.rules:
            if rule.directories_only and not is_directory:
                continue
            try:
                relative = path.relative_to(rule.base).as_posix()
            except ValueError:
                continue
            if rule.regex.match(relative):
                ignored = not rule.negate
        return ignored


def _exclusion(patterns: Sequence[str]) -> re.Pattern[str]:
    """One regex for all exclude globs, matched against a name or a relative path."""
    return re.compile("|".join(fnmatch.translate(p) for p in patterns))


def discover(
    paths: Sequence[str],
    exclude: Sequence[str] = (),
    respect_gitignore: bool = True,
) -> Iterator[Path]:
    """Python files under `paths`. Files named explicitly are always included."""
    excluded = _exclusion((*DEFAULT_EXCLUDE, *exclude))
    for given in paths:
        path = Path(given)
        if path.is_file():
            yield path
            continue
        if not path.is_dir():
            raise FileNotFoundError(f"no such file or directory: {given}")
        ignore = GitIgnore() if respect_gitignore else None
        resolved = path.resolve()
        if ignore is not None:
            for ancestor in reversed(resolved.parents):
                ignore.read(ancestor)
        yield from _walk(path, resolved, "", excluded, ignore)


def _walk(
    directory: Path,
    resolved: Path,
    relative: str,
    excluded: re.Pattern[str],
    ignore: GitIgnore | None,
) -> Iterator[Path]:
    """Files below `directory` (at `resolved`, `relative` to the given root)."""
    if ignore is not None:
        ignore.read(resolved)
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        name = entry.name
        inner = f"{relative}/{name}" if relative else name
        if excluded.match(name) or excluded.match(inner):
            continue
        is_directory = entry.is_dir(follow_symlinks=False)
        if not is_directory and not name.endswith(SUFFIXES):
            continue
        if ignore is not None and ignore.ignores(resolved / name, is_directory):
            continue
        if is_directory:
            yield from _walk(Path(entry.path), resolved / name, inner, excluded, ignore)
        else:
            yield Path(entry.path)
