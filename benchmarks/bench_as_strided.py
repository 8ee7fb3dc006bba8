"""safestride's checked as_strided against numpy's unchecked one, side by side.

Prints, for each workload, the best-of-N time per call of both and the ratio
safestride / numpy (<= 1.0 means the checked call is no slower). Both are
measured alternately in the same process, so machine noise hits both alike.

    python benchmarks/bench_as_strided.py [--repeat 15] [--number 20000]
"""

from __future__ import annotations

import argparse
import statistics
import timeit
import warnings
from collections.abc import Callable

import numpy as np
from numpy.lib.stride_tricks import as_strided as numpy_as_strided

import safestride

Call = Callable[[], object]

#: The workloads the target (ratio <= 1.0) is about; the others show where
#: the checked call costs more: an input that is not one contiguous block
#: (a strided slice, every other row and column) leaves no cheaper way than
#: numpy's own to make the view. Every call runs at the default level,
#: ``bounds="elements"``: each view is proven to read only x's elements.
TARGET = ("1-D frames", "2-D windows", "4-D windows")


def workloads() -> dict[str, tuple[Call, Call]]:
    """name -> (safestride call, numpy call), each making the same view."""
    signal = np.arange(10_000, dtype=np.float64)
    frames = (signal.size - 256 + 1, 256)
    frame_strides = (signal.strides[0], signal.strides[0])

    image = np.zeros((64, 64), dtype=np.float32)
    win2 = (62, 62, 3, 3)
    win2_strides = image.strides * 2

    batch = np.zeros((8, 16, 32, 32), dtype=np.float32)
    n, c, h, w = batch.shape
    win4 = (n, c, h - 2, w - 2, 3, 3)
    s = batch.strides
    win4_strides = (s[0], s[1], s[2], s[3], s[2], s[3])

    transposed = np.zeros((128, 64), dtype=np.float64).T
    transposed_shape = (64, 126, 3)
    transposed_strides = (*transposed.strides, transposed.strides[1])

    sliced = np.zeros((64, 128), dtype=np.float64)[:, ::2]
    sliced_shape = (64, 62, 3)
    sliced_strides = (*sliced.strides, sliced.strides[1])

    grid = np.zeros((64, 64), dtype=np.float64)[::2, ::2]
    grid_shape = (30, 30, 3, 3)
    grid_strides = grid.strides * 2

    def pair(
        x: np.ndarray, shape: tuple[int, ...], strides: tuple[int, ...]
    ) -> tuple[Call, Call]:
        return (
            lambda: safestride.as_strided(x, shape, strides, writeable=False),
            lambda: numpy_as_strided(x, shape, strides, writeable=False),
        )

    return {
        "1-D frames (9745, 256)": pair(signal, frames, frame_strides),
        "2-D windows (62, 62, 3, 3)": pair(image, win2, win2_strides),
        "4-D windows (8, 16, 30, 30, 3, 3)": pair(batch, win4, win4_strides),
        "transposed input (64, 126, 3)": pair(
            transposed, transposed_shape, transposed_strides
        ),
        "strided slice input (64, 62, 3)": pair(sliced, sliced_shape, sliced_strides),
        "strided grid input (30, 30, 3, 3)": pair(grid, grid_shape, grid_strides),
    }


def best_per_call(call: Call, number: int) -> float:
    return min(timeit.repeat(call, number=number, repeat=1)) / number


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--number", type=int, default=20_000)
    options = parser.parse_args()
    warnings.simplefilter("error")
    print(f"numpy {np.__version__}, safestride {safestride.__version__}")
    print(f"{'workload':38} {'safestride':>12} {'numpy':>12} {'ratio':>7}")
    ratios = []
    for name, (ours, theirs) in workloads().items():
        assert np.array_equal(ours(), theirs())  # type: ignore[arg-type]
        ours_times, theirs_times = [], []
        for _ in range(options.repeat):  # alternate, so noise hits both
            ours_times.append(best_per_call(ours, options.number))
            theirs_times.append(best_per_call(theirs, options.number))
        a, b = min(ours_times), min(theirs_times)
        ratio = a / b
        if name.startswith(TARGET):
            ratios.append(ratio)
        spread = statistics.median(ours_times) / statistics.median(theirs_times)
        print(
            f"{name:38} {a * 1e6:10.2f}us {b * 1e6:10.2f}us {ratio:7.2f}"
            f"  (median ratio {spread:.2f})"
        )
    geo = float(np.exp(np.mean(np.log(ratios))))
    print(f"geometric mean ratio of {', '.join(TARGET)}: {geo:.2f} (target <= 1.0)")


if __name__ == "__main__":
    main()
