"""conv2d and bias helpers on checked window views (NCHW, cross-correlation).

The window views are made with safestride's checked ``as_strided`` and are
read-only; the arithmetic is one matrix product per group over a column
buffer laid out with the output width innermost, the fastest layout to copy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from safestride._scratch import Scratch
from safestride._scratch import release as release_scratch
from safestride.stride_tricks import as_strided

__all__ = [
    "add_bias",
    "bias_grad",
    "conv2d",
    "conv2d_backward",
    "release_scratch",
    "windows",
]

Array = npt.NDArray[Any]
Pair = tuple[int, int]


def _pair(value: object, name: str, minimum: int) -> Pair:
    items = value if isinstance(value, (tuple, list)) else (value, value)
    if len(items) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints; got {value!r}.")
    pair = []
    for item in items:
        if isinstance(item, (bool, np.bool_)) or not isinstance(
            item, (int, np.integer)
        ):
            raise TypeError(f"{name} must be an int or a pair of ints; got {value!r}.")
        if item < minimum:
            raise ValueError(f"{name} must be >= {minimum}; got {value!r}.")
        pair.append(int(item))
    return pair[0], pair[1]


def _padding(
    value: object, kernel: Pair, dilation: Pair, stride: Pair
) -> tuple[Pair, Pair]:
    """((top, bottom), (left, right)) from an int, a pair, "same" or "valid"."""
    if value == "valid":
        return (0, 0), (0, 0)
    if value == "same":
        if stride != (1, 1):
            raise ValueError(
                f"padding='same' needs stride 1 (the output size would not be the "
                f"input size otherwise); got stride={stride}. Give padding as ints."
            )
        total = [d * (k - 1) for d, k in zip(dilation, kernel, strict=True)]
        return (total[0] // 2, total[0] - total[0] // 2), (
            total[1] // 2,
            total[1] - total[1] // 2,
        )
    if isinstance(value, str):
        raise ValueError(
            f"padding must be an int, a pair, 'same' or 'valid'; got {value!r}."
        )
    top, left = _pair(value, "padding", 0)
    return (top, top), (left, left)


@dataclass(frozen=True)
class _Geometry:
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


def _array(value: object, name: str, ndim: int, layout: str) -> Array:
    array = np.asarray(value)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D {layout}; got shape {array.shape}.")
    if not (
        np.issubdtype(array.dtype, np.floating)
        or np.issubdtype(array.dtype, np.integer)
    ):
        raise TypeError(f"{name} must hold real numbers; got dtype {array.dtype}.")
    return array


def _geometry(
    x: Array,
    w_shape: tuple[int, ...],
    stride: object,
    padding: object,
    dilation: object,
    groups: object,
) -> _Geometry:
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
    stride_pair = _pair(stride, "stride", 1)
    dilation_pair = _pair(dilation, "dilation", 1)
    pad = _padding(padding, (kh, kw), dilation_pair, stride_pair)
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
    return _Geometry(
        n, c, h, width, f, kh, kw, stride_pair, dilation_pair, pad, int(groups), *sizes
    )


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


def _cheaper_layout(geometry: _Geometry) -> Layout:
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
class _Plan:
    """How conv2d lays out and blocks its columns: choices of speed, never of
    results. Tests pass their own plan to reach every path on small inputs.

    block : elements of one block of columns (about; see `per_block`).
    wide : the output width from which single-sample blocks write the
        product straight into the output.
    layout : the stride-1 column layout, or None for the cheaper one by
        `_cheaper_layout`.
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

    def stride_one_layout(self, geometry: _Geometry) -> Layout:
        return self.layout if self.layout is not None else _cheaper_layout(geometry)

    def forward_path(self, geometry: _Geometry, *, out_contiguous: bool) -> ForwardPath:
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

    def backward_path(self, geometry: _Geometry) -> BackwardPath:
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

    def blocks(self, geometry: _Geometry) -> list[tuple[slice, slice]]:
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

    def largest_block(self, geometry: _Geometry) -> int:
        """Row-column positions (samples x rows x Wp) of the largest block."""
        wp = geometry.padded[1]
        return wp * max(
            int((s.stop - s.start) * (r.stop - r.start))
            for s, r in self.blocks(geometry)
        )

    def row_blocks(self, geometry: _Geometry) -> list[slice]:
        """Blocks of output rows whose batch-innermost columns hold about
        `block` elements."""
        k, ho = geometry.patch, geometry.ho
        rows = self.per_block(ho, k * geometry.wo * geometry.n)
        return [slice(r, min(r + rows, ho)) for r in range(0, ho, rows)]


