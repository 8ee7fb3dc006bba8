"""The client side: guard a cluster's workers for a block, merge what they found.

Findings come back when the block ends, pulled by the client: the plugin is
unregistered first (every worker closes its layer, so nothing made after the
block is recorded), then ``client.run`` hands over each worker's findings as
plain JSON-ready data, merged here into one report. Pulling once at the end
costs the computation nothing (no message per unsafe view), and plain
records need no safestride class to match between client and workers. A
worker that leaves the cluster gracefully sends its findings to the
scheduler's event log as it closes; one that dies is named in the report as
lost, its findings missing.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import distributed

from safestride.dask.plugin import (
    GuardPlugin,
    client_blocks,
    in_client_process,
    take_findings,
)
from safestride.guard.report import Report
from safestride.guard.suppressions import Suppression
from safestride.options import DEFAULT_BOUNDS, DEFAULT_LIBRARY_BOUNDS, Bounds, Policy

if TYPE_CHECKING:
    from distributed import Client


@dataclass
class ClusterReport(Report):
    """A `Report` merged from the workers of a cluster.

    Each view names the workers that made it (``view.workers``).

    Attributes
    ----------
    workers : list of str
        The workers whose findings are in the report.
    lost_workers : list of str
        Workers that were guarded but left without handing their findings
        over (killed, or crashed): what they found is missing.

    Examples
    --------
    >>> lost = ClusterReport(checked=4, uncounted=1, lost_workers=["tcp://10.0.0.7:4000"])
    >>> print(lost.summary())
    safestride: no unsafe views (at least 4 as_strided calls checked: 1 process
    ended before counting its own); lost before reporting: tcp://10.0.0.7:4000
    """

    workers: list[str] = field(default_factory=list)
    lost_workers: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """As `Report.summary`, naming the workers whose findings are lost."""
        line = super().summary()
        if not self.lost_workers:
            return line
        return f"{line}; lost before reporting: {', '.join(self.lost_workers)}"

    def add_findings(self, found: dict[str, Any]) -> None:
        """Merge one worker's findings (see `safestride.dask.plugin.findings`)."""
        self.workers.append(found["worker"])
        self.checked += found["checked"]
        for rule, count in found["suppressed"].items():
            self.add_suppressed(rule, count)
        self.merge(found["views"])


def _check_client(client: object) -> None:
    if not isinstance(client, distributed.Client):
        raise TypeError(
            f"client must be a distributed.Client; got {type(client).__name__} "
            f"{client!r}. Make one with Client(cluster) or Client(address)."
        )
    if client.asynchronous:
        raise TypeError(
            "client is asynchronous (Client(..., asynchronous=True)): "
            "safestride.dask.guarded is a plain `with` block and needs a "
            "synchronous client. Open a second, synchronous Client to the same "
            "scheduler for it."
        )


def _refuse_workers_in_this_process(client: Client, name: str) -> None:
    run: Callable[..., dict[str, bool]] = client.run
    sharing = sorted(
        address for address, same in run(in_client_process, name).items() if same
    )
    if sharing:
        raise ValueError(
            f"client: its workers {', '.join(sharing)} run in this process, as "
            f"threads (Client(processes=False) or LocalCluster(processes=False)). "
            f"The guard is process-wide: on them it would also check this "
            f"process's own code and could not tell the workers apart. Put "
            f"`with safestride.guarded(...)` around the computation instead (it "
            f"covers every thread of this process, those workers included), or "
            f"start the cluster with processes=True."
        )


def _guarded_workers(
    client: Client, name: str
) -> tuple[set[str], list[dict[str, Any]]]:
    """(every worker the plugin guarded, findings sent by those that closed),
    from the scheduler's event log."""
    events: Callable[[str], Iterable[tuple[float, dict[str, Any]]]] = client.get_events
    guarded: set[str] = set()
    closed: list[dict[str, Any]] = []
    for _, event in events(name):
        guarded.add(event["worker"])
        if "findings" in event:
            closed.append(event["findings"])
    return guarded, closed


