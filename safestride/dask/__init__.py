"""The guard on every worker of a dask.distributed cluster.

``with safestride.dask.guarded(client, policy="record") as report:`` installs
the guard on every worker the client's scheduler has, and on every worker that
joins while the block runs; when the block ends, it uninstalls it and fills
`report` with what every worker found. Needs the ``dask`` extra:
``pip install "safestride[dask]"``. ``import safestride`` never imports dask:
import this module yourself.
"""

from __future__ import annotations

try:
    import distributed as _distributed  # noqa: F401  the extra is installed
except ImportError as error:  # pragma: no cover - tested in a child process
    raise ImportError(
        "safestride.dask needs dask.distributed, which is not installed. "
        'Install the extra: pip install "safestride[dask]".'
    ) from error

from safestride.dask.cluster import ClusterReport, guarded, unregister
from safestride.dask.plugin import GuardPlugin

__all__ = ["ClusterReport", "GuardPlugin", "guarded", "unregister"]
