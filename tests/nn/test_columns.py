"""Each column layout and its scatter-add twin, forced through a plan, for values
and both gradients against plain loops; and the batch-innermost copy."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from safestride import conv2d, conv2d_backward
from safestride.nn import columns, scratch
from safestride.nn.backward import conv2d_backward_with_plan
from safestride.nn.forward import conv2d_with_plan
from tests.nn.reference import (
    conv_cases,
    forced_plan,
    reference_conv2d,
    reference_conv2d_backward,
)


@settings(max_examples=80, deadline=None)
@given(
    conv_cases(),
    st.sampled_from(["rows", "batch", "wide"]),
    st.sampled_from([1, 40]),
)
def test_every_column_layout_matches_plain_loops_and_the_others(
    case: dict[str, Any], layout: str, block: int
) -> None:
    """conv2d picks row runs, batch-innermost or (for wide outputs) exact
    columns by shape; force each."""
    options = {k: case[k] for k in ("stride", "padding", "dilation", "groups")}
    chosen = conv2d(case["x"], case["w"], case["b"], **options)
    grad_out = np.random.default_rng(2).standard_normal(chosen.shape)
    grads = conv2d_backward(grad_out, case["x"], case["w"], **options)
    plan = forced_plan(layout, block)
    forced = conv2d_with_plan(case["x"], case["w"], case["b"], **options, plan=plan)
    forced_grads = conv2d_backward_with_plan(
        grad_out, case["x"], case["w"], **options, plan=plan
    )
    tolerance = 1e-4 if case["x"].dtype == np.float32 else 1e-10
    expected = reference_conv2d(**case)
    np.testing.assert_allclose(forced, expected, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(chosen, expected, rtol=tolerance, atol=tolerance)
    expected_grads = reference_conv2d_backward(
        grad_out, case["x"], case["w"], **options
    )
    for ours, reference in zip(forced_grads, grads, strict=True):
        assert ours.dtype == reference.dtype
        np.testing.assert_allclose(ours, reference, rtol=tolerance, atol=tolerance)
    for ours, loops in zip(forced_grads[:2], expected_grads, strict=True):
        np.testing.assert_allclose(ours, loops, rtol=tolerance, atol=tolerance)


FIXED_CASES = [
    # (x shape, w shape, stride, padding, dilation, groups)
    ((2, 2, 7, 8), (3, 2, 3, 2), (1, 1), (0, 0), (2, 1), 1),
    ((2, 2, 8, 7), (3, 2, 2, 3), (1, 1), (1, 0), (1, 2), 1),
    ((3, 4, 6, 6), (4, 2, 3, 3), (1, 1), (1, 1), (2, 2), 2),
    ((2, 3, 9, 9), (2, 3, 3, 3), (2, 1), (1, 2), (1, 2), 1),
    ((2, 2, 9, 9), (3, 2, 3, 3), (2, 2), (1, 1), (2, 1), 1),
]


@pytest.mark.parametrize("layout", ["rows", "batch", "wide"])
@pytest.mark.parametrize("case", FIXED_CASES)
def test_each_layout_with_dilation_padding_and_groups(
    layout: str, case: tuple[Any, ...]
) -> None:
    """Hypothesis reaches each layout with stride 1 and dilation only now and
    then; these cases always do, for values and both gradients."""
    x_shape, w_shape, stride, padding, dilation, groups = case
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    options = {"stride": stride, "padding": padding, "dilation": dilation}
    plan = forced_plan(layout, block=30)
    y = conv2d_with_plan(x, w, groups=groups, **options, plan=plan)
    grad_out = rng.standard_normal(y.shape)
    grad_x, grad_w, _ = conv2d_backward_with_plan(
        grad_out, x, w, groups=groups, **options, plan=plan
    )
    np.testing.assert_allclose(
        y, reference_conv2d(x, w, None, groups=groups, **options), atol=1e-12
    )
    expected_x, expected_w = reference_conv2d_backward(
        grad_out, x, w, groups=groups, **options
    )
    np.testing.assert_allclose(grad_x, expected_x, atol=1e-12)
    np.testing.assert_allclose(grad_w, expected_w, atol=1e-12)


@pytest.mark.parametrize(
    "shape", [(4, 16, 8, 8), (3, 8, 8, 16), (2, 4, 16, 4), (5, 3, 7, 7), (1, 16, 8, 8)]
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_moving_the_batch_innermost_through_padded_rows(
    shape: tuple[int, ...], dtype: type
) -> None:
    """Sources whose sample stride is a multiple of 1 KiB take a detour
    through padded rows; both ways must give source.transpose(1, 2, 3, 0)."""

    source = np.random.default_rng(8).standard_normal(shape).astype(dtype)
    sliced = np.concatenate([source, source], axis=1)[:, ::2]  # not contiguous
    for array in (source, sliced, source.astype(np.float32)):
        target = np.empty((*shape[1:], shape[0]), dtype=np.float64)
        with scratch.Scratch() as pool:
            columns.copy_batch_last(target, array, pool)
        np.testing.assert_array_equal(target, array.transpose(1, 2, 3, 0))
