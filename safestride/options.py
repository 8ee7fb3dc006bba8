"""The words safestride's options take, and the one parser that checks them.

Free of numpy: the command line, the linter and the inactive pytest plugin
import it without loading numpy. Every place that takes ``bounds``,
``policy`` or the plugin's mode (a keyword argument, ``--bounds``, an ini
value, a marker keyword) checks it here, so they all accept the same words
and refuse the rest in the same terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypeVar

Bounds = Literal["array", "buffer", "elements"]
Policy = Literal["raise", "warn", "record"]
PluginMode = Literal["raise", "warn", "off"]

Choice = TypeVar("Choice", bound=str)

#: What each ``bounds`` lets a view touch.
BOUNDS_MEANINGS: Mapping[Bounds, str] = {
    "array": "keeps the view inside x",
    "buffer": "inside the allocation x lives in",
    "elements": "on the elements of x exactly",
}
#: What the guard does with an unsafe view under each ``policy``.
POLICY_MEANINGS: Mapping[Policy, str] = {
    "raise": "stops at the first unsafe view",
    "warn": "warns once per line",
    "record": "only collects them in the report",
}
#: What ``pytest --safestride=MODE`` does with a test that makes an unsafe view.
PLUGIN_MODE_MEANINGS: Mapping[PluginMode, str] = {
    "raise": "fails the test",
    "warn": "warns and lets it pass",
    "off": "checks nothing",
}

BOUNDS_CHOICES: tuple[Bounds, ...] = tuple(BOUNDS_MEANINGS)
#: What a view made by the user's own code is held to when ``bounds`` is
#: omitted: by the drop-in ``as_strided``, the guard, ``safestride run`` and
#: the pytest plugin alike.
DEFAULT_BOUNDS: Bounds = "elements"
#: What the guard holds a view made by installed code (site-packages, the
#: standard library, numpy) to when ``library_bounds`` is omitted.
DEFAULT_LIBRARY_BOUNDS: Bounds = "buffer"
POLICIES: tuple[Policy, ...] = tuple(POLICY_MEANINGS)
PLUGIN_MODES: tuple[PluginMode, ...] = tuple(PLUGIN_MODE_MEANINGS)


def choose(value: object, meanings: Mapping[Choice, str], *, name: str) -> Choice:
    """Return `value` as one of the words in `meanings`, or raise naming `name`.

    Only a real ``str`` equal to a word is accepted: ``b"array"`` or an
    object comparing equal to a string are refused like any other typo.

    Parameters
    ----------
    value : object
        What the user passed.
    meanings : mapping of str to str
        The accepted words, each with what it does (quoted in the error).
    name : str
        The argument as the user wrote it: ``"bounds"``, ``"--policy"``...

    Returns
    -------
    str
        The accepted word.

    Raises
    ------
    ValueError
        `value` is not one of the words; the message lists them with their
        meanings.

    Examples
    --------
    >>> choose("warn", POLICY_MEANINGS, name="policy")
    'warn'
    >>> choose("loud", POLICY_MEANINGS, name="policy")
    Traceback (most recent call last):
    ...
    ValueError: policy must be one of 'raise', 'warn', 'record'; got 'loud': ...
    """
    if isinstance(value, str):
        for word in meanings:
            if value == word:
                return word
    listed = ", ".join(map(repr, meanings))
    explained = ", ".join(f"{word!r} {meaning}" for word, meaning in meanings.items())
    raise ValueError(f"{name} must be one of {listed}; got {value!r}: {explained}.")


def parse_bounds(value: object, *, name: str = "bounds") -> Bounds:
    """Check a ``bounds`` value (see `choose`)."""
    return choose(value, BOUNDS_MEANINGS, name=name)


def parse_policy(value: object, *, name: str = "policy") -> Policy:
    """Check a guard ``policy`` value (see `choose`)."""
    return choose(value, POLICY_MEANINGS, name=name)


def parse_plugin_mode(value: object, *, name: str = "--safestride") -> PluginMode:
    """Check the pytest plugin's mode (see `choose`)."""
    return choose(value, PLUGIN_MODE_MEANINGS, name=name)
