"""The terminal sessions in docs/lint.rst are real: replay them and compare.

A ``code-block`` with a ``:caption:`` that names a file writes that file
(into a fresh project directory, in the order of the page); a ``console``
block holds ``$ safestride ...`` commands, each followed by its output
(stdout, then stderr; ``...`` stands for any text). ``< FILE`` feeds a file
to stdin.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_python

PAGE = ROOT / "docs" / "lint.rst"
_BLOCK = re.compile(
    r"^\.\. code-block:: (?P<language>\S+)\n(?P<options>(?:   :\w+: .*\n)*)\n"
    r"(?P<body>(?:(?:   .*)?\n)+)",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Session:
    command: str
    output: str


def _dedent(body: str) -> str:
    return "".join(line[3:] + "\n" for line in body.rstrip("\n").split("\n"))


def steps(text: str) -> list[tuple[str, str | list[Session]]]:
    """("file", name, content) and ("console", sessions), in page order."""
    found: list[tuple[str, str | list[Session]]] = []
    for block in _BLOCK.finditer(text):
        body = _dedent(block["body"])
        caption = re.search(r":caption: (\S+)", block["options"])
        if caption and block["language"] != "console":
            found.append((caption.group(1), body))
        elif block["language"] == "console":
            sessions: list[Session] = []
            for chunk in re.split(r"^\$ ", body, flags=re.MULTILINE)[1:]:
                command, _, output = chunk.partition("\n")
                sessions.append(Session(command, output))
            found.append(("$", sessions))
    return found


def run(command: str, project: Path) -> str:
    words = shlex.split(command)
    stdin = None
    if "<" in words:
        at = words.index("<")
        stdin = (project / words[at + 1]).read_text()
        words = words[:at] + words[at + 2 :]
    assert words[0] == "safestride", command
    result = run_python(
        "-m", "safestride.cli", *words[1:], cwd=project, stdin=stdin,
        env={"NO_COLOR": "1"},
    )  # fmt: skip
    return result.stdout + result.stderr


def matches(actual: str, expected: str) -> bool:
    """Equal, where ``...`` in `expected` stands for any text (as in doctest)."""
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, actual, re.DOTALL) is not None


@pytest.mark.subprocess
def test_the_terminal_sessions_in_the_lint_page(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    commands = 0
    for kind, content in steps(PAGE.read_text()):
        if kind == "$":
            assert isinstance(content, list)
            for session in content:
                assert matches(run(session.command, project), session.output), session
                commands += 1
        else:
            assert isinstance(content, str)
            path = project / kind
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
    assert commands >= 10
