"""conv2d's forward pass: one matrix product per group and block of columns."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from safestride.nn.columns import (
    batch_columns,
    batch_inner,
    padded_contiguous,
    row_columns,
    wide_columns,
    window_columns,
    window_view,
)
from safestride.nn.geometry import Geometry, geometry_of
from safestride.nn.plan import DEFAULT_PLAN, Plan
from safestride.nn.scratch import Scratch
from safestride.nn.validate import bias_vector, real_array, result_dtype

Array = npt.NDArray[Any]


def conv2d(
    x: npt.ArrayLike,
    w: npt.ArrayLike,
    b: npt.ArrayLike | None = None,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    out: Array | None = None,
) -> Array:
    """2-D cross-correlation of an NCHW batch, as CNN frameworks define conv2d.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
        Input batch.
    w : array_like, shape (F, C / groups, kh, kw)
        Filters.
    b : array_like, shape (F,), optional
        Bias, one per filter.
    stride, dilation : int or (int, int), optional
        Step between output positions; spacing of kernel elements.
    padding : int, (int, int), "same" or "valid", optional
        Zeros around each image. "same" (stride 1 only) keeps H and W.
    groups : int, optional
        Split channels and filters into this many independent groups.
    out : ndarray, optional
        Where to write the result; shape (N, F, H_out, W_out), the result dtype.
        It may overlap `x` (the result is then computed aside and copied in).

    Returns
    -------
    ndarray, shape (N, F, H_out, W_out)
        float32 inputs give float32, float64 give float64.

    Examples
    --------
    >>> import numpy as np
    >>> from safestride import conv2d
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> w = np.ones((1, 1, 2, 2))
    >>> conv2d(x, w, b=[0.5])
    array([[[[10.5, 14.5, 18.5],
             [26.5, 30.5, 34.5],
             [42.5, 46.5, 50.5]]]])
    >>> conv2d(x, w, padding="same").shape
    (1, 1, 4, 4)
    """
    return conv2d_with_plan(
        x,
        w,
        b,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        out=out,
    )


def conv2d_with_plan(
    x: npt.ArrayLike,
    w: npt.ArrayLike,
    b: npt.ArrayLike | None = None,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    out: Array | None = None,
    plan: Plan = DEFAULT_PLAN,
) -> Array:
    """`conv2d` with its columns laid out and blocked as `plan` says.

    `conv2d` passes `DEFAULT_PLAN`; tests pass plans that force each path.
    """
    xa = real_array(x, "x", ndim=4, layout="(N, C, H, W)")
    wa = real_array(w, "w", ndim=4, layout="(F, C/groups, kh, kw)")
    geometry = geometry_of(
        xa, wa.shape, stride=stride, padding=padding, dilation=dilation, groups=groups
    )
    dtype = result_dtype(xa, wa)
    shape = (geometry.n, geometry.f, geometry.ho, geometry.wo)
    if out is None:
        out = np.empty(shape, dtype=dtype)
    elif not isinstance(out, np.ndarray) or out.shape != shape or out.dtype != dtype:
        got = (getattr(out, "shape", None), getattr(out, "dtype", type(out).__name__))
        raise ValueError(
            f"out must be an ndarray of shape {shape} and dtype {dtype}; got {got}."
        )
    elif not out.flags.writeable:
        raise ValueError("out is read-only; pass a writeable array, or no out.")
    bias = None if b is None else bias_vector(b, filters=geometry.f, dtype=dtype)
    if out.size == 0 or geometry.c == 0:
        # nothing to multiply: an empty batch, no filters, or no channels
        out[...] = 0 if bias is None else bias[:, None, None]
        return out
    # blocks are written while later blocks still read their inputs
    overlaps = any(np.may_share_memory(out, a) for a in (xa, wa, bias) if a is not None)
    with Scratch() as scratch:
        target = scratch.empty(shape, dtype) if overlaps else out
        weights = wa.astype(dtype, copy=False)
        _forward(xa, weights, bias, geometry, target, scratch, plan=plan)
        if overlaps:
            np.copyto(out, target)
    return out


def _forward(
    x: Array,
    weights: Array,
    bias: Array | None,
    geometry: Geometry,
    out: Array,
    scratch: Scratch,
    *,
    plan: Plan,
) -> None:
    """conv2d's arithmetic, with validated arguments, into `out`."""
    path = plan.forward_path(geometry, out_contiguous=out.flags.c_contiguous)
    if path == "batch":
        _forward_batch_inner(x, weights, bias, geometry, out, scratch, plan=plan)
        return
    padded = padded_contiguous(x, geometry, out.dtype, scratch)
    if path == "strided":
        _forward_strided(padded, weights, bias, geometry, out, scratch)
    elif path == "wide":
        _forward_wide(padded, weights, bias, geometry, out, scratch, plan=plan)
    else:
        _forward_rows(padded, weights, bias, geometry, out, scratch, plan=plan)


