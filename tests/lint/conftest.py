"""Fixtures for the linter's command-line tests: a project directory and a
`safestride lint` that runs in this process, in that directory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from safestride.cli import main
from safestride.lint import selection

#: A file with one default finding (SST001) and one fixable one (SST008).
BAD = (
    "from numpy.lib.stride_tricks import as_strided\n"
    "def f(b, x):\n"
    "    return as_strided(b, strides=x.strides, shape=x.shape, writeable=False)\n"
)


@dataclass(frozen=True)
class Run:
    """What one ``safestride`` command did."""

    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


def write(root: Path, files: dict[str, str | bytes]) -> None:
    """Create `files` (relative path -> text or bytes) under `root`."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@dataclass(frozen=True)
class FakeRule:
    """What selection reads of a rule."""

    code: str
    name: str
    default: bool


#: A rule table with advice rules (SST004, SST008) out of the default.
FAKE_RULES = (
    FakeRule("SST001", "defect-one", True),
    FakeRule("SST002", "defect-two", True),
    FakeRule("SST004", "advice-four", False),
    FakeRule("SST008", "advice-eight", False),
    FakeRule("SST101", "defect-hundred-one", True),
)


@pytest.fixture
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Select rules from `FAKE_RULES` (the checker still runs the real ones)."""
    monkeypatch.setattr(selection, "RULES", FAKE_RULES)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory, made the working directory."""
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    for variable in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(variable, raising=False)
    return root


@pytest.fixture
def safestride(project: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """``safestride ARGS`` in this process, in `project`."""

    def run(*arguments: str) -> Run:
        code = main(list(arguments))
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run
