"""A process-wide guard: every ``as_strided`` made anywhere is checked.

While installed, numpy's own ``as_strided`` function object runs safestride's
check first: calls through ``numpy.lib.stride_tricks``, through names bound
earlier by ``from numpy.lib.stride_tricks import as_strided`` in any module,
and from numpy's internal callers such as ``sliding_window_view``. It works by
giving that one function object a new body, so every reference to it, however
old, is covered; `uninstall` gives the original body back.
"""

from __future__ import annotations

import contextlib
import copy
import sys
import textwrap
import threading
import types
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib import stride_tricks as _numpy_stride_tricks

from safestride.core.arguments import shape_and_strides, total_size_fits
from safestride.core.checks import check_request
from safestride.core.fastpath import fast_path, numpy_as_strided
from safestride.core.headline import headline
from safestride.errors import MisalignedError, StrideError, UnsafeViewWarning
from safestride.guard.callsite import find_call_site
from safestride.guard.report import Report, UnsafeView
from safestride.options import Bounds, Policy, parse_bounds, parse_policy

__all__ = [
    "GuardConfig",
    "Policy",
    "add_collector",
    "current_config",
    "guarded",
    "install",
    "is_installed",
    "remove_collector",
    "settle",
    "uninstall",
]


_HOOK_NAME = "_safestride_guarded_as_strided"


@dataclass(frozen=True)
class GuardConfig:
    """What the guard does with an unsafe view, and which bounds it checks."""

    policy: Policy
    bounds: Bounds


def _trampoline_code(function: types.FunctionType) -> types.CodeType:
    """The body `function` (numpy's ``as_strided``) gets while guarded.

    Generated with the function's own parameters, so calls bind as before
    (the function object keeps its defaults) and forward without packing
    ``*args``. Compiled from text because the name it calls lives in numpy's
    module globals, where `install` puts it.
    """
    code = function.__code__
    positional = code.co_varnames[: code.co_argcount]
    keyword_only = code.co_varnames[
        code.co_argcount : code.co_argcount + code.co_kwonlyargcount
    ]
    star = ["*", *keyword_only] if keyword_only else []
    parameters = ", ".join([*positional, *star])
    arguments = ", ".join([*positional, *(f"{k}={k}" for k in keyword_only)])
    source = (
        f"def {function.__name__}({parameters}):\n"
        "    __tracebackhide__ = True\n"
        f"    return {_HOOK_NAME}({arguments})\n"
    )
    module = compile(source, __file__, "exec")
    return next(c for c in module.co_consts if isinstance(c, types.CodeType))


_lock = threading.RLock()
_config: GuardConfig | None = None
_collectors: list[Report] = []
_session: Report | None = None
_originals: list[tuple[types.FunctionType, types.CodeType]] = []

# Calls checked, counted under a lock of their own (cheaper than the RLock);
# a report adds the calls made while it collected when it stops or settles.
_count_lock = threading.Lock()
_calls = [0]
_started: dict[int, int] = {}


def _settle(report: Report) -> None:
    """Add to `report.checked` the calls made since it started collecting."""
    with _count_lock:
        start = _started.get(id(report))
        if start is not None:
            report.checked += _calls[0] - start
            _started[id(report)] = _calls[0]


def _targets() -> list[types.FunctionType]:
    """numpy's as_strided function objects (one in every numpy we support)."""
    found: list[types.FunctionType] = []
    candidates = [_numpy_stride_tricks.as_strided]
    with contextlib.suppress(ImportError):
        from numpy.lib import _stride_tricks_impl

        candidates.append(_stride_tricks_impl.as_strided)
    for function in candidates:
        if isinstance(function, types.FunctionType) and function not in found:
            found.append(function)
    return found


def _found(error: StrideError, config: GuardConfig) -> None:
    """Record an unsafe view, then act on it as the policy says."""
    __tracebackhide__ = True  # pytest shows the user's line, not ours
    site = find_call_site(sys._getframe(1))
    with _lock:
        collectors = list(_collectors)
    recorded: UnsafeView | None = None
    for report in collectors:
        recorded = report.add(site, error)
    if config.policy == "raise" or isinstance(error, MisalignedError):
        located = copy.copy(error)  # the report keeps the message without the site
        source = textwrap.indent(site.source, "    ")
        located.args = (f"{error}\n  made at {site}\n{source}",)
        raise located from None
    if config.policy == "warn" and recorded is not None and recorded.count == 1:
        warnings.warn_explicit(
            UnsafeViewWarning(f"unsafe strided view: {headline(str(error))}"),
            UnsafeViewWarning,
            site.filename,
            site.lineno,
        )


def _guarded_as_strided(
    x: Any,
    shape: Any = None,
    strides: Any = None,
    subok: Any = False,
    writeable: Any = True,
    **extra: Any,
) -> Any:
    """numpy's as_strided, checked first. Installed into numpy's globals."""
    __tracebackhide__ = True
    config = _config
    if config is not None and extra.get("check_bounds") is not False:
        with _count_lock:
            _calls[0] += 1
        if all(value is None for value in extra.values()):  # numpy 2.5: check_bounds
            view = fast_path(x, shape, strides, subok, writeable, config.bounds)
            if view is not None:
                return view  # checked, and identical to numpy's view
        _check_in_full(x, shape, strides, subok, config)
    return numpy_as_strided(
        x, shape, strides, subok=subok, writeable=writeable, **extra
    )


