"""Reading a ``%safestride`` line."""

from __future__ import annotations

import inspect

import pytest

from safestride.guard import guarded
from safestride.notebook.command import USAGE, Command, CommandError, parse_command


def test_defaults_are_the_guards_own() -> None:
    defaults = inspect.signature(guarded).parameters
    command = Command("on")
    assert command.policy == defaults["policy"].default
    assert command.bounds == defaults["bounds"].default
    assert command.library_bounds == defaults["library_bounds"].default


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("on", Command("on")),
        ("  on  ", Command("on")),
        ("on --policy record", Command("on", policy="record")),
        ("on --policy=warn --bounds elements", Command("on", "warn", "elements")),
        (
            "on --library-bounds array --bounds buffer",
            Command("on", bounds="buffer", library_bounds="array"),
        ),
        ("off", Command("off")),
        ("report", Command("report")),
    ],
)
def test_lines_it_reads(line: str, expected: Command) -> None:
    assert parse_command(line) == expected


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("", "needs an action: on, off or report"),
        ("start", "unknown action 'start'"),
        ("ON", "unknown action 'ON'"),
        ("on --policy loud", "--policy must be one of 'raise', 'warn', 'record'"),
        ("on --bounds=everything", "--bounds must be one of 'array'"),
        ("on --library-bounds nowhere", "--library-bounds must be one of"),
        ("on --polcy record", "unknown option '--polcy'"),
        ("on record", "unknown argument 'record'"),
        ("on --policy", "--policy needs a value"),
        ("on --policy --bounds array", "--policy needs a value"),
        ("on --bounds --policy=raise", "--bounds needs a value"),
        ("on --policy raise --policy record", "--policy given twice"),
        ("off --policy record", "off takes no options; got '--policy record'"),
        ("report now", "report takes no options"),
        ("on --policy 'record", "could not read"),
    ],
)
def test_bad_lines_name_what_is_wrong_and_show_the_usage(line: str, named: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse_command(line)
    assert named in str(caught.value)
    assert str(caught.value).endswith(USAGE)


def test_a_value_that_is_not_a_word_is_refused_like_a_typo() -> None:
    with pytest.raises(CommandError, match=r"got 'réçord'"):
        parse_command("on --policy réçord")
