"""Patterns in the style of .gitignore."""

from __future__ import annotations

import pytest

from safestride.lint.globs import Glob, GlobSet

CASES = [
    # pattern, path, is a directory, matches
    ("tests", "tests", True, True),
    ("tests", "pkg/tests", True, True),
    ("tests", "pkg/tests.py", False, False),
    ("*.py", "a/b/c.py", False, True),
    ("src/*.py", "src/a.py", False, True),
    ("src/*.py", "src/deep/a.py", False, False),
    ("src/*.py", "other/src/a.py", False, False),
    ("/setup.py", "setup.py", False, True),
    ("/setup.py", "pkg/setup.py", False, False),
    ("src/**/*.py", "src/a.py", False, True),
    ("src/**/*.py", "src/x/y/a.py", False, True),
    ("**/gen", "a/b/gen", True, True),
    ("**/gen", "gen", True, True),
    ("build/", "build", True, True),
    ("build/", "build", False, False),
    ("test_?.py", "test_a.py", False, True),
    ("test_?.py", "test_ab.py", False, False),
    ("[!a]*.py", "b.py", False, True),
    ("[!a]*.py", "a.py", False, False),
    ("{docs,tools}/*.py", "tools/x.py", False, True),
    ("{docs,tools}/*.py", "src/x.py", False, False),
    (r"\*.py", "*.py", False, True),
    (r"\*.py", "a.py", False, False),
]


@pytest.mark.parametrize(("pattern", "path", "directory", "expected"), CASES)
def test_one_pattern(pattern: str, path: str, directory: bool, expected: bool) -> None:
    assert Glob.compile(pattern).matches(path, directory) is expected
    assert GlobSet.compile([pattern, "unrelated"]).matches(path, directory) is expected


def test_a_directory_covers_what_is_inside() -> None:
    glob = Glob.compile("src/gen")
    assert glob.covers("src/gen/deep/x.py")
    assert not glob.covers("src/generated.py")
    assert GlobSet.compile(["build/"]).covers("build/lib/x.py")
    assert not GlobSet.compile(["build/"]).covers("build")
    assert not GlobSet.compile([]).covers("anything.py")