def _check_in_full(
    x: Any, shape: Any, strides: Any, subok: Any, config: GuardConfig
) -> None:
    """Check a call the fast path did not settle; malformed calls are left to
    numpy, which raises its own error for them."""
    __tracebackhide__ = True
    try:
        array = np.asanyarray(x) if subok else np.asarray(x)
        new_shape, new_strides = shape_and_strides(
            shape, strides, array.shape, array.strides
        )
        total_size_fits(new_shape, array.itemsize)
    except (TypeError, ValueError):
        return
    try:
        check_request(
            array,
            new_shape,
            new_strides,
            bounds=config.bounds,
            writeable=False,
            stacklevel=2,
            warn=False,
        )
    except StrideError as error:
        _found(error, config)


def _validate(policy: object, bounds: object) -> GuardConfig:
    return GuardConfig(parse_policy(policy), parse_bounds(bounds))


def install(policy: str = "raise", bounds: str = "array") -> Report:
    """Check every ``as_strided`` call made anywhere in this process.

    Installing twice is harmless: the second call only changes the policy
    and bounds. Uninstall with `uninstall`, or use `guarded` for a block.

    Parameters
    ----------
    policy : {"raise", "warn", "record"}, optional
        What an unsafe view does: raise `OutOfBoundsError` at the line that
        asked for it, warn (once per line) and return numpy's view anyway, or
        only record it. Every unsafe view is recorded in the report whatever
        the policy. Misaligned object views always raise: they would crash.
    bounds : {"array", "buffer", "elements"}, optional
        What a view may touch (see `safestride.as_strided`).

    Returns
    -------
    Report
        The process-wide report: every unsafe view since the first install.

    Examples
    --------
    >>> import numpy as np
    >>> import safestride
    >>> report = safestride.install(policy="record")
    >>> x = np.arange(4.0)
    >>> _ = np.lib.stride_tricks.as_strided(x, shape=(8,), strides=(8,))
    >>> len(report) >= 1
    True
    >>> safestride.uninstall() is report
    True
    """
    global _config, _session
    config = _validate(policy, bounds)
    with _lock:
        if _session is None:
            _session = Report()
        if not _originals:
            for function in _targets():
                function.__globals__[_HOOK_NAME] = _guarded_as_strided
                _originals.append((function, function.__code__))
                function.__code__ = _trampoline_code(function)
            add_collector(_session)
        _config = config
        return _session


def uninstall() -> Report | None:
    """Give numpy's ``as_strided`` its own body back; return the session report.

    Harmless when the guard is not installed (returns None then).
    """
    global _config, _session
    with _lock:
        for function, code in _originals:
            function.__code__ = code
        _originals.clear()
        for report in list(_collectors):
            remove_collector(report)
        _config = None
        session, _session = _session, None
        return session


def add_collector(report: Report) -> None:
    """Have `report` receive every unsafe view from now on (while installed)."""
    with _lock:
        _collectors.append(report)
        with _count_lock:
            _started[id(report)] = _calls[0]


def remove_collector(report: Report) -> None:
    """Stop `report` receiving unsafe views; settle its count of checked calls."""
    with _lock:
        if report in _collectors:
            _settle(report)
            _collectors.remove(report)
            with _count_lock:
                _started.pop(id(report), None)


def settle(report: Report) -> None:
    """Bring ``report.checked`` up to date while it is still collecting."""
    _settle(report)


def is_installed() -> bool:
    """Whether the guard is checking calls right now."""
    return bool(_originals)


def current_config() -> GuardConfig | None:
    """The policy and bounds in force, or None when not installed."""
    return _config


@contextlib.contextmanager
def guarded(
    policy: str = "raise", bounds: str = "array", report: Report | None = None
) -> Iterator[Report]:
    """Guard a block of code; yield a report of the unsafe views made in it.

    Restores whatever was in force before: uninstalls if the guard was not
    installed, or restores the previous policy and bounds if it was.

    Parameters
    ----------
    policy, bounds : str, optional
        As for `install`.
    report : Report, optional
        Collect into this report instead of a new one.

    Examples
    --------
    >>> import numpy as np
    >>> from numpy.lib.stride_tricks import as_strided
    >>> from safestride import guarded
    >>> with guarded(policy="record") as report:
    ...     _ = as_strided(np.zeros(3), shape=(4,), strides=(8,))
    >>> [view.site.lineno > 0 for view in report]
    [True]
    """
    global _config
    config = _validate(policy, bounds)
    with _lock:
        was_installed = is_installed()
        previous = _config
        install(config.policy, config.bounds)
        collector = Report() if report is None else report
        add_collector(collector)
    try:
        yield collector
    finally:
        with _lock:
            remove_collector(collector)
            if not was_installed:
                uninstall()
            else:
                _config = previous
