"""Marking the public names with their public home, as numpy's ``set_module``.

``safestride.Report`` then prints as ``<class 'safestride.Report'>`` and
tracebacks say ``safestride.OutOfBoundsError``, not the module that happens to
define them, which may move.
"""

from __future__ import annotations

from typing import TypeVar

Public = TypeVar("Public")


def public(thing: Public) -> Public:
    """Give a public class or function ``safestride`` as its ``__module__``.

    Examples
    --------
    >>> @public
    ... class Example:
    ...     pass
    >>> Example
    <class 'safestride.Example'>
    """
    thing.__module__ = "safestride"
    return thing
