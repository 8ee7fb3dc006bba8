"""conv2d_backward: filter gradients by matrix products, input gradients by
scatter-adding the column gradients."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from safestride.nn.columns import (
    batch_columns,
    batch_inner,
    copy_batch_last,
    padded_contiguous,
    row_columns,
    window_columns,
    window_view,
)
from safestride.nn.geometry import Geometry, geometry_of
from safestride.nn.plan import DEFAULT_PLAN, Plan
from safestride.nn.scatter import crop, scatter_batch, scatter_rows, scatter_windows
from safestride.nn.scratch import Scratch
from safestride.nn.validate import real_array, result_dtype

Array = npt.NDArray[Any]


def conv2d_backward(
    grad_out: npt.ArrayLike,
    x: npt.ArrayLike,
    w: npt.ArrayLike,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> tuple[Array, Array, Array]:
    """Gradients of `conv2d` with respect to its input, filters and bias.

    Parameters
    ----------
    grad_out : array_like, shape (N, F, H_out, W_out)
        Gradient of the loss with respect to conv2d's output.
    x, w, stride, padding, dilation, groups
        As given to `conv2d`.

    Returns
    -------
    grad_x : ndarray, shape of `x`
    grad_w : ndarray, shape of `w`
    grad_b : ndarray, shape (F,)

    Examples
    --------
    >>> import numpy as np
    >>> from safestride import conv2d_backward
    >>> x = np.arange(9.0).reshape(1, 1, 3, 3)
    >>> w = np.ones((1, 1, 2, 2))
    >>> grad_x, grad_w, grad_b = conv2d_backward(np.ones((1, 1, 2, 2)), x, w)
    >>> grad_x[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> grad_w[0, 0], grad_b
    (array([[ 8., 12.],
           [20., 24.]]), array([4.]))
    """
    return conv2d_backward_with_plan(
        grad_out,
        x,
        w,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
    )


def conv2d_backward_with_plan(
    grad_out: npt.ArrayLike,
    x: npt.ArrayLike,
    w: npt.ArrayLike,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    plan: Plan = DEFAULT_PLAN,
) -> tuple[Array, Array, Array]:
    """`conv2d_backward` with its columns laid out and blocked as `plan` says.

    `conv2d_backward` passes `DEFAULT_PLAN`; tests pass plans that force each path.
    """
    xa = real_array(x, "x", ndim=4, layout="(N, C, H, W)")
    wa = real_array(w, "w", ndim=4, layout="(F, C/groups, kh, kw)")
    ga = real_array(grad_out, "grad_out", ndim=4, layout="(N, F, H_out, W_out)")
    geometry = geometry_of(
        xa, wa.shape, stride=stride, padding=padding, dilation=dilation, groups=groups
    )
    expected = (geometry.n, geometry.f, geometry.ho, geometry.wo)
    if ga.shape != expected:
        raise ValueError(
            f"grad_out must have conv2d's output shape {expected}; got {ga.shape}. "
            f"Pass the same stride, padding, dilation and groups as the forward pass."
        )
    dtype = result_dtype(xa, wa, ga)
    weights = wa.astype(dtype, copy=False)
    grad_b = ga.sum(axis=(0, 2, 3), dtype=dtype)
    if 0 in (geometry.n, geometry.c, geometry.f):
        return np.zeros(xa.shape, dtype), np.zeros(wa.shape, dtype), grad_b
    with Scratch() as scratch:
        grad_x, grad_w = _backward(ga, xa, weights, geometry, scratch, plan=plan)
    return grad_x, grad_w, grad_b


def _backward(
    grad_out: Array,
    x: Array,
    weights: Array,
    geometry: Geometry,
    scratch: Scratch,
    *,
    plan: Plan,
) -> tuple[Array, Array]:
    """(grad_x, grad_w) of a validated convolution, both new arrays.

    grad_x is scatter-added: the column gradients ``w.T @ grad_out`` are added
    back, one kernel offset at a time, where those columns were read from.
    """
    dtype = weights.dtype
    path = plan.backward_path(geometry)
    if path == "batch":
        return _backward_batch_inner(grad_out, x, weights, geometry, scratch, plan=plan)
    padded = padded_contiguous(x, geometry, dtype, scratch)
    grad_w = np.empty(weights.shape, dtype=dtype)
    hp, wp = geometry.padded
    shape = (geometry.n, geometry.c, hp, wp)
    # without padding, the scatter-add's target is grad_x itself
    grad_padded = (
        np.zeros(shape, dtype) if geometry.unpadded else scratch.zeros(shape, dtype)
    )
    if path == "strided":
        _backward_strided(
            grad_out, padded, weights, geometry, grad_w, grad_padded, scratch
        )
    else:
        _backward_rows(
            grad_out, padded, weights, geometry, grad_w, grad_padded, scratch, plan=plan
        )
    return crop(grad_padded, geometry), grad_w


def _backward_rows(
    grad_out: Array,
    padded: Array,
    weights: Array,
    geometry: Geometry,
    grad_w: Array,
    grad_padded: Array,
    scratch: Scratch,
    *,
    plan: Plan,
) -> None:
    """grad_w, and grad_x scattered into `grad_padded`, over row-run columns."""
    dtype = weights.dtype
    cg, fg = geometry.channels_per_group, geometry.filters_per_group
    k, wp = geometry.patch, padded.shape[3]
    largest = plan.largest_block(geometry)
    buffer = scratch.empty((k * largest,), dtype)
    grads_buffer = scratch.empty((fg * largest,), dtype)
    for channels, filters in geometry.group_slices():
        kernel = weights[filters].reshape(fg, k)
        total = np.zeros((fg, k), dtype=dtype)
        for block in plan.blocks(geometry):
            samples, rows = block
            count = samples.stop - samples.start
            # laid out like the row columns, zero where outputs were dropped
            positions = count * (rows.stop - rows.start) * wp
            grads = grads_buffer[: fg * positions]
            wide = grads.reshape(fg, count, -1, wp)
            wide[..., geometry.wo :] = 0
            wide[..., : geometry.wo] = grad_out[samples, filters, rows].transpose(
                1, 0, 2, 3
            )
            grads = grads.reshape(fg, positions)
            columns = row_columns(padded, geometry, channels, block, buffer)
            total += grads @ columns.T
            # the columns are used up: their buffer takes the column gradients
            runs = buffer[: k * positions].reshape(k, positions)
            np.matmul(kernel.T, grads, out=runs)
            scatter_rows(
                runs.reshape(cg, geometry.kh, geometry.kw, count, -1),
                grad_padded[samples, channels],
                geometry,
                rows,
            )
        grad_w[filters] = total.reshape(fg, cg, geometry.kh, geometry.kw)


def _backward_batch_inner(
    grad_out: Array,
    x: Array,
    weights: Array,
    geometry: Geometry,
    scratch: Scratch,
    *,
    plan: Plan,
) -> tuple[Array, Array]:
    """(grad_x, grad_w) for stride 1, over batch-innermost columns."""
    dtype = weights.dtype
    cg, fg = geometry.channels_per_group, geometry.filters_per_group
    kh, kw, n, wo = geometry.kh, geometry.kw, geometry.n, geometry.wo
    k = geometry.patch
    inner = batch_inner(x, geometry, dtype, scratch)
    blocks = plan.row_blocks(geometry)
    grad_inner = scratch.zeros(inner.shape, dtype)
    largest = wo * n * (blocks[0].stop - blocks[0].start)
    buffer = scratch.empty((k * largest,), dtype)
    grads_buffer = scratch.empty((fg * largest,), dtype)
    grad_w = np.zeros((geometry.f, k), dtype=dtype)
    for channels, filters in geometry.group_slices():
        kernel = weights[filters].reshape(fg, k)
        for rows in blocks:
            count = rows.stop - rows.start
            positions = count * wo * n
            # (F, rows, Wo, N): the gradients in the columns' order
            grads = grads_buffer[: fg * positions].reshape(fg, count, wo, n)
            copy_batch_last(grads, grad_out[:, filters, rows], scratch)
            flat = grads.reshape(fg, positions)
            columns = batch_columns(inner, geometry, channels, rows, buffer)
            grad_w[filters] += flat @ columns.T
            # the columns are used up: their buffer takes the column gradients
            runs = buffer[: k * positions].reshape(k, positions)
            np.matmul(kernel.T, flat, out=runs)
            scatter_batch(
                runs.reshape(cg, kh, kw, count, wo, n),
                grad_inner[channels],
                geometry,
                rows,
            )
    (top, _), (left, _) = geometry.padding
    grad_x = np.empty((n, geometry.c, geometry.h, geometry.w), dtype=dtype)
    np.copyto(
        grad_x,
        grad_inner[:, top : top + geometry.h, left : left + geometry.w].transpose(
            3, 0, 1, 2
        ),
    )
    return grad_x, grad_w.reshape(geometry.f, cg, kh, kw)


def _backward_strided(
    grad_out: Array,
    padded: Array,
    weights: Array,
    geometry: Geometry,
    grad_w: Array,
    grad_padded: Array,
    scratch: Scratch,
) -> None:
    """grad_w, and grad_x scattered into `grad_padded`, for strides above 1."""
    dtype = weights.dtype
    cg, fg = geometry.channels_per_group, geometry.filters_per_group
    k = geometry.patch
    view = window_view(padded, geometry)
    positions = geometry.n * geometry.ho * geometry.wo
    buffer = scratch.empty((k, positions), dtype)
    grads = scratch.empty((fg, geometry.n, geometry.ho, geometry.wo), dtype)
    grad_columns = scratch.empty((k, positions), dtype)
    for channels, filters in geometry.group_slices():
        kernel = weights[filters].reshape(fg, k)
        np.copyto(grads, grad_out[:, filters].transpose(1, 0, 2, 3))
        flat = grads.reshape(fg, positions)
        columns = window_columns(view[:, channels], buffer)
        grad_w[filters] = (flat @ columns.T).reshape(fg, cg, geometry.kh, geometry.kw)
        np.matmul(kernel.T, flat, out=grad_columns)
        scatter_windows(grad_columns, grad_padded[:, channels], geometry)
