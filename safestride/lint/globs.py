"""Path patterns in the style of .gitignore, anchored at one directory.

A pattern without a ``/`` (``tests``, ``*_test.py``) matches a file or
directory of that name anywhere below the anchor; a pattern with one
(``src/legacy``, ``/setup.py``, ``docs/**/*.py``) matches the path from the
anchor. ``*`` and ``?`` stay within one path segment, ``**`` crosses them,
``[abc]`` is a character class and ``{a,b}`` an alternation; a trailing ``/``
matches directories only. A path also falls under a pattern when one of its
parent directories matches it, as in git: ``tests`` covers
``tests/unit/test_x.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def _class(pattern: str, start: int) -> tuple[str, int] | None:
    """The character class opening at `start` as a regex, and where it ends."""
    end = pattern.find("]", start + 2)
    if end < 0:
        return None
    body = pattern[start + 1 : end]
    negate = body[:1] in ("!", "^")
    body = body[1:] if negate else body
    escaped = body.replace("\\", "\\\\").replace("^", "\\^").replace("[", "\\[")
    return ("[^/" if negate else "[") + escaped + "]", end + 1


def _alternation(pattern: str, start: int) -> tuple[str, int] | None:
    end = pattern.find("}", start)
    if end < 0:
        return None
    options = pattern[start + 1 : end].split(",")
    return "(?:" + "|".join(_regex(option) for option in options) + ")", end + 1


def _regex(pattern: str) -> str:
    """The regex of one glob over '/'-separated paths (without anchors)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif char == "*":
            out.append("[^/]*")
            i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif char in "[{":
            found = (_class if char == "[" else _alternation)(pattern, i)
            if found is None:
                out.append(re.escape(char))
                i += 1
            else:
                out.append(found[0])
                i = found[1]
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class Glob:
    """One pattern, compiled.

    Examples
    --------
    >>> from safestride.lint.globs import Glob
    >>> Glob.compile("tests").covers("pkg/tests/unit/test_x.py")
    True
    >>> Glob.compile("src/*.py").covers("src/deep/x.py")
    False
    >>> Glob.compile("src/**/*.py").covers("src/deep/x.py")
    True
    """

    pattern: str
    regex: re.Pattern[str]
    anchored: bool
    directories_only: bool

    @classmethod
    def compile(cls, pattern: str) -> Glob:
        text = pattern.strip()
        directories_only = text.endswith("/")
        text = text.rstrip("/")
        anchored = "/" in text
        text = text.lstrip("/")
        return cls(pattern, re.compile(_regex(text)), anchored, directories_only)

    def matches(self, relative: str, is_directory: bool) -> bool:
        """Whether the path itself (relative to the anchor, '/'-separated) matches."""
        if self.directories_only and not is_directory:
            return False
        target = relative if self.anchored else relative.rpartition("/")[2]
        return self.regex.fullmatch(target) is not None

    def covers(self, relative: str, is_directory: bool = False) -> bool:
        """Whether the path or one of its parent directories matches."""
        parts = relative.split("/")
        for depth in range(1, len(parts)):
            if self.matches("/".join(parts[:depth]), True):
                return True
        return self.matches(relative, is_directory)


def _union(globs: Iterable[Glob]) -> re.Pattern[str] | None:
    bodies = [glob.regex.pattern for glob in globs]
    return re.compile("|".join(f"(?:{body})" for body in bodies)) if bodies else None


class GlobSet:
    """Several patterns; a path matches when any of them does.

    They are joined into four regexes (names or paths, for anything or for
    directories only), so a directory walk pays one match per entry.
    """

    def __init__(self, globs: Iterable[Glob]) -> None:
        self.globs = tuple(globs)
        self._regexes = {
            (anchored, directories): _union(
                g
                for g in self.globs
                if g.anchored == anchored and (directories or not g.directories_only)
            )
            for anchored in (False, True)
            for directories in (False, True)
        }

    @classmethod
    def compile(cls, patterns: Iterable[str]) -> GlobSet:
        return cls(Glob.compile(p) for p in patterns if p.strip())

    def __bool__(self) -> bool:
        return bool(self.globs)

    def matches(self, relative: str, is_directory: bool) -> bool:
        """Whether the path itself matches one of the patterns."""
        names = self._regexes[False, is_directory]
        if names is not None and names.fullmatch(relative.rpartition("/")[2]):
            return True
        paths = self._regexes[True, is_directory]
        return paths is not None and paths.fullmatch(relative) is not None

    def covers(self, relative: str, is_directory: bool = False) -> bool:
        """Whether the path or one of its parent directories matches."""
        parts = relative.split("/")
        for depth in range(1, len(parts)):
            if self.matches("/".join(parts[:depth]), True):
                return True
        return self.matches(relative, is_directory)

    @property
    def patterns(self) -> Sequence[str]:
        return [glob.pattern for glob in self.globs]
