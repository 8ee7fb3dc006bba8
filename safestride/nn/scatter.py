"""Scatter-adds (col2im): column gradients added back where the columns were
read from, one twin per layout of `columns`, and the crop that drops the
padding again."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from safestride.nn.geometry import Geometry

Array = npt.NDArray[Any]


def scatter_windows(
    grad_columns: Array, grad_padded: Array, geometry: Geometry
) -> None:
    """Add each kernel offset's window-column gradients (C*kh*kw, N*Ho*Wo) back
    where its windows read, for any stride."""
    cg = grad_padded.shape[1]
    parts = grad_columns.reshape(
        cg, geometry.kh, geometry.kw, geometry.n, geometry.ho, geometry.wo
    )
    (s_h, s_w), (d_h, d_w) = geometry.stride, geometry.dilation
    for p in range(geometry.kh):
        rows = slice(p * d_h, p * d_h + s_h * (geometry.ho - 1) + 1, s_h)
        for q in range(geometry.kw):
            cols = slice(q * d_w, q * d_w + s_w * (geometry.wo - 1) + 1, s_w)
            grad_padded[:, :, rows, cols] += parts[:, p, q].transpose(1, 0, 2, 3)


def scatter_rows(
    grad_runs: Array, grad_padded: Array, geometry: Geometry, rows: slice
) -> None:
    """Scatter-add row-run column gradients (C, kh, kw, n, rows*Wp) into the image."""
    n, c, hp, wp = grad_padded.shape
    flat = grad_padded[:, :, rows.start :].reshape(n, c, (hp - rows.start) * wp)
    (d_h, d_w) = geometry.dilation
    valid = grad_runs.shape[-1] - d_w * (geometry.kw - 1)
    for p in range(geometry.kh):
        for q in range(geometry.kw):
            start = p * d_h * wp + q * d_w
            flat[:, :, start : start + valid] += grad_runs[
                :, p, q, :, :valid
            ].transpose(1, 0, 2)


def scatter_batch(
    grad_columns: Array, grad_inner: Array, geometry: Geometry, rows: slice
) -> None:
    """Scatter-add batch-innermost column gradients (C, kh, kw, rows, Wo, N)
    into the (C, Hp, Wp, N) image gradient: runs of Wo*N per output row."""
    (d_h, d_w), count, wo = geometry.dilation, rows.stop - rows.start, geometry.wo
    for p in range(geometry.kh):
        top = rows.start + p * d_h
        for q in range(geometry.kw):
            left = q * d_w
            grad_inner[:, top : top + count, left : left + wo] += grad_columns[:, p, q]


def crop(padded: Array, geometry: Geometry) -> Array:
    """The unpadded (N, C, H, W) part of a padded array: the array itself
    when there is no padding, otherwise a new C-contiguous copy."""
    (top, _), (left, _) = geometry.padding
    if geometry.unpadded:
        return padded
    interior = padded[:, :, top : top + geometry.h, left : left + geometry.w]
    return np.array(interior, copy=True, order="C")
