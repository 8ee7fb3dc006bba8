"""The guard's process-wide state: who asked for it, with which settings,
and which reports collect what it finds.

Every `install` and every open `guarded` block is a *layer*. The guard is on
while any layer is, so blocks may close in any order (two threads, or a
generator left open) without switching the guard off under another block.
A thread with a `guarded` block of its own open is held to the settings of
its newest one: another thread's block never loosens (or tightens) it. Any
other thread is held to the newest layer still open.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass

from safestride.guard.report import Report
from safestride.guard.suppressions import BUILT_IN, Suppression
from safestride.options import Bounds, Policy


@dataclass(frozen=True)
class GuardConfig:
    """What the guard does with an unsafe view, and which bounds it checks.

    `bounds` holds the user's own code; `library_bounds` the code of
    installed packages (see `safestride.guard.scope`); `suppressions` are
    the known-benign call sites not reported (but counted).
    """

    policy: Policy
    bounds: Bounds
    library_bounds: Bounds = "buffer"
    suppressions: tuple[Suppression, ...] = BUILT_IN


@dataclass(frozen=True)
class Layer:
    """One request for the guard: an `install` or an open `guarded` block."""

    number: int
    config: GuardConfig
    collector: Report | None
    thread: int | None = None  # the thread a guarded() block belongs to


lock = threading.RLock()
_layers: list[Layer] = []
_numbers = itertools.count(1)
_collectors: list[Report] = []

#: The settings in force, read without the lock on every checked call.
config: GuardConfig | None = None
#: The settings of each thread's newest own block; rebound whole, never
#: changed in place, so a checked call reads it without the lock.
thread_configs: dict[int, GuardConfig] = {}


def _settle_configs() -> None:
    """Recompute `config` and `thread_configs` from the open layers."""
    global config, thread_configs
    own: dict[int, GuardConfig] = {}
    for layer in _layers:
        if layer.thread is not None:
            own[layer.thread] = layer.config
    thread_configs = own
    config = _layers[-1].config if _layers else None


def config_for(thread: int) -> GuardConfig | None:
    """The settings a call made in `thread` is held to now."""
    shared = config
    if shared is None:
        return None
    return thread_configs.get(thread, shared)


# Calls checked. Counting is one next() on an itertools.count: a single C
# call, so no thread or signal handler loses a count, and no lock is taken on
# the hot path. Reading the total takes a number from the counter too, so
# reads are counted (under _count_lock, reentrant for signal handlers) and
# taken off. A report adds the calls made while it collected when it stops
# or settles.
_counter = itertools.count()
_count_lock = threading.RLock()
_reads = [0]
_started: dict[int, int] = {}


def count_call() -> None:
    """Count one checked ``as_strided`` call."""
    next(_counter)


def _calls_so_far() -> int:
    """The calls counted since the process started (hold _count_lock)."""
    drawn = next(_counter)  # every call so far, plus every earlier read
    calls = drawn - _reads[0]
    _reads[0] += 1
    return calls


def push(
    layer_config: GuardConfig, collector: Report | None, thread: int | None = None
) -> Layer:
    """Open a layer with these settings; its `collector` starts collecting.
    A `thread` makes it that thread's own (a `guarded` block)."""
    with lock:
        layer = Layer(next(_numbers), layer_config, collector, thread)
        _layers.append(layer)
        if collector is not None:
            add_collector(collector)
        _settle_configs()
        return layer


def pop(layer: Layer) -> bool:
    """Close `layer`, wherever it is in the stack; True when none is left."""
    with lock:
        if layer in _layers:
            _layers.remove(layer)
            if layer.collector is not None and not any(
                other.collector is layer.collector for other in _layers
            ):
                remove_collector(layer.collector)
        _settle_configs()
        return not _layers


def pop_all() -> None:
    """Close every layer and stop every collector."""
    with lock:
        _layers.clear()
        for report in list(_collectors):
            remove_collector(report)
        _settle_configs()


def layers() -> tuple[Layer, ...]:
    """The open layers, oldest first."""
    with lock:
        return tuple(_layers)


def collectors() -> list[Report]:
    """The reports collecting right now."""
    with lock:
        return list(_collectors)


def add_collector(report: Report) -> None:
    """Have `report` receive every unsafe view from now on (while installed)."""
    if not isinstance(report, Report):
        raise TypeError(
            f"report must be a safestride Report; got {type(report).__name__} "
            f"{report!r}. Leave it out to get a new one, or pass a Report()."
        )
    with lock:
        if any(report is other for other in _collectors):
            return
        _collectors.append(report)
        with _count_lock:
            _started[id(report)] = _calls_so_far()


def remove_collector(report: Report) -> None:
    """Stop `report` receiving unsafe views; settle its count of checked calls."""
    with lock:
        for position, other in enumerate(_collectors):
            if other is report:
                settle(report)
                del _collectors[position]
                with _count_lock:
                    _started.pop(id(report), None)
                return


def settle(report: Report) -> None:
    """Add to ``report.checked`` the calls made since it started collecting."""
    with _count_lock:
        start = _started.get(id(report))
        if start is not None:
            now = _calls_so_far()
            report.checked += now - start
            _started[id(report)] = now
