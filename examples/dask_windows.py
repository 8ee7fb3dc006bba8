"""The guard on a dask cluster: every worker checked, one report on the client.

A long signal is cut into chunks on a two-process LocalCluster. One step
smooths it with numpy's sliding_window_view (safe); the other frames each
chunk by hand with one frame too many, an off-by-one that numpy lets through
and that reads a sample past the end of every chunk.

Run: python examples/dask_windows.py   (needs: pip install "safestride[dask]")
"""

from __future__ import annotations

from typing import Any

import dask.array as da
import numpy as np
from distributed import Client, LocalCluster
from numpy.lib.stride_tricks import as_strided, sliding_window_view

import safestride.dask

Array = np.ndarray[Any, np.dtype[np.float64]]
WIDTH = 4


def smooth(chunk: Array) -> Array:
    """The mean of every window of 3 samples, padded back to the chunk's size."""
    return np.pad(sliding_window_view(chunk, 3).mean(axis=-1), 1)


def loudest_frame(chunk: Array) -> Array:
    """The largest sum over WIDTH consecutive samples: one frame too many."""
    frames = as_strided(  # noqa: SST001,SST004  the bug the guard finds
        chunk,
        shape=(chunk.size - WIDTH + 2, WIDTH),
        strides=(chunk.strides[0], chunk.strides[0]),
    )
    return frames.sum(axis=1).max(keepdims=True)


def main() -> None:
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        signal = da.from_array(np.sin(np.arange(4000.0) / 50.0), chunks=500)
        with safestride.dask.guarded(client, policy="record") as report:
            smoothed = signal.map_overlap(
                smooth, depth=1, boundary=0, dtype=float
            ).compute()
            loudest = signal.map_blocks(
                loudest_frame, chunks=(1,), dtype=float
            ).compute()
        print(f"smoothed {smoothed.size} samples; loudest frames: {loudest.size}")
        print(report.render())


if __name__ == "__main__":
    main()
