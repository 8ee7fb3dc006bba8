"""safestride.conv2d against the tutorials' as_strided + einsum, and PyTorch.

Four float32 workloads, forward and forward+backward, measured in one process
(best of 3 turns of --repeat runs each, ours and torch taking turns). For
each: the time, the ratio to the einsum approach and to
torch.nn.functional.conv2d with 2 threads (when torch is installed), GFLOP/s
as a fraction of this machine's float32 matmul rate measured in the same run,
and the peak extra memory as a multiple of one im2col buffer.

    python benchmarks/bench_conv.py [--repeat 7] [--skip-einsum]
"""

from __future__ import annotations

import argparse
import math
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from safestride import conv2d, conv2d_backward
from safestride.nn import release_scratch

try:
    import torch
except ImportError:  # optional: the benchmark runs without it
    torch = None


@dataclass(frozen=True)
class Workload:
    name: str
    n: int
    c: int
    side: int
    f: int
    k: int
    padding: int

    @property
    def out_side(self) -> int:
        return self.side + 2 * self.padding - self.k + 1

    @property
    def flops(self) -> float:
        """Multiply-adds x 2 of the forward pass."""
        return 2.0 * self.n * self.f * self.out_side**2 * self.c * self.k**2

    @property
    def im2col_bytes(self) -> int:
        return 4 * self.c * self.k**2 * self.n * self.out_side**2


WORKLOADS = (
    Workload("(a) EMNIST-like 100x1x28x28, 8 5x5", 100, 1, 28, 8, 5, 0),
    Workload("(b) 100x8x12x12, 16 5x5", 100, 8, 12, 16, 5, 0),
    Workload("(c) 64x32x16x16, 64 3x3 pad 1", 64, 32, 16, 64, 3, 1),
    Workload("(d) 1x3x512x512, 16 3x3", 1, 3, 512, 16, 3, 0),
)


def tutorial_windows(x: np.ndarray, kh: int, kw: int, p: int) -> np.ndarray:
    """The classic window view: pad, then numpy's as_strided by hand."""
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) if p else x
    n, c, h, width = xp.shape
    s = xp.strides
    return as_strided(  # noqa: SST004,SST007  the tutorials' code, measured as written
        xp,
        shape=(n, c, h - kh + 1, width - kw + 1, kh, kw),
        strides=(*s, s[2], s[3]),  # noqa: SST006  no zero stride here: a false positive
    )


def tutorial_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, p: int) -> np.ndarray:
    """The classic: as_strided windows and one np.einsum (no optimize)."""
    windows = tutorial_windows(x, w.shape[2], w.shape[3], p)
    return np.einsum("nchwpq,fcpq->nfhw", windows, w) + b[None, :, None, None]


def tutorial_backward(g: np.ndarray, x: np.ndarray, w: np.ndarray, p: int) -> tuple:
    """Gradients the same way: einsum over windows of x and of padded g."""
    _, _, kh, kw = w.shape
    windows = tutorial_windows(x, kh, kw, p)
    h, width = x.shape[2] + 2 * p, x.shape[3] + 2 * p
    grad_w = np.einsum("nfhw,nchwpq->fcpq", g, windows)
    gp = np.pad(g, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    g_windows = tutorial_windows(gp, kh, kw, 0)
    grad_xp = np.einsum("nfhwpq,fcpq->nchw", g_windows, w[:, :, ::-1, ::-1])
    grad_x = grad_xp[:, :, p : h - p, p : width - p] if p else grad_xp
    return grad_x, grad_w, g.sum(axis=(0, 2, 3))


def best(function: Callable[[], object], repeat: int) -> float:
    return best_alternating([function], repeat, rounds=1)[0]


def best_alternating(
    functions: list[Callable[[], object]], repeat: int, rounds: int = 3
) -> list[float]:
    """Best time of each function over `rounds` turns of `repeat` runs each.

    Taking turns spreads a slow stretch of this shared machine over all of
    them. A turn is a block of runs, not a single call: numpy's OpenBLAS and
    torch's OpenMP threads spin for a while after each call, and alternating
    single calls made each library wait for the other's threads (torch's
    forward on (a) took 2.2 ms instead of 0.45). The first run of each turn is
    a warm-up and is not counted.
    """
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(rounds):
        for function, record in zip(functions, times, strict=True):
            function()
            for _ in range(repeat):
                start = time.perf_counter()
                function()
                record.append(time.perf_counter() - start)
    return [min(record) for record in times]


def peak_extra_bytes(function: Callable[[], object]) -> int:
    """Peak bytes allocated during one call, counting conv2d's scratch buffers
    (released first, so the call has to allocate them again)."""
    release_scratch()
    tracemalloc.start()
    tracemalloc.reset_peak()
    baseline = tracemalloc.get_traced_memory()[0]
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - baseline


def matmul_rate() -> float:
    """float32 GFLOP/s of a 1024x1024 matmul on this machine, now."""
    a = np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32)
    seconds = best(lambda: a @ a, 10)
    return 2 * 1024**3 / seconds / 1e9


