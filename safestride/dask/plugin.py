"""The worker side: a plugin that guards one dask worker and keeps its findings.

Every worker runs `GuardPlugin.setup` when the plugin is registered, or when
it joins later: the guard opens a layer there (exactly what a `guarded` block
does in one process) with a report of its own. `GuardPlugin.teardown` closes
the layer and keeps what the report found as plain data (JSON-ready records,
see `findings`), for the client to take with `take_findings`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from distributed.core import Status
from distributed.diagnostics.plugin import WorkerPlugin

from safestride.guard import close_layer, open_layer, parse_config, state
from safestride.guard.report import Report
from safestride.guard.suppressions import Suppression
from safestride.options import DEFAULT_BOUNDS, DEFAULT_LIBRARY_BOUNDS, Bounds, Policy

if TYPE_CHECKING:
    from distributed import Worker

#: Names of the plugins whose client runs in this process. A worker in the
#: same process (threads) must not guard it: the guard is process-wide.
client_blocks: set[str] = set()

_lock = threading.Lock()
# (plugin name, worker address) -> the open layer and its report.
_open: dict[tuple[str, str], tuple[state.Layer, Report]] = {}
# (plugin name, worker address) -> findings kept for the client at teardown.
_finished: dict[tuple[str, str], dict[str, Any]] = {}


_CLOSING = (Status.closing, Status.closing_gracefully, Status.closed)


def findings(report: Report, worker: str) -> dict[str, Any]:
    """What `report` found on `worker`, as plain data for the client.

    Examples
    --------
    >>> findings(Report(checked=2), "tcp://127.0.0.1:4000")["checked"]
    2
    """
    return {
        "worker": worker,
        "checked": report.checked,
        "suppressed": dict(report.suppressed),
        "views": [{**view.to_dict(), "workers": [worker]} for view in report.views],
    }


def take_findings(name: str, dask_worker: Worker) -> dict[str, Any] | None:
    """The findings of plugin `name` on this worker, handed over once (run by
    the client with ``client.run``); None when it never guarded this worker.

    The layer is closed first if teardown has not closed it (unregistering
    failed half-way, say, because another worker died meanwhile).
    """
    key = (name, dask_worker.address)
    closed = _close(key)
    with _lock:
        kept = _finished.pop(key, None)
    if kept is None or closed is None:
        return closed if kept is None else kept
    return _merged(kept, closed)


def _merged(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """One worker's findings from two layers of the same plugin (registered
    again under its name: the worker tore the first down), as one."""
    suppressed = dict(first["suppressed"])
    for rule, count in second["suppressed"].items():
        suppressed[rule] = suppressed.get(rule, 0) + count
    return {
        "worker": first["worker"],
        "checked": first["checked"] + second["checked"],
        "suppressed": suppressed,
        "views": [*first["views"], *second["views"]],
    }


def _close(key: tuple[str, str]) -> dict[str, Any] | None:
    """Close the layer `key` opened; its findings, or None when none is open."""
    with _lock:
        found = _open.pop(key, None)
    if found is None:
        return None
    layer, report = found
    close_layer(layer)
    return findings(report, key[1])


def in_client_process(name: str) -> bool:
    """Whether the client that opened plugin `name` runs in this process."""
    return name in client_blocks


class GuardPlugin(WorkerPlugin):
    """Install the guard on every worker, with these settings.

    Register it with ``client.register_plugin(plugin)``; end it, and get the
    report, with `safestride.dask.unregister`. `safestride.dask.guarded` does
    both around a block. The options are those of `safestride.guarded`,
    checked here, in the client, before any worker sees them.

    Parameters
    ----------
    policy, bounds, library_bounds, suppressions : optional
        As for `safestride.install`.
    name : str, optional
        The plugin's name on the workers; a new unique one by default, so
        blocks can nest.

    Examples
    --------
    >>> plugin = GuardPlugin(policy="record")
    >>> plugin.config.policy, plugin.name.startswith("safestride-guard-")
    ('record', True)
    """

    idempotent = False

    def __init__(
        self,
        policy: Policy = "raise",
        bounds: Bounds = DEFAULT_BOUNDS,
        *,
        library_bounds: Bounds = DEFAULT_LIBRARY_BOUNDS,
        suppressions: Iterable[str | Suppression] = (),
        name: str | None = None,
    ) -> None:
        self.config = parse_config(policy, bounds, library_bounds, suppressions)
        if name is not None and not isinstance(name, str):
            raise TypeError(
                f"name must be a str naming the plugin on the workers; got "
                f"{type(name).__name__} {name!r}. Leave it out for a unique one."
            )
        self.name = name or f"safestride-guard-{uuid.uuid4().hex[:12]}"

    def setup(self, worker: Worker) -> None:
        """Open the guard's layer on `worker`, with a report of its own."""
        if in_client_process(self.name):
            return
        report = Report()
        layer = open_layer(self.config, report)
        with _lock:
            _open[(self.name, worker.address)] = (layer, report)
        worker.log_event(self.name, {"worker": worker.address, "guarded": True})

    def teardown(self, worker: Worker) -> None:
        """Close the layer; keep its findings for the client. A worker that
        is closing sends them to the scheduler's event log instead."""
        key = (self.name, worker.address)
        kept = _close(key)
        if kept is None:
            return
        if worker.status in _CLOSING:
            worker.log_event(self.name, {"worker": worker.address, "findings": kept})
        else:
            with _lock:
                earlier = _finished.get(key)
                _finished[key] = kept if earlier is None else _merged(earlier, kept)
