"""Each scatter-add is the adjoint of its column copy: for any image x and
column gradients g, <columns(x), g> = <x, scatter(g)>. A scatter that adds a
gradient anywhere but where its column was read breaks that."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings, strategies as st

from safestride.nn import columns, scatter
from safestride.nn.geometry import Geometry, geometry_of
from safestride.nn.scratch import Scratch
from tests.nn.reference import conv_cases


def measured(case: dict[str, Any], *, stride_one: bool) -> Geometry:
    stride = (1, 1) if stride_one else case["stride"]
    options = {k: case[k] for k in ("padding", "dilation", "groups")}
    return geometry_of(case["x"], case["w"].shape, stride=stride, **options)


def assert_adjoint(
    x: np.ndarray, cols: np.ndarray, grads: np.ndarray, scattered: np.ndarray
) -> None:
    expected = float((cols.astype(np.float64) * grads).sum())
    np.testing.assert_allclose(
        float((x.astype(np.float64) * scattered).sum()), expected, rtol=1e-9, atol=1e-9
    )


@settings(max_examples=60, deadline=None)
@given(conv_cases(), st.integers(0, 2**16))
def test_scatter_windows_is_the_adjoint_of_window_columns(
    case: dict[str, Any], seed: int
) -> None:
    geometry = measured(case, stride_one=False)
    x = case["x"].astype(np.float64)
    padded = columns.pad(x, geometry, x.dtype)
    k = geometry.c * geometry.kh * geometry.kw
    buffer = np.empty(k * geometry.n * geometry.ho * geometry.wo)
    cols = columns.window_columns(columns.window_view(padded, geometry), buffer)
    grads = np.random.default_rng(seed).standard_normal(cols.shape)
    grad_padded = np.zeros_like(padded)
    scatter.scatter_windows(grads, grad_padded, geometry)
    assert_adjoint(padded, cols, grads, grad_padded)


@settings(max_examples=60, deadline=None)
@given(conv_cases(), st.data())
def test_scatter_rows_is_the_adjoint_of_row_columns(
    case: dict[str, Any], data: st.DataObject
) -> None:
    geometry = measured(case, stride_one=True)
    x = case["x"].astype(np.float64)
    first = data.draw(st.integers(0, geometry.ho - 1))
    rows = slice(first, data.draw(st.integers(first + 1, geometry.ho)))
    samples = slice(0, geometry.n)
    channels = slice(0, geometry.c)
    k = geometry.c * geometry.kh * geometry.kw
    with Scratch() as pool:
        padded = columns.padded_contiguous(x, geometry, x.dtype, pool)
        buffer = np.empty(k * geometry.n * geometry.ho * geometry.padded[1])
        cols = columns.row_columns(padded, geometry, channels, (samples, rows), buffer)
        grads = np.random.default_rng(data.draw(st.integers(0, 2**16))).standard_normal(
            cols.shape
        )
        grad_padded = np.zeros(padded.shape)
        scatter.scatter_rows(
            grads.reshape(geometry.c, geometry.kh, geometry.kw, geometry.n, -1),
            grad_padded,
            geometry,
            rows,
        )
        assert_adjoint(padded, cols, grads, grad_padded)


@settings(max_examples=60, deadline=None)
@given(conv_cases(), st.data())
def test_scatter_batch_is_the_adjoint_of_batch_columns(
    case: dict[str, Any], data: st.DataObject
) -> None:
    geometry = measured(case, stride_one=True)
    x = case["x"].astype(np.float64)
    first = data.draw(st.integers(0, geometry.ho - 1))
    rows = slice(first, data.draw(st.integers(first + 1, geometry.ho)))
    count = rows.stop - rows.start
    channels = slice(0, geometry.c)
    k = geometry.c * geometry.kh * geometry.kw
    with Scratch() as pool:
        inner = columns.batch_inner(x, geometry, x.dtype, pool)
        buffer = np.empty(k * count * geometry.wo * geometry.n)
        cols = columns.batch_columns(inner, geometry, channels, rows, buffer)
        grads = np.random.default_rng(data.draw(st.integers(0, 2**16))).standard_normal(
            cols.shape
        )
        grad_inner = np.zeros(inner.shape)
        scatter.scatter_batch(
            grads.reshape(
                geometry.c, geometry.kh, geometry.kw, count, geometry.wo, geometry.n
            ),
            grad_inner,
            geometry,
            rows,
        )
        assert_adjoint(inner, cols, grads, grad_inner)


def test_crop_copies_the_interior_and_passes_an_unpadded_array_through() -> None:
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5)
    shape = (4, 3, 3, 3)
    unpadded = geometry_of(x, shape, stride=1, padding=0, dilation=1, groups=1)
    assert scatter.crop(x, unpadded) is x
    geometry = geometry_of(x, shape, stride=1, padding=(1, 2), dilation=1, groups=1)
    padded = columns.pad(x, geometry, x.dtype)
    cropped = scatter.crop(padded, geometry)
    np.testing.assert_array_equal(cropped, x)
    assert cropped.flags.c_contiguous
    assert not np.shares_memory(cropped, padded)