_CHOSEN = _Plan()


def _pad(x: Array, geometry: _Geometry, dtype: np.dtype[Any]) -> Array:
    """x with its zero padding, as a new array (x itself when there is none)."""
    if geometry.unpadded and x.dtype == dtype:
        return x
    (top, _), (left, _) = geometry.padding
    hp, wp = geometry.padded
    padded = np.zeros((geometry.n, geometry.c, hp, wp), dtype=dtype)
    padded[:, :, top : top + geometry.h, left : left + geometry.w] = x
    return padded


def _padded_contiguous(
    x: Array, geometry: _Geometry, dtype: np.dtype[Any], scratch: Scratch
) -> Array:
    """x padded, C-contiguous and of `dtype`; a scratch copy unless x already is."""
    if geometry.unpadded and x.dtype == dtype and x.flags.c_contiguous:
        return x
    (top, _), (left, _) = geometry.padding
    hp, wp = geometry.padded
    shape = (geometry.n, geometry.c, hp, wp)
    padded = (
        scratch.empty(shape, dtype)
        if geometry.unpadded
        else scratch.zeros(shape, dtype)
    )
    padded[:, :, top : top + geometry.h, left : left + geometry.w] = x
    return padded


def _window_view(padded: Array, geometry: _Geometry) -> Array:
    sn, sc, sh, sw = padded.strides
    (s_h, s_w), (d_h, d_w) = geometry.stride, geometry.dilation
    view: Array = as_strided(
        padded,
        shape=(
            geometry.n,
            geometry.c,
            geometry.ho,
            geometry.wo,
            geometry.kh,
            geometry.kw,
        ),
        strides=(sn, sc, sh * s_h, sw * s_w, sh * d_h, sw * d_w),
        writeable=False,
    )
    return view


def windows(
    x: npt.ArrayLike,
    kernel_size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
) -> Array:
    """A read-only, checked view of every kernel window of an NCHW batch.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
        The batch.
    kernel_size : int or (int, int)
        Window height and width.
    stride, dilation : int or (int, int), optional
        Step between windows, and between the elements of one window.
    padding : int, (int, int), "same" or "valid", optional
        Zeros added around each image (this copies `x`).

    Returns
    -------
    ndarray, shape (N, C, H_out, W_out, kh, kw)
        ``view[n, c, i, j]`` is the window at output position ``(i, j)``.

    Examples
    --------
    >>> import numpy as np
    >>> from safestride import windows
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> view = windows(x, 3)
    >>> view.shape
    (1, 1, 2, 2, 3, 3)
    >>> view[0, 0, 1, 1]
    array([[ 5.,  6.,  7.],
           [ 9., 10., 11.],
           [13., 14., 15.]])
    >>> view.flags.writeable
    False
    """
    array = _array(x, "x", 4, "(N, C, H, W)")
    kernel = _pair(kernel_size, "kernel_size", 1)
    geometry = _geometry(
        array, (1, array.shape[1], *kernel), stride, padding, dilation, 1
    )
    return _window_view(_pad(array, geometry, array.dtype), geometry)


def _columns(view: Array, buffer: Array) -> Array:
    """(N, C, Ho, Wo, kh, kw) windows -> (C*kh*kw, N*Ho*Wo) columns in `buffer`,
    the output width innermost."""
    n, c, ho, wo, kh, kw = view.shape
    columns = buffer.reshape(c, kh, kw, n, ho, wo)
    np.copyto(columns, view.transpose(1, 4, 5, 0, 2, 3))
    return columns.reshape(c * kh * kw, n * ho * wo)