def measure(
    load: Workload,
    rng: np.random.Generator,
    options: argparse.Namespace,
    rate: float,
    ratios: dict[str, list[float]],
) -> None:
    """Time one workload both ways and print its two rows."""
    x = rng.standard_normal((load.n, load.c, load.side, load.side)).astype(np.float32)
    w = rng.standard_normal((load.f, load.c, load.k, load.k)).astype(np.float32)
    b = rng.standard_normal(load.f).astype(np.float32)
    g = rng.standard_normal((load.n, load.f, load.out_side, load.out_side)).astype(
        np.float32
    )
    p = load.padding

    def ours_forward() -> object:
        return conv2d(x, w, b, padding=p)

    def ours_both() -> object:
        conv2d(x, w, b, padding=p)
        return conv2d_backward(g, x, w, padding=p)

    def einsum_forward() -> object:
        return tutorial_forward(x, w, b, p)

    def einsum_both() -> object:
        return tutorial_forward(x, w, b, p), tutorial_backward(g, x, w, p)

    np.testing.assert_allclose(ours_forward(), einsum_forward(), rtol=2e-3, atol=2e-3)
    passes = (
        ("forward", ours_forward, einsum_forward, torch_pass(x, w, b, g, p, False), 1),
        ("fwd+bwd", ours_both, einsum_both, torch_pass(x, w, b, g, p, True), 3),
    )
    for label, ours, einsum, run_torch, multiple in passes:
        torch_time = float("nan")
        if run_torch is None:
            ours_time = best(ours, options.repeat)
        else:
            run_torch()
            ours_time, torch_time = best_alternating([ours, run_torch], options.repeat)
            ratios[label].append(ours_time / torch_time)
        memory = peak_extra_bytes(ours) / load.im2col_bytes
        einsum_ratio = float("nan")
        if not options.skip_einsum:
            einsum_ratio = best(einsum, 2 if label == "forward" else 1) / ours_time
        print(
            f"{load.name:38} {label:8} {ours_time * 1e3:8.2f} {einsum_ratio:9.1f} "
            f"{torch_time * 1e3:9.2f} {ours_time / torch_time:10.2f} "
            f"{multiple * load.flops / ours_time / 1e9 / rate:8.0%} {memory:10.2f}"
        )


def torch_pass(
    x: np.ndarray, w: np.ndarray, b: np.ndarray, g: np.ndarray, p: int, backward: bool
) -> Callable[[], object] | None:
    """torch.nn.functional.conv2d on the same data, forward or forward+backward."""
    if torch is None:
        return None
    tx, tw, tb, tg = (torch.from_numpy(a) for a in (x, w, b, g))
    if not backward:

        def forward() -> object:
            with torch.no_grad():
                return torch.nn.functional.conv2d(tx, tw, tb, padding=p)

        return forward
    leaves = [t.clone().requires_grad_(True) for t in (tx, tw, tb)]

    def both() -> object:
        out = torch.nn.functional.conv2d(*leaves, padding=p)
        out.backward(tg)
        return out

    return both


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--skip-einsum", action="store_true")
    options = parser.parse_args()
    if torch is not None:
        torch.set_num_threads(2)
    rate = matmul_rate()
    print(
        f"float32 matmul rate: {rate:.1f} GFLOP/s; torch: "
        f"{torch.__version__ if torch is not None else 'not installed'}"
    )
    header = (
        f"{'workload':38} {'pass':8} {'ours ms':>8} {'einsum x':>9} "
        f"{'torch ms':>9} {'ours/torch':>10} {'% matmul':>8} {'mem/im2col':>10}"
    )
    print(header)
    ratios: dict[str, list[float]] = {"forward": [], "fwd+bwd": []}
    rng = np.random.default_rng(0)
    for load in WORKLOADS:
        measure(load, rng, options, rate, ratios)
    for label, values in ratios.items():
        if values:
            geo = math.exp(sum(math.log(v) for v in values) / len(values))
            print(
                f"geometric mean ours/torch, {label}: {geo:.2f} (target <= 1.0), "
                f"worst {max(values):.2f} (target <= 2.0)"
            )


if __name__ == "__main__":
    main()
