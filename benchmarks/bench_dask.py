"""What safestride.dask.guarded adds to a dask computation full of strided views.

The computation is a 2-D image filter on a chunked dask array: every chunk is
smoothed row by row, each row through numpy's ``sliding_window_view`` (one
``as_strided`` call per row, tens of thousands per computation), on a
LocalCluster of worker processes. The same computation runs without and
with the plugin, alternating in one run so machine noise hits both; the
script prints the median of each and the ratio guarded / unguarded (target
at most 1.05). Opening and closing the block (registering the plugin,
collecting the findings) is timed apart: it is paid once per block, not per
task.

    python benchmarks/bench_dask.py [--repeats 9] [--workers 2]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster
from numpy.lib.stride_tricks import sliding_window_view

import safestride.dask

SIDE, CHUNK, WIDTH = 4000, 500, 5


def smooth_rows(chunk: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Each row's moving mean over WIDTH samples: one view per row."""
    out = np.empty_like(chunk)
    for row, values in enumerate(chunk):
        windows = sliding_window_view(values, WIDTH)
        out[row, : windows.shape[0]] = windows.mean(axis=-1)
        out[row, windows.shape[0] :] = values[windows.shape[0] :]
    return out


def timed(work: da.Array) -> float:
    start = time.perf_counter()
    work.sum().compute()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    image = da.random.default_rng(0).standard_normal(
        (SIDE, SIDE), chunks=(CHUNK, CHUNK)
    )
    work = image.map_blocks(smooth_rows, dtype=float)
    with (
        LocalCluster(
            n_workers=options.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        timed(work)  # warm up: imports and first-call costs on every worker
        plain: list[float] = []
        guarded: list[float] = []
        blocks: list[float] = []
        checked = 0
        for _ in range(options.repeats):
            plain.append(timed(work))
            start = time.perf_counter()
            with safestride.dask.guarded(client, policy="raise") as report:
                guarded.append(timed(work))
            blocks.append(time.perf_counter() - start - guarded[-1])
            assert len(report) == 0, report.render()
            checked = report.checked
    a, g = statistics.median(plain), statistics.median(guarded)
    print(f"as_strided calls checked per computation: {checked}")
    print(f"workers: {options.workers}, repeats: {options.repeats}")
    print(f"unguarded: {a * 1e3:.1f} ms   guarded: {g * 1e3:.1f} ms (medians)")
    print(f"ratio guarded / unguarded: {g / a:.3f} (target at most 1.05)")
    print(f"opening + closing the block: {statistics.median(blocks) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
