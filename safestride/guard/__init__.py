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
import threading
from collections.abc import Iterable, Iterator

from safestride._public import public
from safestride.guard import patch, state
from safestride.guard.hook import make_hook
from safestride.guard.patch import GuardInstallError
from safestride.guard.report import Report
from safestride.guard.state import (
    GuardConfig,
    add_collector,
    remove_collector,
    settle,
)
from safestride.guard.suppressions import Suppression, rules
from safestride.options import (
    DEFAULT_BOUNDS,
    DEFAULT_LIBRARY_BOUNDS,
    Bounds,
    Policy,
    parse_bounds,
    parse_policy,
)

__all__ = [
    "GuardConfig",
    "GuardInstallError",
    "Policy",
    "Suppression",
    "add_collector",
    "close_layer",
    "current_config",
    "guarded",
    "install",
    "is_installed",
    "open_layer",
    "parse_config",
    "remove_collector",
    "settle",
    "uninstall",
]


_session: Report | None = None
_install_layer: state.Layer | None = None


def parse_config(
    policy: object,
    bounds: object,
    library_bounds: object,
    suppressions: Iterable[str | Suppression],
) -> GuardConfig:
    """Check the options of `install` and `guarded` (naming a bad one); bundle them."""
    return GuardConfig(
        parse_policy(policy),
        parse_bounds(bounds),
        parse_bounds(library_bounds, name="library_bounds"),
        rules(suppressions),
    )


@public
def install(
    policy: Policy = "raise",
    bounds: Bounds = DEFAULT_BOUNDS,
    *,
    library_bounds: Bounds = DEFAULT_LIBRARY_BOUNDS,
    suppressions: Iterable[str | Suppression] = (),
) -> Report:
    """Check every ``as_strided`` call made anywhere in this process.

    Installing twice is harmless: the second call only changes the policy
    and bounds. Uninstall with `uninstall`, or use `guarded` for a block.
    If numpy's function has been replaced by something that does not lead
    back to it (a mock without ``wraps=``, a wrapper without ``__wrapped__``),
    raises `GuardInstallError` rather than check nothing.

    Parameters
    ----------
    policy : {"raise", "warn", "record"}, optional
        What an unsafe view does: raise `OutOfBoundsError` at the line that
        asked for it, warn (once per line) and return numpy's view anyway, or
        only record it. Every unsafe view is recorded in the report whatever
        the policy, views over Python object pointers (`MisalignedError`)
        included: under "warn" and "record" the guard never raises.
    bounds : {"elements", "array", "buffer"}, optional
        What a view made by your own code may touch (see
        `safestride.as_strided`): by default its elements exactly, as for
        the drop-in ``as_strided``.
    library_bounds : {"buffer", "array", "elements"}, optional
        What a view made by installed code (site-packages, the standard
        library, numpy) may touch. Libraries reach into their own allocation
        on purpose (``scipy.linalg.toeplitz`` walks back from a slice), so
        by default they are held only to the owning buffer.
    suppressions : list of str or Suppression, optional
        Known-benign call sites, ``"module:function  # reason"``, not reported
        but counted in the report, on top of the built-in list
        (`safestride.guard.suppressions.BUILT_IN`).

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
    global _session, _install_layer
    config = parse_config(policy, bounds, library_bounds, suppressions)
    with state.lock:
        patch.patch(make_hook)
        if _session is None:
            _session = Report()
        if _install_layer is not None:
            state.pop(_install_layer)
        _install_layer = state.push(config, _session)
        return _session


@public
def uninstall() -> Report | None:
    """Give numpy's ``as_strided`` its own body back; return the session report.

    Ends every `install` and open `guarded` block. Harmless when the guard is
    not installed (returns None then).
    """
    global _session, _install_layer
    with state.lock:
        patch.unpatch()
        state.pop_all()
        _install_layer = None
        session, _session = _session, None
        return session


@public
def is_installed() -> bool:
    """Whether the guard is checking calls right now."""
    return patch.is_patched()


def current_config() -> GuardConfig | None:
    """The policy and bounds in force in this thread, or None when not
    installed."""
    return state.config_for(threading.get_ident())


@public
@contextlib.contextmanager
def guarded(
    policy: Policy = "raise",
    bounds: Bounds = DEFAULT_BOUNDS,
    report: Report | None = None,
    *,
    library_bounds: Bounds = DEFAULT_LIBRARY_BOUNDS,
    suppressions: Iterable[str | Suppression] = (),
) -> Iterator[Report]:
    """Guard a block of code; yield a report of the unsafe views made in it.

    While the block runs, its policy and bounds are in force in the thread
    that opened it (and in threads with no block of their own); when it
    ends, those of the newest block still open (or of `install`) are again,
    and the guard uninstalls itself when nothing else asked for it. Blocks
    may end in any order: one ending never switches the guard off under
    another (in another thread, say), and another thread's block never
    changes the level this thread's block holds its views to.

    Parameters
    ----------
    policy, bounds, library_bounds, suppressions : optional
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
    config = parse_config(policy, bounds, library_bounds, suppressions)
    collector = Report() if report is None else report
    if not isinstance(collector, Report):
        raise TypeError(
            f"report must be a safestride Report; got {type(report).__name__} "
            f"{report!r}. Leave it out to get a new one."
        )
    layer = open_layer(config, collector, threading.get_ident())
    try:
        yield collector
    finally:
        close_layer(layer)


def open_layer(
    config: GuardConfig, collector: Report | None, thread: int | None = None
) -> state.Layer:
    """Switch the guard on with `config` in force; `collector` collects until
    `close_layer` (the body of `guarded`, for blocks that are not ``with``).
    A `thread` (``threading.get_ident()``) holds that thread to `config`
    whatever layers other threads open; without one, `config` is in force
    in every thread that has no layer of its own."""
    with state.lock:
        patch.patch(make_hook)
        return state.push(config, collector, thread)


def close_layer(layer: state.Layer) -> None:
    """End `layer`; uninstall the guard when no other layer is open."""
    with state.lock:
        if state.pop(layer):
            patch.unpatch()
