"""What numpy's ``as_strided`` does while guarded: make the view, check it.

The common call is settled by the fast path (checked and built in one
pass). Every other call is made by numpy's own code first, with `x`
converted once and `shape`/`strides` read once, so numpy's real behaviour
(omitted strides, iterators, lists, a stride of -2**63, its own errors) is
what gets checked: the check looks at the view numpy actually made, against
the array it actually viewed, before anyone can read it.
"""

from __future__ import annotations

import copy
import sys
import textwrap
import types
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from safestride.core.checks import check_request
from safestride.core.fastpath import fast_path
from safestride.errors import MisalignedError, StrideError, UnsafeViewWarning
from safestride.guard import state
from safestride.guard.callsite import find_call_site
from safestride.guard.report import UnsafeView


def _once(value: object) -> object:
    """`value` as numpy will read it (``tuple(value)``), read only once, so an
    iterator reaches numpy whole; None and unreadable values pass as they are
    (numpy raises its own error for the latter)."""
    if value is None or type(value) is tuple:
        return value
    try:
        return tuple(value)  # type: ignore[arg-type]
    except TypeError:
        return value


def _found(error: StrideError, config: state.GuardConfig) -> None:
    """Record an unsafe view, then act on it as the policy says."""
    __tracebackhide__ = True  # pytest shows the user's line, not ours
    site = find_call_site(sys._getframe(1))
    recorded: UnsafeView | None = None
    for report in state.collectors():
        recorded = report.add(site, error)
    if config.policy == "raise" or isinstance(error, MisalignedError):
        located = copy.copy(error)  # the report keeps the message without the site
        source = textwrap.indent(site.source, "    ")
        located.args = (f"{error}\n  made at {site}\n{source}",)
        raise located from None
    if config.policy == "warn" and recorded is not None and recorded.count == 1:
        warnings.warn_explicit(
            UnsafeViewWarning(f"unsafe strided view: {error.summary}"),
            UnsafeViewWarning,
            site.filename,
            site.lineno,
        )


def _check_made(
    array: npt.NDArray[Any], view: npt.NDArray[Any], config: state.GuardConfig
) -> None:
    __tracebackhide__ = True
    try:
        check_request(
            array,
            tuple(view.shape),
            tuple(view.strides),
            bounds=config.bounds,
            writeable=False,
            stacklevel=2,
            warn=False,
        )
    except StrideError as error:
        _found(error, config)


def make_hook(original: types.FunctionType) -> Callable[..., Any]:
    """The checked replacement body for numpy's function; `original` runs
    numpy's own code."""

    def guarded_as_strided(
        x: Any,
        shape: Any = None,
        strides: Any = None,
        subok: Any = False,
        writeable: Any = True,
        **extra: Any,
    ) -> Any:
        __tracebackhide__ = True
        config = state.config
        if config is None or extra.get("check_bounds") is False:
            return original(x, shape, strides, subok, writeable, **extra)
        state.count_call()
        if all(value is None for value in extra.values()):  # numpy 2.5: check_bounds
            view = fast_path(x, shape, strides, subok, writeable, config.bounds)
            if view is not None:
                return view  # checked, and identical to numpy's view
        try:
            array = np.asanyarray(x) if subok else np.asarray(x)
        except Exception:  # numpy's own conversion raises the same, its own way
            return original(x, shape, strides, subok, writeable, **extra)
        made = original(array, _once(shape), _once(strides), subok, writeable, **extra)
        _check_made(array, made, config)
        return made

    guarded_as_strided.__wrapped__ = original  # type: ignore[attr-defined]
    return guarded_as_strided
