"""How conv2d lays out and blocks its columns: every choice that changes
speed and never results, made in one place.

conv2d uses `DEFAULT_PLAN`; tests pass their own `Plan` to the internal entry
points (``conv2d_with_plan``, ``conv2d_backward_with_plan``) to reach every
path on small inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from safestride.nn.geometry import Geometry

#: Elements of one block of row columns (4 MiB of float32): big enough for
#: fast matrix products, small enough to stay in cache and to reuse one
#: buffer instead of faulting in a fresh im2col buffer on every call.
BLOCK = 1 << 20

#: For images so large that a block holds rows of one sample only: the
#: output width from which columns are copied row by row (runs of W_out) and
#: the product is written straight into the output. Rows that long copy
#: about as fast as whole padded rows, and no reordering pass is needed
#: (measured: 0.72-0.89x the time on 1x3x512x512; with several samples per
#: block the per-sample products made it 1.06-1.10x slower instead).
WIDE = 64

Layout = Literal["rows", "batch"]
ForwardPath = Literal["strided", "rows", "wide", "batch"]
BackwardPath = Literal["strided", "rows", "batch"]


def cheaper_layout(geometry: Geometry) -> Layout:
    """The cheaper column layout for a stride-1 convolution: "rows" or "batch".

    Row runs compute Wp - Wo wasted outputs per row, which costs most on
    small images; putting the batch innermost wastes nothing but transposes
    the input and the output. Estimated nanoseconds per element (copy, matrix
    product per filter, transposes), measured on a 2-core x86 machine.
    """
    k, f = geometry.patch, geometry.filters_per_group
    n, ho, wo = geometry.n, geometry.ho, geometry.wo
    hp, wp = geometry.padded
    per_column = 0.3 + 0.02 * f
    rows = k * n * ho * wp * per_column + 0.6 * f * n * ho * wo
    batch = (
        k * n * ho * wo * per_column + 2.0 * geometry.c * hp * wp * n + f * n * ho * wo
    )
    return "batch" if batch < rows else "rows"


@dataclass(frozen=True)
class Plan:
    """How conv2d lays out and blocks its columns.

    Attributes
    ----------
    block : int
        About how many elements one block of columns holds (see `per_block`).
    wide : int
        The output width from which a stride-1 forward pass whose blocks hold
        rows of one sample writes the product straight into the output.
    layout : {"rows", "batch"} or None
        The stride-1 column layout; None takes the cheaper by `cheaper_layout`.
    """

    block: int = BLOCK
    wide: int = WIDE
    layout: Layout | None = None

    def __post_init__(self) -> None:
        for name in ("block", "wide"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int; got {value!r}.")
        if self.layout not in (None, "rows", "batch"):
            raise ValueError(
                f"layout must be 'rows', 'batch' or None; got {self.layout!r}."
            )

    def stride_one_layout(self, geometry: Geometry) -> Layout:
        """The column layout of a stride-1 pass over `geometry`."""
        return self.layout if self.layout is not None else cheaper_layout(geometry)

    def forward_path(self, geometry: Geometry, *, out_contiguous: bool) -> ForwardPath:
        """Which of conv2d's forward passes computes `geometry`.

        "wide" writes into the output through a reshape, so it needs a
        C-contiguous output.
        """
        if geometry.stride != (1, 1):
            return "strided"
        if self.stride_one_layout(geometry) == "batch":
            return "batch"
        per_sample = geometry.patch * geometry.ho * geometry.padded[1]
        one_sample_per_block = per_sample > self.block
        if geometry.wo >= self.wide and one_sample_per_block and out_contiguous:
            return "wide"
        return "rows"

    def backward_path(self, geometry: Geometry) -> BackwardPath:
        """Which of conv2d_backward's passes computes `geometry`."""
        if geometry.stride != (1, 1):
            return "strided"
        return self.stride_one_layout(geometry)

    def per_block(self, units: int, size: int) -> int:
        """How many units of `size` elements go in one block: about `block`
        elements, blocks as even as possible, and a single block for anything
        up to 1.5 `block` (a small last block costs a full round of calls)."""
        if units * size <= self.block * 3 // 2:
            return max(units, 1)
        count = -(-units * size // self.block)
        return max(1, -(-units // count))

    def blocks(self, geometry: Geometry) -> list[tuple[slice, slice]]:
        """(samples, output rows) blocks whose row columns hold about `block`
        elements."""
        k, wp = geometry.patch, geometry.padded[1]
        per_sample = k * geometry.ho * wp
        if per_sample <= self.block:
            step = self.per_block(geometry.n, per_sample)
            return [
                (slice(n, min(n + step, geometry.n)), slice(0, geometry.ho))
                for n in range(0, geometry.n, step)
            ]
        rows = self.per_block(geometry.ho, k * wp)
        return [
            (slice(n, n + 1), slice(r, min(r + rows, geometry.ho)))
            for n in range(geometry.n)
            for r in range(0, geometry.ho, rows)
        ]

    def largest_block(self, geometry: Geometry) -> int:
        """Row-column positions (samples x rows x Wp) of the largest block."""
        wp = geometry.padded[1]
        return wp * max(
            int((s.stop - s.start) * (r.stop - r.start))
            for s, r in self.blocks(geometry)
        )

    def row_blocks(self, geometry: Geometry) -> list[slice]:
        """Blocks of output rows whose batch-innermost columns hold about
        `block` elements."""
        k, ho = geometry.patch, geometry.ho
        rows = self.per_block(ho, k * geometry.wo * geometry.n)
        return [slice(r, min(r + rows, ho)) for r in range(0, ho, rows)]


DEFAULT_PLAN = Plan()
