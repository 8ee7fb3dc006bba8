"""The line of ``%safestride``: what it asks for, checked by safestride's one
option parser. No IPython here, so it is tested on its own."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Literal

from safestride.options import (
    DEFAULT_BOUNDS,
    DEFAULT_LIBRARY_BOUNDS,
    Bounds,
    Policy,
    parse_bounds,
    parse_policy,
)

Action = Literal["on", "off", "report"]

ACTIONS: tuple[Action, ...] = ("on", "off", "report")
OPTIONS = ("--policy", "--bounds", "--library-bounds")
USAGE = (
    "usage: %safestride on [--policy raise|warn|record] "
    "[--bounds elements|array|buffer] [--library-bounds buffer|array|elements]"
    " | %safestride off | %safestride report"
)


class CommandError(ValueError):
    """A ``%safestride`` line that does not say what to do."""


@dataclass(frozen=True)
class Command:
    """What one ``%safestride`` line asks for.

    The defaults are `safestride.guarded`'s: the guard behaves as it does
    everywhere else unless the line says otherwise.
    """

    action: Action
    policy: Policy = "raise"
    bounds: Bounds = DEFAULT_BOUNDS
    library_bounds: Bounds = DEFAULT_LIBRARY_BOUNDS


def _refuse(problem: str) -> CommandError:
    return CommandError(f"{problem}\n{USAGE}")


def _options(words: list[str]) -> dict[str, str]:
    """``--name value`` and ``--name=value`` pairs, each name at most once."""
    found: dict[str, str] = {}
    position = 0
    while position < len(words):
        word = words[position]
        name, equals, value = word.partition("=")
        if name not in OPTIONS:
            what = "option" if word.startswith("-") else "argument"
            raise _refuse(
                f"%safestride on: unknown {what} {word!r}; the options are "
                f"{', '.join(OPTIONS)}."
            )
        if not equals:
            position += 1
            if position == len(words) or words[position].partition("=")[0] in OPTIONS:
                raise _refuse(f"%safestride on: {name} needs a value.")
            value = words[position]
        if name in found:
            raise _refuse(
                f"%safestride on: {name} given twice ({found[name]!r} and "
                f"{value!r}); give it once."
            )
        found[name] = value
        position += 1
    return found


def parse_command(line: str) -> Command:
    """Read a ``%safestride`` line.

    Parameters
    ----------
    line : str
        What follows ``%safestride``.

    Returns
    -------
    Command

    Raises
    ------
    CommandError
        The line names no action, an unknown one, an unknown option, or a
        value `safestride.options` refuses; the message names it and ends
        with the usage.

    Examples
    --------
    >>> parse_command("on --policy record --bounds=elements")
    Command(action='on', policy='record', bounds='elements', library_bounds='buffer')
    >>> parse_command("report").action
    'report'
    >>> parse_command("on --policy loud")
    Traceback (most recent call last):
    ...
    safestride.notebook.command.CommandError: --policy must be one of ...
    """
    try:
        words = shlex.split(line)
    except ValueError as error:
        raise _refuse(f"%safestride could not read {line!r}: {error}.") from None
    if not words:
        raise _refuse("%safestride needs an action: on, off or report.")
    word, *rest = words
    action = next((known for known in ACTIONS if known == word), None)
    if action is None:
        raise _refuse(
            f"%safestride: unknown action {word!r}; the actions are on, off and report."
        )
    if action != "on":
        if rest:
            raise _refuse(
                f"%safestride {action} takes no options; got {' '.join(rest)!r}."
            )
        return Command(action)
    given = _options(rest)
    try:
        return Command(
            "on",
            policy=parse_policy(given.get("--policy", "raise"), name="--policy"),
            bounds=parse_bounds(given.get("--bounds", DEFAULT_BOUNDS), name="--bounds"),
            library_bounds=parse_bounds(
                given.get("--library-bounds", DEFAULT_LIBRARY_BOUNDS),
                name="--library-bounds",
            ),
        )
    except ValueError as error:
        raise _refuse(str(error)) from None