def _row_columns(
    padded: Array,
    geometry: _Geometry,
    channels: slice,
    block: tuple[slice, slice],
    buffer: Array,
) -> Array:
    """Columns over whole padded rows, for stride 1: (C*kh*kw, n*rows*Wp).

    Kernel offset (p, q) of channel c reads, for each sample of the block, one
    contiguous run of the flattened image from p*dh*Wp + q*dw. Copying runs
    of rows*Wp elements is several times faster than rows of Wo; the Wp - Wo
    extra columns per output row are computed and then dropped.
    """
    samples, rows = block
    wp = padded.shape[3]
    sub = padded[samples, channels, rows.start :]
    n, c = sub.shape[0], sub.shape[1]
    (d_h, d_w), kh, kw = geometry.dilation, geometry.kh, geometry.kw
    length = (rows.stop - rows.start) * wp
    valid = length - d_w * (kw - 1)  # the last row's tail would run past the end
    sn, sc, sh, sw = sub.strides
    runs = as_strided(
        sub,
        shape=(c, kh, kw, n, valid),
        strides=(sc, sh * d_h, sw * d_w, sn, sw),
        writeable=False,
    )
    columns = buffer[: c * kh * kw * n * length].reshape(c, kh, kw, n, length)
    np.copyto(columns[..., :valid], runs)
    columns[..., valid:] = 0
    return columns.reshape(c * kh * kw, n * length)


def _wide_columns(
    padded: Array,
    geometry: _Geometry,
    channels: slice,
    block: tuple[slice, slice],
    buffer: Array,
) -> Array:
    """Columns of exactly the output positions, for stride 1: (C*kh*kw, n, rows*Wo)."""
    samples, rows = block
    sub = padded[samples, channels, rows.start :]
    n, c = sub.shape[0], sub.shape[1]
    (d_h, d_w), kh, kw = geometry.dilation, geometry.kh, geometry.kw
    count, wo = rows.stop - rows.start, geometry.wo
    sn, sc, sh, sw = sub.strides
    windows = as_strided(
        sub,
        shape=(c, kh, kw, n, count, wo),
        strides=(sc, sh * d_h, sw * d_w, sn, sh, sw),
        writeable=False,
    )
    columns = buffer[: c * kh * kw * n * count * wo].reshape(c, kh, kw, n, count, wo)
    np.copyto(columns, windows)
    return columns.reshape(c * kh * kw, n, count * wo)


