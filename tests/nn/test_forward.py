"""conv2d's values against plain loops, its output options, and every path's
answer when `out` overlaps the input."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

from safestride import conv2d
from safestride.nn.forward import conv2d_with_plan
from safestride.nn.plan import DEFAULT_PLAN
from tests.nn.reference import (
    EMPTY_IDS,
    EMPTY_SHAPES,
    conv_cases,
    forced_plan,
    reference_conv2d,
)


@settings(max_examples=120, deadline=None)
@given(conv_cases())
def test_conv2d_matches_plain_loops(case: dict[str, Any]) -> None:
    ours = conv2d(
        case["x"],
        case["w"],
        case["b"],
        stride=case["stride"],
        padding=case["padding"],
        dilation=case["dilation"],
        groups=case["groups"],
    )
    expected = reference_conv2d(**case)
    assert ours.dtype == case["x"].dtype
    tolerance = 1e-4 if case["x"].dtype == np.float32 else 1e-10
    np.testing.assert_allclose(ours, expected, rtol=tolerance, atol=tolerance)


def test_dtype_out_and_padding_modes() -> None:
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    w = np.ones((4, 3, 3, 3), dtype=np.float32)
    same = conv2d(x, w, padding="same")
    assert same.shape == (2, 4, 8, 8)
    assert same.dtype == np.float32
    assert conv2d(x, w, padding="valid").shape == (2, 4, 6, 6)
    assert conv2d(x.astype(np.float64), w.astype(np.float64)).dtype == np.float64
    out = np.empty((2, 4, 6, 6), dtype=np.float32)
    assert conv2d(x, w, out=out) is out
    np.testing.assert_allclose(out, conv2d(x, w), rtol=1e-6)
    even = conv2d(x, np.ones((1, 3, 2, 2), np.float32), padding="same", dilation=3)
    assert even.shape == (2, 1, 8, 8)


@pytest.mark.parametrize(("x_shape", "w_shape"), EMPTY_SHAPES, ids=EMPTY_IDS)
def test_empty_batches_filters_and_channels(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...]
) -> None:
    """Empty sums are zero: what PyTorch gives, and what the loops give."""
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    y = conv2d(x, w, b, padding=1)
    expected = reference_conv2d(x, w, b, (1, 1), (1, 1), (1, 1), 1)
    assert y.shape == expected.shape
    np.testing.assert_allclose(y, expected)


def test_a_read_only_out_is_refused_by_name() -> None:
    out = np.zeros((1, 1, 2, 2))
    out.flags.writeable = False
    with pytest.raises(ValueError, match="out is read-only"):
        conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), out=out)


@pytest.mark.parametrize("layout", ["rows", "batch", "wide"])
def test_out_may_overlap_the_input(layout: str) -> None:
    """Like a numpy ufunc, conv2d gives the right answer even when `out` is
    part of x: blocks must not read inputs an earlier block overwrote."""
    plan = forced_plan(layout, block=50)
    rng = np.random.default_rng(4)
    w = rng.standard_normal((3, 3, 3, 3))
    x = rng.standard_normal((3, 3, 8, 8))
    expected = conv2d_with_plan(x, w, plan=plan)
    inner = x[:, :, 1:7, 1:7]
    assert conv2d_with_plan(x, w, out=inner, plan=plan) is inner
    np.testing.assert_allclose(inner, expected, rtol=1e-12, atol=1e-12)
    x = rng.standard_normal((3, 3, 8, 8))
    expected = conv2d_with_plan(x, w, padding="same", plan=plan)
    conv2d_with_plan(x, w, padding="same", out=x, plan=plan)
    np.testing.assert_allclose(x, expected, rtol=1e-12, atol=1e-12)


def test_the_planned_forward_pass_takes_the_same_arguments_and_a_plan() -> None:
    """Tests force paths through conv2d_with_plan; it must stay conv2d plus
    a keyword-only plan that defaults to the one conv2d uses."""
    public = list(inspect.signature(conv2d).parameters.values())
    internal = dict(inspect.signature(conv2d_with_plan).parameters)
    plan = internal.pop("plan")
    assert plan.kind is inspect.Parameter.KEYWORD_ONLY
    assert plan.default is DEFAULT_PLAN
    assert list(internal.values()) == public
