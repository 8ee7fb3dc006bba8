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
from threading import get_ident
from typing import Any

import numpy as np
import numpy.typing as npt

from safestride.core.checks import check_request
from safestride.core.extent import (
    Allocation,
    address,
    array_span,
    find_allocation,
    view_extent,
)
from safestride.core.fastpath import fast_path
from safestride.core.violation import violation_of
from safestride.errors import (
    MisalignedError,
    OutOfBoundsError,
    StrideError,
    UnsafeViewWarning,
)
from safestride.guard import scope, state, suppressions
from safestride.guard.callsite import block_name, find_call_site
from safestride.options import Bounds


def _once(value: object) -> object:
    """`value` as numpy will read it (``tuple(value)``), read only once, so an
    iterator reaches numpy whole. What ``tuple()`` raises is what numpy would
    raise, and it propagates as it would from numpy."""
    if value is None or type(value) is tuple:
        return value
    return tuple(value)  # type: ignore[arg-type]


def _found(error: StrideError, config: state.GuardConfig) -> None:
    """Record an unsafe view in every collecting report, then act on it as
    the policy says: raise at the user's line, or warn the first time a
    report hears of an unsafe view from that line."""
    __tracebackhide__ = True  # pytest shows the user's line, not ours
    site = find_call_site(sys._getframe(1))
    new_line = False
    for report in state.collectors():
        new_line = report.record(site, error) or new_line
    if config.policy == "raise":
        located = copy.copy(error)  # the report keeps the message without the site
        source = textwrap.indent(site.source, "    ")
        located.args = (f"{error}\n  made at {site}\n{source}",)
        located.site = site
        raise located from None
    if config.policy == "warn" and new_line:
        warnings.warn_explicit(
            UnsafeViewWarning(f"unsafe strided view: {error.summary}"),
            UnsafeViewWarning,
            block_name(site.filename) or site.filename,  # a notebook's "Cell In[4]"
            site.lineno,
        )


def _check(array: npt.NDArray[Any], view: npt.NDArray[Any], bounds: Bounds) -> None:
    """Check `view` against `array` as numpy itself sees both: through plain
    ndarray views, past any subclass's shape, strides or nbytes properties."""
    plain = np.ndarray.view(array, np.ndarray)
    made = np.ndarray.view(view, np.ndarray)
    offset = address(made) - address(plain)
    if offset:  # x's __array_interface__ put the view elsewhere
        _check_shifted(plain, made, offset, bounds)
        return
    check_request(
        plain,
        made.shape,
        made.strides,
        bounds=bounds,
        writeable=bool(made.flags.writeable),  # what object memory can suffer
        stacklevel=3,
        warn=False,
    )


def _check_shifted(
    plain: npt.NDArray[Any], made: npt.NDArray[Any], offset: int, bounds: Bounds
) -> None:
    """A view that does not start at x's first element, measured from its own
    start (the element level needs a common start, so the span is used)."""
    if bounds == "buffer":
        allowed = find_allocation(made)
    else:
        span = array_span(plain)
        allowed = Allocation(span.low - offset, span.high - offset, span.owner)
    extent = view_extent(made.shape, made.strides, made.itemsize)
    if not allowed.holds(extent):
        found = violation_of(
            made.shape,
            made.strides,
            made.dtype,
            source=None,
            bounds=bounds,
            allowed=allowed,
        )
        raise OutOfBoundsError(found)


def _check_made(
    array: npt.NDArray[Any], view: npt.NDArray[Any], config: state.GuardConfig
) -> None:
    """Check the view numpy made; on a finding, weigh who asked for it."""
    __tracebackhide__ = True
    try:
        _check(array, view, config.bounds)
    except StrideError as error:
        _weigh(error, array, view, config)


def _weigh(
    error: StrideError,
    array: npt.NDArray[Any],
    view: npt.NDArray[Any],
    config: state.GuardConfig,
) -> None:
    """Report `error` unless an installed library asked for a view inside its
    own allocation, or a suppression names the caller. A view that could
    crash the interpreter is reported whoever asked."""
    __tracebackhide__ = True
    if not isinstance(error, MisalignedError):
        caller = scope.asking_frame(sys._getframe(2))
        if config.library_bounds != config.bounds and scope.caller_is_library(caller):
            try:
                _check(array, view, config.library_bounds)
            except StrideError as strict_enough:
                error = strict_enough
            else:
                return
        module, function = scope.module_and_function(caller)
        rule = suppressions.matching(config.suppressions, module, function)
        if rule is not None:
            for report in state.collectors():
                report.add_suppressed(rule.name)
            return
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
        # numpy 2.5's check_bounds=False is checked too: a sanitizer does not
        # take the program's word for it (docs/guard.rst says why).
        if config is None:
            return original(x, shape, strides, subok, writeable, **extra)
        if state.thread_configs:  # a thread with a guarded() block of its own
            config = state.thread_configs.get(get_ident(), config)
        state.count_call()
        if not extra or all(value is None for value in extra.values()):
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