def _rows_apply(
    grad_runs: Array, grad_padded: Array, geometry: _Geometry, rows: slice
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


def _batch_inner(
    x: Array, geometry: _Geometry, dtype: np.dtype[Any], scratch: Scratch
) -> Array:
    """x padded and laid out (C, Hp, Wp, N), the batch innermost."""
    (top, _), (left, _) = geometry.padding
    hp, wp = geometry.padded
    inner = scratch.zeros((geometry.c, hp, wp, geometry.n), dtype)
    interior = inner[:, top : top + geometry.h, left : left + geometry.w]
    _copy_batch_last(interior, x, scratch)
    return inner


def _copy_batch_last(target: Array, source: Array, scratch: Scratch) -> None:
    """target[a, b, c, n] = source[n, a, b, c]: a 4-D batch moved innermost.

    That copy reads `source` with its sample stride. When the stride is a
    multiple of 1 KiB, successive reads fall into the same few cache sets and
    the copy ran 2 to 5.6 times slower (measured on (N, 16, 8, 8) float32:
    0.37 ms instead of 0.08). Such sources are first copied, in their own
    order, into rows padded by 64 bytes.
    """
    if source.strides[0] % 1024 or source.shape[0] < 2:
        np.copyto(target, source.transpose(1, 2, 3, 0))
        return
    n, size = source.shape[0], math.prod(source.shape[1:])
    rows = scratch.empty((n, size + 64 // target.itemsize), target.dtype)
    _, b, c = source.shape[1:]
    item = rows.itemsize
    staged = as_strided(
        rows,
        shape=source.shape,
        strides=(rows.strides[0], b * c * item, c * item, item),
    )
    np.copyto(staged, source)
    np.copyto(target, staged.transpose(1, 2, 3, 0))


def _batch_columns(
    inner: Array, geometry: _Geometry, channels: slice, rows: slice, buffer: Array
) -> Array:
    """Columns (C*kh*kw, rows*Wo*N) from a (C, Hp, Wp, N) input, for stride 1.

    For each channel and kernel offset, one output row's inputs over all
    samples are Wo*N consecutive elements: long runs, and no wasted outputs.
    """
    sub = inner[channels]
    c, n = sub.shape[0], geometry.n
    (d_h, d_w), kh, kw = geometry.dilation, geometry.kh, geometry.kw
    count, run = rows.stop - rows.start, geometry.wo * n
    sc, sh, sw, _ = sub.strides
    runs = as_strided(
        sub[:, rows.start :],
        shape=(c, kh, kw, count, run),
        strides=(sc, sh * d_h, sw * d_w, sh, sub.itemsize),
        writeable=False,
    )
    columns = buffer[: c * kh * kw * count * run].reshape(c, kh, kw, count, run)
    np.copyto(columns, runs)
    return columns.reshape(c * kh * kw, count * run)


def _dtype(*arrays: Array) -> np.dtype[Any]:
    dtype = np.result_type(*arrays)
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


def _check_bias(b: object, f: int, dtype: np.dtype[Any]) -> Array:
    bias = np.asarray(b)
    if bias.shape != (f,):
        raise ValueError(
            f"b must have one value per filter, shape ({f},); got shape {bias.shape}."
        )
    return bias.astype(dtype, copy=False)


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
    return _conv2d_with_plan(
        x,
        w,
        b,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        out=out,
    )


def _conv2d_with_plan(
    x: npt.ArrayLike,
    w: npt.ArrayLike,
    b: npt.ArrayLike | None = None,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    out: Array | None = None,
    plan: _Plan = _CHOSEN,
) -> Array:
    """`conv2d`, its columns laid out and blocked as `plan` says."""
    xa = _array(x, "x", 4, "(N, C, H, W)")
    wa = _array(w, "w", 4, "(F, C/groups, kh, kw)")
    geometry = _geometry(xa, wa.shape, stride, padding, dilation, groups)
    dtype = _dtype(xa, wa)
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
    bias = None if b is None else _check_bias(b, geometry.f, dtype)
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
    geometry: _Geometry,
    out: Array,
    scratch: Scratch,
    *,
    plan: _Plan,
) -> None:
    """conv2d's arithmetic, with validated arguments, into `out`."""
    path = plan.forward_path(geometry, out_contiguous=out.flags.c_contiguous)
    if path == "batch":
        _forward_batch_inner(x, weights, bias, geometry, out, scratch, plan=plan)
        return
    padded = _padded_contiguous(x, geometry, out.dtype, scratch)
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
    geometry: _Geometry,
    out: Array,
    scratch: Scratch,
) -> None:
    """conv2d's forward pass for strides above 1, over one window view."""
    fg, k = geometry.filters_per_group, geometry.patch
    view = _window_view(padded, geometry)
    positions = geometry.n * geometry.ho * geometry.wo
    buffer = scratch.empty((k, positions), out.dtype)
    products = scratch.empty((fg * positions,), out.dtype)
    for channels, filters in geometry.group_slices():
        columns = _columns(view[:, channels], buffer)
        product = _multiply(weights, filters, columns, bias, products)
        result = product.reshape(fg, geometry.n, geometry.ho, geometry.wo)
        np.copyto(out[:, filters], result.transpose(1, 0, 2, 3))


def _forward_rows(
    padded: Array,
    weights: Array,
    bias: Array | None,
    geometry: _Geometry,
    out: Array,
    scratch: Scratch,
    *,
    plan: _Plan,
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
            columns = _row_columns(padded, geometry, channels, block, buffer)
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
    geometry: _Geometry,
    out: Array,
    scratch: Scratch,
    *,
    plan: _Plan,
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
            columns = _wide_columns(padded, geometry, channels, block, buffer)
            positions = slice(rows.start * geometry.wo, rows.stop * geometry.wo)
            target = flat[samples, filters, positions]
            _multiply_into(target, weights, filters, columns.transpose(1, 0, 2), bias)


def _forward_batch_inner(
    x: Array,
    weights: Array,
    bias: Array | None,
    geometry: _Geometry,
    out: Array,
    scratch: Scratch,
    *,
    plan: _Plan,
) -> None:
    """conv2d's stride-1 forward pass over batch-innermost columns."""
    fg, k = geometry.filters_per_group, geometry.patch
    inner = _batch_inner(x, geometry, out.dtype, scratch)
    blocks = plan.row_blocks(geometry)
    run = geometry.wo * geometry.n
    largest = run * (blocks[0].stop - blocks[0].start)
    buffer = scratch.empty((k * largest,), out.dtype)
    products = scratch.empty((fg * largest,), out.dtype)
    for channels, filters in geometry.group_slices():
        for rows in blocks:
            columns = _batch_columns(inner, geometry, channels, rows, buffer)
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
    return _conv2d_backward_with_plan(
        grad_out,
        x,
        w,
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
    )


def _conv2d_backward_with_plan(
    grad_out: npt.ArrayLike,
    x: npt.ArrayLike,
    w: npt.ArrayLike,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    plan: _Plan = _CHOSEN,
) -> tuple[Array, Array, Array]:
    """`conv2d_backward`, its columns laid out and blocked as `plan` says."""
    xa = _array(x, "x", 4, "(N, C, H, W)")
    wa = _array(w, "w", 4, "(F, C/groups, kh, kw)")
    ga = _array(grad_out, "grad_out", 4, "(N, F, H_out, W_out)")
    geometry = _geometry(xa, wa.shape, stride, padding, dilation, groups)
    expected = (geometry.n, geometry.f, geometry.ho, geometry.wo)
    if ga.shape != expected:
        raise ValueError(
            f"grad_out must have conv2d's output shape {expected}; got {ga.shape}. "
            f"Pass the same stride, padding, dilation and groups as the forward pass."
        )
    dtype = _dtype(xa, wa, ga)
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
    geometry: _Geometry,
    scratch: Scratch,
    *,
    plan: _Plan,
) -> tuple[Array, Array]:
    """(grad_x, grad_w) of a validated convolution, both new arrays.

    grad_x is scatter-added: the column gradients ``w.T @ grad_out`` are added
    back, one kernel offset at a time, where those columns were read from.
    """
    dtype = weights.dtype
    cg, fg = geometry.channels_per_group, geometry.filters_per_group
    k = geometry.patch
    path = plan.backward_path(geometry)
    if path == "batch":
        return _backward_batch_inner(grad_out, x, weights, geometry, scratch, plan=plan)
    padded = _padded_contiguous(x, geometry, dtype, scratch)
    grad_w = np.empty(weights.shape, dtype=dtype)
    hp, wp = geometry.padded
    shape = (geometry.n, geometry.c, hp, wp)
    # without padding, the scatter-add's target is grad_x itself
    grad_padded = (
        np.zeros(shape, dtype) if geometry.unpadded else scratch.zeros(shape, dtype)
    )
    if path == "strided":
        _strided_backward(
            grad_out, padded, weights, geometry, grad_w, grad_padded, scratch
        )
        return _crop(grad_padded, geometry), grad_w
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
            columns = _row_columns(padded, geometry, channels, block, buffer)
            total += grads @ columns.T
            # the columns are used up: their buffer takes the column gradients
            runs = buffer[: k * positions].reshape(k, positions)
            np.matmul(kernel.T, grads, out=runs)
            _rows_apply(
                runs.reshape(cg, geometry.kh, geometry.kw, count, -1),
                grad_padded[samples, channels],
                geometry,
                rows,
            )
        grad_w[filters] = total.reshape(fg, cg, geometry.kh, geometry.kw)
    return _crop(grad_padded, geometry), grad_w


def _backward_batch_inner(
    grad_out: Array,
    x: Array,
    weights: Array,
    geometry: _Geometry,
    scratch: Scratch,
    *,
    plan: _Plan,
) -> tuple[Array, Array]:
    """(grad_x, grad_w) for stride 1, over batch-innermost columns."""
    dtype = weights.dtype
    cg, fg = geometry.channels_per_group, geometry.filters_per_group
    kh, kw, n, wo = geometry.kh, geometry.kw, geometry.n, geometry.wo
    k = geometry.patch
    inner = _batch_inner(x, geometry, dtype, scratch)
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
            _copy_batch_last(grads, grad_out[:, filters, rows], scratch)
            flat = grads.reshape(fg, positions)
            columns = _batch_columns(inner, geometry, channels, rows, buffer)
            grad_w[filters] += flat @ columns.T
            # the columns are used up: their buffer takes the column gradients
            runs = buffer[: k * positions].reshape(k, positions)
            np.matmul(kernel.T, flat, out=runs)
            _batch_apply(
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


def _batch_apply(
    grad_columns: Array, grad_inner: Array, geometry: _Geometry, rows: slice
) -> None:
    """Scatter-add batch-innermost column gradients (C, kh, kw, rows, Wo, N)
    into the (C, Hp, Wp, N) image gradient: runs of Wo*N per output row."""
    (d_h, d_w), count, wo = geometry.dilation, rows.stop - rows.start, geometry.wo
    for p in range(geometry.kh):
        top = rows.start + p * d_h
        for q in range(geometry.kw):
            left = q * d_w
            grad_inner[:, top : top + count, left : left + wo] += grad_columns[:, p, q]


def _strided_backward(
    grad_out: Array,
    padded: Array,
    weights: Array,
    geometry: _Geometry,
    grad_w: Array,
    grad_padded: Array,
    scratch: Scratch,
) -> None:
    """grad_w, and grad_x scattered into `grad_padded`, for strides above 1."""
    dtype = weights.dtype
    cg, fg = geometry.channels_per_group, geometry.filters_per_group
    k = geometry.patch
    view = _window_view(padded, geometry)
    positions = geometry.n * geometry.ho * geometry.wo
    buffer = scratch.empty((k, positions), dtype)
    grads = scratch.empty((fg, geometry.n, geometry.ho, geometry.wo), dtype)
    grad_columns = scratch.empty((k, positions), dtype)
    for channels, filters in geometry.group_slices():
        kernel = weights[filters].reshape(fg, k)
        np.copyto(grads, grad_out[:, filters].transpose(1, 0, 2, 3))
        flat = grads.reshape(fg, positions)
        columns = _columns(view[:, channels], buffer)
        grad_w[filters] = (flat @ columns.T).reshape(fg, cg, geometry.kh, geometry.kw)
        np.matmul(kernel.T, flat, out=grad_columns)
        _scatter_add(grad_columns, grad_padded[:, channels], geometry)


def _crop(padded: Array, geometry: _Geometry) -> Array:
    """The unpadded (N, C, H, W) part of a padded array: the array itself
    when there is no padding, otherwise a new C-contiguous copy."""
    (top, _), (left, _) = geometry.padding
    if geometry.unpadded:
        return padded
    crop = padded[:, :, top : top + geometry.h, left : left + geometry.w]
    return np.array(crop, copy=True, order="C")


def _scatter_add(grad_columns: Array, grad_padded: Array, geometry: _Geometry) -> None:
    """Add each kernel offset's column gradients back where its windows read."""
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


def add_bias(y: npt.ArrayLike, b: npt.ArrayLike, axis: int = 1) -> Array:
    """Add a bias along one axis, broadcast safely (never through raw strides).

    Parameters
    ----------
    y : array_like
        Activations, e.g. (N, C, H, W).
    b : array_like, shape (y.shape[axis],)
        One value per position along `axis` (per channel for NCHW).
    axis : int, optional
        The axis the bias runs along (1: channels of NCHW).

    Returns
    -------
    ndarray
        ``y + b`` along `axis`, a new array.

    Examples
    --------
    >>> import numpy as np
    >>> from safestride import add_bias
    >>> add_bias(np.zeros((2, 3, 1, 1)), [1.0, 2.0, 3.0])[:, :, 0, 0]
    array([[1., 2., 3.],
           [1., 2., 3.]])
    >>> add_bias(np.zeros((2, 3, 4, 4)), [1.0, 2.0])
    Traceback (most recent call last):
    ...
    ValueError: b has 2 values but y has 3 along axis 1 (y.shape = (2, 3, 4, 4), ...
    """
    ya = np.asarray(y)
    ba = np.asarray(b)
    axis = _axis(axis, ya.ndim)
    if ba.ndim != 1 or ba.shape[0] != ya.shape[axis]:
        others = [i for i, n in enumerate(ya.shape) if n == ba.size and i != axis]
        hint = f" Did you mean axis={others[0]}?" if others and ba.ndim == 1 else ""
        raise ValueError(
            f"b has {ba.size} values but y has {ya.shape[axis]} along axis {axis} "
            f"(y.shape = {ya.shape}, b.shape = {ba.shape}). A bias needs exactly one "
            f"value per position along its axis.{hint}"
        )
    shape = [1] * ya.ndim
    shape[axis] = ba.shape[0]
    result: Array = ya + ba.reshape(shape)
    return result


def bias_grad(grad_y: npt.ArrayLike, axis: int = 1) -> Array:
    """The gradient of `add_bias` for its bias: `grad_y` summed over the other axes.

    Examples
    --------
    >>> import numpy as np
    >>> from safestride import bias_grad
    >>> bias_grad(np.ones((2, 3, 4, 4)))
    array([32., 32., 32.])
    """
    ga = np.asarray(grad_y)
    axis = _axis(axis, ga.ndim)
    others = tuple(i for i in range(ga.ndim) if i != axis)
    result: Array = ga.sum(axis=others)
    return result


def _axis(axis: object, ndim: int) -> int:
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an int; got {axis!r}.")
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"axis {axis} is out of range for an array with {ndim} dimensions."
        )
    return int(axis) % ndim