def _forward_strided(
    padded: Array,
    weights: Array,
    bias: Array | None,
    geometry: Geometry,
    out: Array,
    scratch: Scratch,
) -> None:
    """conv2d's forward pass for strides above 1, over one window view."""
    fg, k = geometry.filters_per_group, geometry.patch
    view = window_view(padded, geometry)
    positions = geometry.n * geometry.ho * geometry.wo
    buffer = scratch.empty((k, positions), out.dtype)
    products = scratch.empty((fg * positions,), out.dtype)
    for channels, filters in geometry.group_slices():
        columns = window_columns(view[:, channels], buffer)
        product = _multiply(weights, filters, columns, bias, products)
        result = product.reshape(fg, geometry.n, geometry.ho, geometry.wo)
        np.copyto(out[:, filters], result.transpose(1, 0, 2, 3))


def _forward_rows(
    padded: Array,
    weights: Array,
    bias: Array | None,
    geometry: Geometry,
    out: Array,
    scratch: Scratch,
    *,
    plan: Plan,
) -> None:
    """conv2d's stride-1 forward pass over row-run columns."""
    fg, k = geometry.filters_per_group, geometry.patch
    wp = padded.shape[3]
    largest = plan.largest_block(geometry)
    buffer = scratch.empty((k * largest,), out.dtype)
    products = scratch.empty((fg * largest,), out.dtype)
    for channels, filters in geometry.group_slices():
        for block in plan.blocks(geometry):
            samples, rows = block
            columns = row_columns(padded, geometry, channels, block, buffer)
            product = _multiply(weights, filters, columns, bias, products)
            wide = product.reshape(fg, samples.stop - samples.start, -1, wp)
            np.copyto(
                out[samples, filters, rows],
                wide[..., : geometry.wo].transpose(1, 0, 2, 3),
            )


def _forward_wide(
    padded: Array,
    weights: Array,
    bias: Array | None,
    geometry: Geometry,
    out: Array,
    scratch: Scratch,
    *,
    plan: Plan,
) -> None:
    """conv2d's stride-1 forward pass for wide outputs, into C-contiguous `out`.

    A block's output rows are a (filters, rows*Wo) matrix inside `out` for
    each of its samples, so the product is written there directly.
    """
    k = geometry.patch
    buffer = scratch.empty((k * plan.largest_block(geometry),), out.dtype)
    flat = out.reshape(geometry.n, geometry.f, geometry.ho * geometry.wo)
    for channels, filters in geometry.group_slices():
        for block in plan.blocks(geometry):
            samples, rows = block
            columns = wide_columns(padded, geometry, channels, block, buffer)
            positions = slice(rows.start * geometry.wo, rows.stop * geometry.wo)
            target = flat[samples, filters, positions]
            _multiply_into(target, weights, filters, columns.transpose(1, 0, 2), bias)


def _forward_batch_inner(
    x: Array,
    weights: Array,
    bias: Array | None,
    geometry: Geometry,
    out: Array,
    scratch: Scratch,
    *,
    plan: Plan,
) -> None:
    """conv2d's stride-1 forward pass over batch-innermost columns."""
    fg, k = geometry.filters_per_group, geometry.patch
    inner = batch_inner(x, geometry, out.dtype, scratch)
    blocks = plan.row_blocks(geometry)
    run = geometry.wo * geometry.n
    largest = run * (blocks[0].stop - blocks[0].start)
    buffer = scratch.empty((k * largest,), out.dtype)
    products = scratch.empty((fg * largest,), out.dtype)
    for channels, filters in geometry.group_slices():
        for rows in blocks:
            columns = batch_columns(inner, geometry, channels, rows, buffer)
            product = _multiply(weights, filters, columns, bias, products)
            result = product.reshape(fg, -1, geometry.wo, geometry.n)
            np.copyto(out[:, filters, rows], result.transpose(3, 0, 1, 2))


def _multiply(
    weights: Array,
    filters: slice,
    columns: Array,
    bias: Array | None,
    products: Array,
) -> Array:
    """One group's filters times a block of columns, plus the bias, in the
    front of the flat scratch buffer `products`: (filters, columns)."""
    count = filters.stop - filters.start
    product = products[: count * columns.shape[-1]].reshape(count, -1)
    _multiply_into(product, weights, filters, columns, bias)
    return product


def _multiply_into(
    target: Array,
    weights: Array,
    filters: slice,
    columns: Array,
    bias: Array | None,
) -> None:
    """target = one group's filters @ columns, plus the bias of each filter."""
    kernel = weights[filters].reshape(filters.stop - filters.start, -1)
    np.matmul(kernel, columns, out=target)
    if bias is not None:
        # contiguous rows: twice as fast as adding it in the reordering copy
        target += bias[filters, None]
