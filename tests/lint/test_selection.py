"""Rule selection as ruff resolves it, on a rule table of our own making."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from safestride.lint.selection import (
    DEFAULT_PER_FILE_IGNORES,
    Selection,
    SelectorError,
    ignored_codes,
    parse_selectors,
    per_file_ignores,
)
from tests.lint.conftest import BAD, FAKE_RULES, Run, write


def codes(selection: Selection) -> list[str]:
    return sorted(selection.codes)


@pytest.mark.usefixtures("fake_rules")
class TestResolution:
    def test_the_default_is_the_rules_marked_default(self) -> None:
        assert codes(Selection()) == ["SST001", "SST002", "SST101"]

    def test_select_replaces_the_default(self) -> None:
        assert codes(Selection(["SST004"])) == ["SST004"]
        assert codes(Selection(["ALL"])) == [r.code for r in FAKE_RULES]
        assert codes(Selection(["SST"])) == [r.code for r in FAKE_RULES]

    def test_extend_select_adds_advice_to_the_default(self) -> None:
        assert codes(Selection(extend_select=["SST00"])) == [
            "SST001",
            "SST002",
            "SST004",
            "SST008",
            "SST101",
        ]

    def test_the_more_specific_selector_wins_and_ignore_wins_a_tie(self) -> None:
        assert codes(Selection(["ALL"], ignore=["SST00"])) == ["SST101"]
        assert codes(Selection(["SST001"], ignore=["SST0"])) == ["SST001"]
        assert codes(Selection(["SST001"], ignore=["SST001"])) == []
        assert codes(Selection(ignore=["SST"], extend_select=["SST002"])) == ["SST002"]

    def test_the_command_line_is_a_layer_over_the_file(self) -> None:
        config = Selection(["SST001"], ignore=["SST002"], extend_select=["SST004"])
        assert codes(config) == ["SST001", "SST004"]
        # a select on the command line starts again, as in ruff
        assert codes(Selection(["SST002"]).over(config)) == ["SST002"]
        # extend-select and ignore adjust what the file selected
        assert codes(Selection(extend_select=["SST008"]).over(config)) == [
            "SST001",
            "SST004",
            "SST008",
        ]
        assert codes(Selection(ignore=["SST004"]).over(config)) == ["SST001"]

    def test_unknown_selectors_are_errors_that_list_the_rules(self) -> None:
        with pytest.raises(SelectorError, match=r"'SST3' is not a rule code"):
            Selection(["SST3"])
        with pytest.raises(SelectorError, match=r"SST004 \(advice-four\)"):
            parse_selectors(["sst0x"])
        with pytest.raises(SelectorError):
            Selection(ignore=["E501"])
        assert parse_selectors(["sst001", " ", "all"]) == ("SST001", "ALL")


def test_the_real_table_says_which_rules_are_default() -> None:
    from safestride.lint.rules import RULES

    default = Selection().codes
    for rule in RULES:
        assert (rule.code in default) == getattr(rule, "default", True)


@pytest.mark.usefixtures("fake_rules")
def test_per_file_ignores_cover_directories_and_negate() -> None:
    entries = per_file_ignores(
        {"tests": ["SST"], "!src/**": ["SST004"], "src/legacy/*.py": ["SST001"]}
    )
    assert ignored_codes(entries, "pkg/tests/unit/test_a.py") == {
        "SST001",
        "SST002",
        "SST004",
        "SST008",
        "SST101",
    }
    assert ignored_codes(entries, "src/legacy/old.py") == {"SST001"}
    assert ignored_codes(entries, "src/legacy/deep/old.py") == set()
    assert ignored_codes(entries, "scripts/run.py") == {"SST004"}


@pytest.mark.parametrize(
    "path",
    [
        "tests/test_model.py",
        "pkg/tests/helpers.py",
        "test/data.py",
        "src/test_windows.py",
        "src/windows_test.py",
        "conftest.py",
        "/elsewhere/numpy/lib/tests/test_stride_tricks.py",
    ],
)
def test_the_default_per_file_ignores_cover_test_suites(path: str) -> None:
    entries = per_file_ignores(DEFAULT_PER_FILE_IGNORES)
    assert ignored_codes(entries, path) >= Selection(["ALL"]).codes


@pytest.mark.parametrize(
    "path", ["src/model.py", "src/testing_utils.py", "contest.py", "attest/x.py"]
)
def test_the_default_per_file_ignores_leave_library_code(path: str) -> None:
    assert not ignored_codes(per_file_ignores(DEFAULT_PER_FILE_IGNORES), path)


# ------------------------------------------------- through the command line


@pytest.mark.usefixtures("fake_rules")
def test_advice_rules_are_opt_in_on_the_command_line(
    project: Path, safestride: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, {"bad.py": BAD})
    # SST001 (default) and SST008 (advice) in the fake table
    assert [line.split()[1] for line in safestride("lint", "-q").lines] == ["SST001"]
    for option in (["--extend-select", "SST008"], ["--select", "ALL"]):
        found = safestride("lint", "-q", *option).lines
        assert [line.split()[1] for line in found] == ["SST008", "SST001"]
    found = safestride("lint", "-q", "--select", "SST008").lines
    assert [line.split()[1] for line in found] == ["SST008"]


@pytest.mark.usefixtures("fake_rules")
def test_advice_rules_are_opt_in_in_the_configuration(
    project: Path, safestride: Callable[..., Run]
) -> None:
    write(
        project,
        {
            "bad.py": BAD,
            "pyproject.toml": '[tool.safestride.lint]\nextend-select = ["SST008"]\n',
        },
    )
    found = safestride("lint", "-q").lines
    assert [line.split()[1] for line in found] == ["SST008", "SST001"]
    found = safestride("lint", "-q", "--ignore", "SST008").lines
    assert [line.split()[1] for line in found] == ["SST001"]


def test_test_suites_are_quiet_by_default_and_can_be_linted(
    project: Path, safestride: Callable[..., Run]
) -> None:
    write(project, {"tests/test_views.py": BAD, "src/views.py": BAD})
    result = safestride("lint", "--select", "SST001")
    assert result.lines == [
        "src/views.py:3:34: SST001 " + result.lines[0].split(" SST001 ")[1],
        "Found 1 finding.",
    ]
    # an explicit select does not override per-file ignores (as in ruff) ...
    assert len(safestride("lint", "-q", "--select", "SST001").lines) == 1
    # ... replacing them does
    found = safestride("lint", "-q", "--select", "SST001", "--per-file-ignores=")
    assert [line.split(":")[0] for line in found.lines] == [
        "src/views.py",
        "tests/test_views.py",
    ]
    write(
        project,
        {"pyproject.toml": "[tool.safestride.lint.per-file-ignores]\n"},
    )
    assert len(safestride("lint", "-q", "--select", "SST001").lines) == 2


def test_per_file_ignores_from_the_command_line(
    project: Path, safestride: Callable[..., Run]
) -> None:
    write(project, {"a/x.py": BAD, "b/x.py": BAD})
    found = safestride(
        "lint", "-q", "--select", "SST001,SST008", "--extend-per-file-ignores", "a:SST"
    )
    assert {line.split(":")[0] for line in found.lines} == {"b/x.py"}
    found = safestride(
        "lint", "-q", "--select", "SST", "--per-file-ignores", "b/*.py:SST001"
    )
    assert [line.split()[1] for line in found.lines] == ["SST008", "SST001", "SST008"]
    bad = safestride("lint", "--per-file-ignores", "b/*.py")
    assert bad.code == 2
    assert "'b/*.py' is not PATTERN:CODE" in bad.err