def unregister(
    client: Client, plugin: GuardPlugin, report: ClusterReport | None = None
) -> ClusterReport:
    """Remove `plugin` from every worker; return what the workers found.

    Parameters
    ----------
    client : distributed.Client
        The client `plugin` was registered with.
    plugin : GuardPlugin
        The plugin to end.
    report : ClusterReport, optional
        Merge into this report instead of a new one.

    Returns
    -------
    ClusterReport
        Every unsafe view every guarded worker made, merged.
    """
    _check_client(client)
    if not isinstance(plugin, GuardPlugin):
        raise TypeError(
            f"plugin must be the GuardPlugin registered with client; got "
            f"{type(plugin).__name__} {plugin!r}."
        )
    remove: Callable[[str], object] = client.unregister_worker_plugin
    run: Callable[..., dict[str, Any]] = client.run
    # A worker that died fails the whole call; take_findings closes the rest.
    with contextlib.suppress(Exception):
        remove(plugin.name)
    answers = run(take_findings, plugin.name, on_error="return")
    guarded, closed = _guarded_workers(client, plugin.name)
    report = ClusterReport() if report is None else report
    for found in closed:
        report.add_findings(found)
    for address in sorted(answers):
        found = answers[address]
        if isinstance(found, dict):
            report.add_findings(found)
    report.lost_workers = sorted(guarded - set(report.workers))
    report.uncounted += len(report.lost_workers)
    return report


@contextlib.contextmanager
def guarded(
    client: Client,
    policy: Policy = "raise",
    bounds: Bounds = DEFAULT_BOUNDS,
    *,
    library_bounds: Bounds = DEFAULT_LIBRARY_BOUNDS,
    suppressions: Iterable[str | Suppression] = (),
) -> Iterator[ClusterReport]:
    """Guard every worker of `client`'s cluster for a block; yield its report.

    The guard is installed on every worker now, and on every worker that
    joins while the block runs, with these settings; when the block ends
    (also by an exception), it is uninstalled from every worker and the
    yielded report is filled with what they all found: one entry per call
    site, naming the workers that made it. Code in this (the client's)
    process is not guarded: use `safestride.guarded` for that.

    Parameters
    ----------
    client : distributed.Client
        A client of the cluster; its workers must run in other processes.
    policy, bounds, library_bounds, suppressions : optional
        As for `safestride.guarded`. With ``policy="raise"``, a task that
        makes an unsafe view fails with the safestride error, and the client
        sees it as that task's exception.

    Yields
    ------
    ClusterReport
        Empty until the block ends.

    Raises
    ------
    ValueError
        A bad option (named), or workers that run in this process.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from distributed import Client, LocalCluster
    >>> import safestride.dask
    >>> cluster = LocalCluster(n_workers=1, processes=True, dashboard_address=None)
    >>> client = Client(cluster)
    >>> x = da.arange(12.0, chunks=6)
    >>> pairs = x.map_blocks(
    ...     lambda b: np.lib.stride_tricks.sliding_window_view(b, 2).sum(-1)[:1],
    ...     chunks=(1,), dtype=float)
    >>> with safestride.dask.guarded(client, policy="record") as report:
    ...     print(pairs.compute())
    [ 1. 13.]
    >>> print(report.summary())
    safestride: no unsafe views (2 as_strided calls checked)
    >>> client.close(); cluster.close()
    """
    _check_client(client)
    plugin = GuardPlugin(
        policy, bounds, library_bounds=library_bounds, suppressions=suppressions
    )
    report = ClusterReport()
    client_blocks.add(plugin.name)
    try:
        _refuse_workers_in_this_process(client, plugin.name)
        register: Callable[[GuardPlugin], object] = client.register_plugin
        try:
            # Registering can fail half-way (one worker's setup fails, or
            # Ctrl-C): the workers already guarded must be unguarded then too.
            register(plugin)
            yield report
        except BaseException:
            try:
                unregister(client, plugin, report)
            except Exception as error:  # the block's own error matters more
                warnings.warn(
                    f"safestride.dask: could not collect the workers' findings "
                    f"after the block failed: {error}",
                    RuntimeWarning,
                    stacklevel=3,
                )
            raise
        unregister(client, plugin, report)
    finally:
        client_blocks.discard(plugin.name)
