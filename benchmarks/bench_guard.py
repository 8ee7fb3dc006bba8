"""What safestride.install() adds to a training loop that makes many strided views.

The loop is the classic hand-rolled CNN step: for every sample and channel of a
batch it builds a window view with numpy's own ``as_strided`` (several thousand
calls per step), then correlates it with the filters and broadcasts a bias.
Steps with and without the guard alternate in one process; the script prints
the best step time of each and the ratio guarded / unguarded (target < 1.05).

Then the cost of entering and leaving a ``guarded()`` block (one small view in
it), side by side: with the guard's body compiled once per process (as it is),
and compiled again on every block (as it was before it was cached), against
the same view made with no guard.

    python benchmarks/bench_guard.py [--steps 15] [--blocks 2000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from numpy.lib.stride_tricks import as_strided

import safestride
from safestride.guard.patch import compiled_trampoline

BATCH, CHANNELS, SIDE, FILTERS, KERNEL = 128, 16, 16, 8, 3


def training_step(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> float:
    """Forward pass and a crude update; returns the loss. ~BATCH*CHANNELS views."""
    out_side = SIDE - KERNEL + 1
    out = np.zeros((BATCH, FILTERS, out_side, out_side), dtype=x.dtype)
    for n in range(BATCH):
        for c in range(CHANNELS):
            image = x[n, c]
            windows = as_strided(  # noqa: SST007  the guard's cost on as_strided
                image,
                shape=(out_side, out_side, KERNEL, KERNEL),
                strides=image.strides * 2,
                writeable=False,
            )
            out[n] += np.tensordot(w[:, c], windows, axes=([1, 2], [2, 3]))
    bias = as_strided(
        b,
        shape=out.shape,
        strides=(0, b.strides[0], 0, 0),  # noqa: SST006  the guard's cost, as above
        writeable=False,
    )
    out += bias
    loss = float((out**2).mean())
    w -= 1e-6 * w  # stand-in for a gradient step
    return loss


def best_step(seconds: list[float]) -> float:
    return min(seconds)


def block_costs(blocks: int, rounds: int = 5) -> dict[str, float]:
    """Best microseconds per ``with guarded(): as_strided(...)`` block, per way."""
    x = np.arange(8.0)

    def no_guard() -> None:
        as_strided(x, shape=(4,), strides=(16,))  # noqa: SST007  the same view

    def cached() -> None:
        with safestride.guarded(policy="record"):
            as_strided(x, shape=(4,), strides=(16,))  # noqa: SST007  as above

    def compiled_each_time() -> None:
        compiled_trampoline.cache_clear()
        cached()

    ways = {
        "no guard": no_guard,
        "guarded, cached body": cached,
        "guarded, compiled each block": compiled_each_time,
    }
    best = dict.fromkeys(ways, float("inf"))
    for _ in range(rounds):  # alternate, so machine noise hits every way
        for name, block in ways.items():
            start = time.perf_counter()
            for _ in range(blocks):
                block()
            best[name] = min(best[name], (time.perf_counter() - start) / blocks)
    return {name: seconds * 1e6 for name, seconds in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--blocks", type=int, default=2000)
    options = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, CHANNELS, SIDE, SIDE)).astype(np.float32)
    w = rng.standard_normal((FILTERS, CHANNELS, KERNEL, KERNEL)).astype(np.float32)
    b = rng.standard_normal(FILTERS).astype(np.float32)
    plain: list[float] = []
    guarded: list[float] = []
    training_step(x, w, b)  # warm up
    for _ in range(options.steps):  # alternate, so machine noise hits both
        start = time.perf_counter()
        training_step(x, w, b)
        plain.append(time.perf_counter() - start)
        report = safestride.install(policy="raise")
        start = time.perf_counter()
        training_step(x, w, b)
        guarded.append(time.perf_counter() - start)
        safestride.uninstall()
    calls = report.checked
    a, g = best_step(plain), best_step(guarded)
    print(f"as_strided calls per step: {calls}")
    print(f"unguarded step: {a * 1e3:.2f} ms   guarded step: {g * 1e3:.2f} ms")
    print(f"ratio guarded / unguarded: {g / a:.3f} (target < 1.05)")
    median = sorted(guarded)[len(guarded) // 2] / sorted(plain)[len(plain) // 2]
    print(f"median ratio: {median:.3f}")
    costs = block_costs(options.blocks)
    print("\nentering and leaving guarded(), one small view inside (best of 5):")
    for name, micros in costs.items():
        print(f"  {name:<30} {micros:8.1f} us")
    old, new = costs["guarded, compiled each block"], costs["guarded, cached body"]
    print(f"  compiled each block / cached: {old / new:.2f}")


if __name__ == "__main__":
    main()
