"""The sizes of one convolution, validated once and named."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from safestride.nn.validate import Pair, padding_pairs, pair

Array = npt.NDArray[Any]


@dataclass(frozen=True)
class Geometry:
    """Sizes of one convolution, validated once."""

    n: int
    c: int
    h: int
    w: int
    f: int
    kh: int
    kw: int
    stride: Pair
    dilation: Pair
    padding: tuple[Pair, Pair]
    groups: int
    ho: int
    wo: int

    @property
    def channels_per_group(self) -> int:
        return self.c // self.groups

    @property
    def filters_per_group(self) -> int:
        return self.f // self.groups

    @property
    def patch(self) -> int:
        """Elements of one window of one group: C/groups * kh * kw, the rows
        of that group's column matrix."""
        return self.channels_per_group * self.kh * self.kw

    def group_slices(self) -> list[tuple[slice, slice]]:
        """(input channels, filters) of each group."""
        cg, fg = self.channels_per_group, self.filters_per_group
        return [
            (slice(i * cg, (i + 1) * cg), slice(i * fg, (i + 1) * fg))
            for i in range(self.groups)
        ]

    @property
    def unpadded(self) -> bool:
        return not any(self.padding[0]) and not any(self.padding[1])

    @property
    def padded(self) -> Pair:
        return (
            self.h + sum(self.padding[0]),
            self.w + sum(self.padding[1]),
        )


def geometry_of(
    x: Array,
    w_shape: tuple[int, ...],
    *,
    stride: object,
    padding: object,
    dilation: object,
    groups: object,
) -> Geometry:
    """The geometry of convolving `x` with filters of `w_shape`, or an error
    that names the argument that does not fit."""
    n, c, h, width = x.shape
    f, c_per_group, kh, kw = w_shape
    if isinstance(groups, (bool, np.bool_)) or not isinstance(
        groups, (int, np.integer)
    ):
        raise TypeError(f"groups must be a positive int; got {groups!r}.")
    if groups < 1 or c % groups or f % groups:
        raise ValueError(
            f"groups={groups} must divide both the input channels (x.shape[1] = {c}) "
            f"and the filters (w.shape[0] = {f})."
        )
    if c_per_group * groups != c:
        raise ValueError(
            f"channel mismatch: x has {c} channels, w expects {c_per_group} per "
            f"group x {groups} groups = {c_per_group * groups}. w must be "
            f"(F, C/groups, kh, kw)."
        )
    stride_pair = pair(stride, "stride", minimum=1)
    dilation_pair = pair(dilation, "dilation", minimum=1)
    pad = padding_pairs(
        padding, kernel=(kh, kw), dilation=dilation_pair, stride=stride_pair
    )
    sizes = []
    for axis, (size, k, s, d, p) in enumerate(
        zip((h, width), (kh, kw), stride_pair, dilation_pair, pad, strict=True)
    ):
        span = d * (k - 1) + 1
        if span > size + sum(p):
            name = ("height", "width")[axis]
            raise ValueError(
                f"the kernel {name} ({k}, dilated to {span}) is larger than the padded "
                f"input {name} ({size} + padding {sum(p)} = {size + sum(p)})."
            )
        sizes.append((size + sum(p) - span) // s + 1)
    return Geometry(
        n, c, h, width, f, kh, kw, stride_pair, dilation_pair, pad, int(groups), *sizes
    )
