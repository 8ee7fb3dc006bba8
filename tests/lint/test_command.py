"""``safestride lint`` and ``safestride explain``, as users of ruff expect them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from safestride.lint.formats import use_colour
from safestride.lint.rules import RULES
from tests.helpers import run_python
from tests.lint.conftest import BAD, Run, write

SST001_LINE = "bad.py:3:34: SST001 strides come from `x.strides`"


def test_the_text_format_ends_with_a_summary(
    project: Path, safestride: Callable[..., Run]
) -> None:
    write(project, {"bad.py": BAD, "good.py": "as_strided = 1\n"})
    result = safestride("lint", "--select", "SST001,SST008")
    assert result.code == 1
    assert result.lines[-1] == "Found 2 findings (1 fixable with --fix)."
    clean = safestride("lint", "good.py")
    assert (clean.code, clean.out) == (0, "All checks passed!\n")
    one = safestride("lint", "--select", "SST001")
    assert one.lines[-1] == "Found 1 finding."
    quiet = safestride("lint", "-q", "--select", "SST001")
    assert len(quiet.lines) == 1
    assert quiet.lines[0].startswith(SST001_LINE)
    as_json = safestride("lint", "--format", "json", "--select", "SST001")
    assert [record["code"] for record in json.loads(as_json.out)] == ["SST001"]


def test_output_file(project: Path, safestride: Callable[..., Run]) -> None:
    write(project, {"bad.py": BAD})
    result = safestride("lint", "--select", "SST001", "--output-file", "report.txt")
    assert (result.code, result.out) == (1, "")
    report = (project / "report.txt").read_text().splitlines()
    assert report[0].startswith(SST001_LINE)
    assert report[1] == "Found 1 finding."
    nowhere = safestride("lint", "-o", "no/such/dir/report.txt")
    assert nowhere.code == 2
    assert nowhere.err.startswith("safestride lint: --output-file no/such/dir/")


def test_statistics_honour_the_format(
    project: Path, safestride: Callable[..., Run]
) -> None:
    write(project, {"bad.py": BAD, "again.py": BAD})
    options = ("lint", "--statistics", "--select", "SST001,SST008")
    text = safestride(*options)
    assert text.lines == [
        "    2  SST001  stale-strides",
        "    2  SST008  numpy-as-strided",
        "Found 4 findings (2 fixable with --fix).",
    ]
    records = json.loads(safestride(*options, "--format", "json").out)
    assert records == [
        {
            "code": "SST001",
            "name": "stale-strides",
            "count": 2,
            "fixable": False,
            "fixable_count": 0,
        },
        {
            "code": "SST008",
            "name": "numpy-as-strided",
            "count": 2,
            "fixable": True,
            "fixable_count": 2,
        },
    ]
    sarif = safestride(*options, "--format", "sarif")
    assert sarif.code == 2
    assert "--statistics prints text or json, not sarif" in sarif.err


def test_a_warning_when_no_python_file_is_found(
    project: Path, safestride: Callable[..., Run]
) -> None:
    write(project, {"notes.txt": "as_strided\n", "empty/README": ""})
    result = safestride("lint", ".")
    assert (result.code, result.out) == (0, "All checks passed!\n")
    assert result.err == (
        "safestride lint: warning: no Python files found under . "
        "(excluded, git-ignored, or not .py/.pyi)\n"
    )
    assert safestride("lint", "-q", "empty").err == ""


def test_colour(
    project: Path, safestride: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, {"bad.py": BAD})
    coloured = safestride("lint", "-q", "--select", "SST001", "--color", "always")
    assert coloured.out.startswith("\x1b[1mbad.py\x1b[0m\x1b[36m:\x1b[0m3")
    assert "\x1b[1m\x1b[31mSST001\x1b[0m strides come" in coloured.out
    plain = safestride("lint", "-q", "--select", "SST001")
    assert "\x1b" not in plain.out
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in safestride("lint", "-q", "--select", "SST001").out
    assert "\x1b" not in safestride("lint", "--color", "never").out


class Terminal:
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("mode", "environment", "expected"),
    [
        ("auto", {}, True),
        ("auto", {"NO_COLOR": "1"}, False),
        ("auto", {"NO_COLOR": ""}, True),
        ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        ("always", {"NO_COLOR": "1"}, True),
        ("never", {"FORCE_COLOR": "1"}, False),
    ],
)
def test_use_colour(
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
    environment: dict[str, str],
    expected: bool,
) -> None:
    for variable in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    assert use_colour(mode, Terminal()) is expected  # type: ignore[arg-type]


def test_explain(safestride: Callable[..., Run]) -> None:
    every = safestride("explain", "--all")
    assert every.code == 0
    for rule in RULES:
        assert f"{rule.code} {rule.name}\n" in every.out
    unknown = safestride("explain", "SST999")
    assert unknown.code == 2
    assert "no rule 'SST999'; the rules are SST001 (stale-strides)" in unknown.err
    assert safestride("explain").code == 2


# ---------------------------------------------------------------- stdin


@pytest.mark.subprocess
def test_stdin_with_a_filename_for_messages_and_settings(project: Path) -> None:
    write(
        project,
        {"pyproject.toml": '[tool.safestride.lint]\nextend-exclude = ["gen"]\n'},
    )

    def lint(*arguments: str) -> Run:
        result = run_python(
            "-m", "safestride.cli", "lint", "--select", "SST001,SST008", *arguments,
            cwd=project, stdin=BAD,
        )  # fmt: skip
        return Run(result.returncode, result.stdout, result.stderr)

    anonymous = lint("-")
    assert anonymous.code == 1
    assert anonymous.lines[0].startswith("-:1:1: SST008 ")
    named = lint("--stdin-filename", "src/model.py", "-")
    assert [line.split()[0] for line in named.lines[:-1]] == [
        "src/model.py:1:1:",
        "src/model.py:3:34:",
    ]
    assert lint("--stdin-filename", "tests/test_model.py", "-").out == (
        "All checks passed!\n"  # the default per-file ignores apply
    )
    excluded = lint("--force-exclude", "--stdin-filename", "gen/model.py", "-")
    assert (excluded.code, excluded.out) == (0, "All checks passed!\n")
    fixed = lint("--fix", "--stdin-filename", "src/model.py", "-")
    assert fixed.out == BAD.replace(
        "numpy.lib.stride_tricks", "safestride.stride_tricks"
    )
    assert fixed.err.splitlines()[-1] == "Found 2 findings (1 fixed, 1 remaining)."
    assert fixed.code == 1
    diff = lint("--diff", "-")
    assert diff.out.startswith("--- -\n+++ -\n")
    assert diff.err == "Would fix 1 finding.\n"
    mixed = lint("-", "src")
    assert mixed.code == 2
    assert "- (stdin) cannot be mixed with other paths" in mixed.err
