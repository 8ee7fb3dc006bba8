"""The plan: which path each shape takes, how work is blocked, and that blocks
change no result."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from safestride import conv2d, conv2d_backward
from safestride.nn.backward import conv2d_backward_with_plan
from safestride.nn.forward import conv2d_with_plan
from safestride.nn.geometry import Geometry, geometry_of
from safestride.nn.plan import DEFAULT_PLAN, Plan, cheaper_layout
from tests.nn.reference import conv_cases


def stride_one(n: int, c: int, side: int, f: int, k: int, padding: int = 0) -> Geometry:
    """The geometry of f k x k filters over n c x side x side images."""
    x = np.zeros((n, c, side, side), dtype=np.float32)
    return geometry_of(x, (f, c, k, k), stride=1, padding=padding, dilation=1, groups=1)


def test_the_layout_follows_the_cost_of_wasted_outputs() -> None:
    """Small images waste most with row runs; a big image wastes almost none."""
    assert cheaper_layout(stride_one(100, 8, 12, 16, 5)) == "batch"
    assert cheaper_layout(stride_one(1, 3, 512, 16, 3)) == "rows"
    assert cheaper_layout(stride_one(64, 32, 18, 64, 3)) == "rows"


@settings(max_examples=40, deadline=None)
@given(conv_cases(), st.sampled_from([1, 7, 40, 300]))
def test_blocked_columns_give_the_same_results(
    case: dict[str, Any], block: int
) -> None:
    """Small blocks split samples and output rows; results must not change."""
    options = {k: case[k] for k in ("stride", "padding", "dilation", "groups")}
    whole = conv2d(case["x"], case["w"], case["b"], **options)
    grad_out = np.ones_like(whole)
    grads = conv2d_backward(grad_out, case["x"], case["w"], **options)
    plan = Plan(block=block)
    blocked = conv2d_with_plan(case["x"], case["w"], case["b"], **options, plan=plan)
    blocked_grads = conv2d_backward_with_plan(
        grad_out, case["x"], case["w"], **options, plan=plan
    )
    tolerance = 1e-4 if case["x"].dtype == np.float32 else 1e-10
    np.testing.assert_allclose(blocked, whole, rtol=tolerance, atol=tolerance)
    for ours, reference in zip(blocked_grads, grads, strict=True):
        np.testing.assert_allclose(ours, reference, rtol=tolerance, atol=tolerance)


def test_the_benchmark_workloads_take_the_documented_paths() -> None:
    """docs/conv2d.rst: (b) puts the batch innermost, (d) writes wide rows
    straight into the output (forward only), and (a) is split into even
    blocks (it was 62 + 38 images)."""
    a = stride_one(100, 1, 28, 8, 5)
    assert DEFAULT_PLAN.forward_path(a, out_contiguous=True) == "rows"
    assert DEFAULT_PLAN.blocks(a) == [
        (slice(0, 50), slice(0, 24)),
        (slice(50, 100), slice(0, 24)),
    ]
    b = stride_one(100, 8, 12, 16, 5)
    assert DEFAULT_PLAN.forward_path(b, out_contiguous=True) == "batch"
    assert DEFAULT_PLAN.backward_path(b) == "batch"
    d = stride_one(1, 3, 512, 16, 3)
    assert DEFAULT_PLAN.forward_path(d, out_contiguous=True) == "wide"
    assert DEFAULT_PLAN.forward_path(d, out_contiguous=False) == "rows"
    assert DEFAULT_PLAN.backward_path(d) == "rows"


def test_strides_above_one_take_the_window_view_whatever_the_plan() -> None:
    x = np.zeros((2, 3, 9, 9))
    geometry = geometry_of(x, (4, 3, 3, 3), stride=2, padding=0, dilation=1, groups=1)
    for layout in ("rows", "batch"):
        plan = Plan(layout=layout, wide=1, block=1)
        assert plan.forward_path(geometry, out_contiguous=True) == "strided"
        assert plan.backward_path(geometry) == "strided"


def test_blocks_are_even_and_one_block_takes_up_to_one_and_a_half() -> None:
    plan = Plan(block=100)
    assert plan.per_block(10, 15) == 10  # 150 elements: still one block
    assert plan.per_block(10, 16) == 5  # 160: two blocks of 5, not 6 + 4
    assert plan.per_block(100, 10) == 10
    assert plan.per_block(0, 10) == 1


@settings(max_examples=60, deadline=None)
@given(conv_cases(), st.integers(1, 400))
def test_blocks_cover_every_sample_and_row_once(
    case: dict[str, Any], block: int
) -> None:
    x, w = case["x"], case["w"]
    options = {k: case[k] for k in ("stride", "padding", "dilation", "groups")}
    geometry = geometry_of(x, w.shape, **options)
    plan = Plan(block=block)
    covered = np.zeros((geometry.n, geometry.ho), dtype=int)
    for samples, rows in plan.blocks(geometry):
        covered[samples, rows] += 1
    np.testing.assert_array_equal(covered, 1)
    positions = [
        (s.stop - s.start) * (r.stop - r.start) * geometry.padded[1]
        for s, r in plan.blocks(geometry)
    ]
    assert plan.largest_block(geometry) == max(positions)
    rows_covered = np.zeros(geometry.ho, dtype=int)
    for rows in plan.row_blocks(geometry):
        rows_covered[rows] += 1
    np.testing.assert_array_equal(rows_covered, 1)


@pytest.mark.parametrize(
    ("arguments", "pattern"),
    [
        ({"block": 0}, "block must be a positive int; got 0"),
        ({"wide": -1}, "wide must be a positive int; got -1"),
        ({"layout": "wide"}, "layout must be 'rows', 'batch' or None; got 'wide'"),
    ],
)
def test_a_plan_refuses_what_no_path_can_do(
    arguments: dict[str, Any], pattern: str
) -> None:
    with pytest.raises(ValueError, match=pattern):
        Plan(**arguments)
