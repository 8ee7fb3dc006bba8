"""The flake8 plugin: advice rules opt-in through flake8's own options."""

from __future__ import annotations

import argparse
import ast

import pytest

from safestride.lint.flake8_plugin import Flake8Checker
from tests.lint.conftest import BAD


def codes(source: str) -> list[str]:
    lines = source.splitlines(keepends=True)
    checker = Flake8Checker(ast.parse(source), "bad.py", lines)
    return [message.split()[0] for _, _, message, _ in checker.run()]


def options(**values: object) -> argparse.Namespace:
    return argparse.Namespace(
        **{"select": None, "extend_select": None, "disable_noqa": False, **values}
    )


@pytest.mark.usefixtures("fake_rules")
@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, ["SST001"]),
        ({"select": ["E", "W", "F"]}, ["SST001"]),
        ({"select": ["E", "SST"]}, ["SST008", "SST001"]),
        ({"extend_select": ["SST008"]}, ["SST008", "SST001"]),
        ({"extend_select": ["sst00"]}, ["SST008", "SST001"]),
    ],
)
def test_advice_rules_run_when_flake8_selects_them(
    monkeypatch: pytest.MonkeyPatch, given: dict[str, object], expected: list[str]
) -> None:
    monkeypatch.setattr(Flake8Checker, "selection", Flake8Checker.selection)
    Flake8Checker.parse_options(options(**given))
    assert codes(BAD) == expected


def test_disable_noqa_turns_our_reader_off_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Flake8Checker, "read_noqa", True)
    monkeypatch.setattr(Flake8Checker, "selection", Flake8Checker.selection)
    source = BAD.replace("False)\n", "False)  # noqa\n")
    Flake8Checker.parse_options(options())
    assert "SST001" not in codes(source)
    Flake8Checker.parse_options(options(disable_noqa=True))
    assert "SST001" in codes(source)
