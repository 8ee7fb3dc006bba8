"""conv2d, its gradients and the bias helpers, against plain loops and numbers."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safestride import add_bias, bias_grad, conv2d, conv2d_backward, windows
from safestride.nn import columns, scratch
from safestride.nn.backward import conv2d_backward_with_plan
from safestride.nn.forward import conv2d_with_plan
from safestride.nn.geometry import geometry_of
from safestride.nn.plan import Plan, cheaper_layout


def forced_plan(layout: str, block: int) -> Plan:
    """A plan that takes `layout` ("rows", "batch" or "wide") even on small
    inputs: wide outputs go straight into `out` from a width of 1, and
    `block` elements make blocks of one sample each."""
    return Plan(
        block=block,
        wide=1 if layout == "wide" else 1 << 30,
        layout="batch" if layout == "batch" else "rows",
    )


def reference_conv2d(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None,
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    groups: int,
) -> np.ndarray:
    """Cross-correlation as plain loops over every output element."""
    n, c, h, width = x.shape
    f, cg, kh, kw = w.shape
    xp = np.zeros((n, c, h + 2 * padding[0], width + 2 * padding[1]), dtype=np.float64)
    xp[:, :, padding[0] : padding[0] + h, padding[1] : padding[1] + width] = x
    ho = (xp.shape[2] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (xp.shape[3] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, f, ho, wo))
    fg = f // groups
    for i_n, i_f, i, j in itertools.product(range(n), range(f), range(ho), range(wo)):
        group = i_f // fg
        total = 0.0 if b is None else float(b[i_f])
        for i_c, p, q in itertools.product(range(cg), range(kh), range(kw)):
            total += (
                w[i_f, i_c, p, q]
                * xp[
                    i_n,
                    group * cg + i_c,
                    i * stride[0] + p * dilation[0],
                    j * stride[1] + q * dilation[1],
                ]
            )
        out[i_n, i_f, i, j] = total
    return out


def reference_conv2d_backward(
    grad_out: np.ndarray,
    x: np.ndarray,
    w: np.ndarray,
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    groups: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(grad_x, grad_w) as plain loops: every product of the forward loops,
    credited back to the input element and the weight that made it."""
    n, c, h, width = x.shape
    f, cg, kh, kw = w.shape
    top, left = padding
    xp = np.zeros((n, c, h + 2 * top, width + 2 * left))
    xp[:, :, top : top + h, left : left + width] = x
    grad_xp = np.zeros_like(xp)
    grad_w = np.zeros(w.shape)
    fg = f // groups
    _, _, ho, wo = grad_out.shape
    for i_n, i_f, i, j in itertools.product(range(n), range(f), range(ho), range(wo)):
        g = float(grad_out[i_n, i_f, i, j])
        for i_c, p, q in itertools.product(range(cg), range(kh), range(kw)):
            channel = (i_f // fg) * cg + i_c
            row, col = i * stride[0] + p * dilation[0], j * stride[1] + q * dilation[1]
            grad_xp[i_n, channel, row, col] += w[i_f, i_c, p, q] * g
            grad_w[i_f, i_c, p, q] += xp[i_n, channel, row, col] * g
    return grad_xp[:, :, top : top + h, left : left + width], grad_w


@st.composite
def conv_cases(draw: Any) -> dict[str, Any]:
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cg = draw(st.integers(1, 2))
    fg = draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    h = draw(st.integers(max(1, dilation[0] * (kh - 1) + 1 - 2 * padding[0]), 6))
    w_ = draw(st.integers(max(1, dilation[1] * (kw - 1) + 1 - 2 * padding[1]), 6))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    n = draw(st.integers(1, 2))
    x = rng.standard_normal((n, cg * groups, h, w_)).astype(dtype)
    if draw(st.booleans()):  # a non-contiguous input
        x = np.ascontiguousarray(x.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)
    weights = rng.standard_normal((fg * groups, cg, kh, kw)).astype(dtype)
    bias = (
        rng.standard_normal(fg * groups).astype(dtype) if draw(st.booleans()) else None
    )
    return {
        "x": x,
        "w": weights,
        "b": bias,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
    }


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


@settings(max_examples=40, deadline=None)
@given(conv_cases())
def test_gradients_match_finite_differences(case: dict[str, Any]) -> None:
    x = case["x"].astype(np.float64)
    w = case["w"].astype(np.float64)
    options = {k: case[k] for k in ("stride", "padding", "dilation", "groups")}
    rng = np.random.default_rng(1)
    grad_out = rng.standard_normal(conv2d(x, w, **options).shape)
    grad_x, grad_w, grad_b = conv2d_backward(grad_out, x, w, **options)

    def loss(xx: np.ndarray, ww: np.ndarray, bb: np.ndarray | None) -> float:
        return float((conv2d(xx, ww, bb, **options) * grad_out).sum())

    epsilon = 1e-6
    for array, grad in ((x, grad_x), (w, grad_w)):
        for index in list(np.ndindex(array.shape))[:12]:
            bump = np.zeros_like(array)
            bump[index] = epsilon
            args = (x + bump, w, None) if array is x else (x, w + bump, None)
            back = (x - bump, w, None) if array is x else (x, w - bump, None)
            numeric = (loss(*args) - loss(*back)) / (2 * epsilon)
            assert grad[index] == pytest.approx(numeric, rel=1e-5, abs=1e-6)
    np.testing.assert_allclose(grad_b, grad_out.sum(axis=(0, 2, 3)))


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


@pytest.mark.parametrize(
    ("x_shape", "w_shape"),
    [
        ((0, 3, 8, 8), (4, 3, 3, 3)),
        ((2, 3, 8, 8), (0, 3, 3, 3)),
        ((2, 0, 8, 8), (4, 0, 3, 3)),
    ],
    ids=["no samples", "no filters", "no channels"],
)
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
    grad_out = rng.standard_normal(y.shape)
    grad_x, grad_w, grad_b = conv2d_backward(grad_out, x, w, padding=1)
    np.testing.assert_array_equal(grad_x, np.zeros_like(x), strict=True)
    np.testing.assert_array_equal(grad_w, np.zeros_like(w), strict=True)
    np.testing.assert_allclose(grad_b, grad_out.sum(axis=(0, 2, 3)))


def test_windows_of_an_empty_batch_or_no_channels() -> None:
    assert windows(np.ones((0, 3, 8, 8)), 3).shape == (0, 3, 6, 6, 3, 3)
    assert windows(np.ones((2, 0, 8, 8)), 3).shape == (2, 0, 6, 6, 3, 3)


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


BAD = [
    (
        {"x": np.zeros((3, 8, 8))},
        ValueError,
        r"x must be 4-D \(N, C, H, W\); got shape \(3, 8, 8\)",
    ),
    ({"w": np.zeros((4, 3, 3))}, ValueError, r"w must be 4-D"),
    ({"w": np.zeros((4, 2, 3, 3))}, ValueError, "channel mismatch: x has 3 channels"),
    ({"groups": 2}, ValueError, r"groups=2 must divide both the input channels"),
    ({"groups": 0}, ValueError, "groups=0 must divide"),
    ({"groups": 1.0}, TypeError, "groups must be a positive int"),
    ({"stride": 0}, ValueError, "stride must be >= 1"),
    ({"dilation": (1, -1)}, ValueError, "dilation must be >= 1"),
    ({"stride": (1, 2, 3)}, ValueError, "stride must be an int or a pair"),
    ({"padding": -1}, ValueError, "padding must be >= 0"),
    (
        {"padding": "full"},
        ValueError,
        "padding must be an int, a pair, 'same' or 'valid'",
    ),
    ({"padding": "same", "stride": 2}, ValueError, "padding='same' needs stride 1"),
    (
        {"w": np.zeros((4, 3, 9, 3))},
        ValueError,
        r"the kernel height \(9, dilated to 9\) is larger than the padded input height",
    ),
    (
        {"b": np.zeros(3)},
        ValueError,
        r"b must have one value per filter, shape \(4,\)",
    ),
    ({"out": np.zeros((2, 4, 6, 6))}, ValueError, "out must be an ndarray of shape"),
    (
        {"x": np.zeros((2, 3, 8, 8), dtype=complex)},
        TypeError,
        "x must hold real numbers",
    ),
]


@pytest.mark.parametrize(("change", "error", "pattern"), BAD)
def test_bad_arguments_are_named(
    change: dict[str, Any], error: type, pattern: str
) -> None:
    arguments: dict[str, Any] = {
        "x": np.zeros((2, 3, 8, 8), dtype=np.float32),
        "w": np.zeros((4, 3, 3, 3), np.float32),
    }
    arguments.update(change)
    with pytest.raises(error, match=pattern):
        conv2d(**arguments)


def test_backward_checks_grad_out_shape() -> None:
    with pytest.raises(ValueError, match=r"grad_out must have conv2d's output shape"):
        conv2d_backward(
            np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 4, 4)), np.ones((1, 1, 2, 2))
        )


def test_windows_view_is_checked_and_read_only() -> None:
    x = np.arange(2 * 3 * 5 * 5, dtype=np.float64).reshape(2, 3, 5, 5)
    view = windows(x, (2, 3), stride=(1, 2), dilation=(2, 1))
    assert view.shape == (2, 3, 3, 2, 2, 3)
    assert not view.flags.writeable
    assert np.shares_memory(view, x)
    np.testing.assert_array_equal(view[1, 2, 2, 1], x[1, 2, 2:5:2, 2:5])
    padded = windows(x, 3, padding=1)
    assert padded.shape == (2, 3, 5, 5, 3, 3)
    assert padded[0, 0, 0, 0, 0, 0] == 0.0


def test_add_bias_and_its_gradient() -> None:
    y = np.zeros((2, 3, 4, 5))
    b = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(add_bias(y, b)[1, :, 3, 4], b)
    np.testing.assert_array_equal(
        add_bias(y, np.arange(5.0), axis=-1)[0, 0, 0], np.arange(5)
    )
    with pytest.raises(ValueError, match=r"Did you mean axis=3\?"):
        add_bias(y, np.arange(5.0))
    with pytest.raises(ValueError, match="axis 4 is out of range"):
        add_bias(y, b, axis=4)
    np.testing.assert_array_equal(bias_grad(np.ones((2, 3, 4, 5))), [40.0] * 3)
    np.testing.assert_array_equal(bias_grad(np.ones((2, 3, 4, 5)), axis=-1), [24.0] * 5)


def test_against_torch_when_installed() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 9, 7))
    w = rng.standard_normal((6, 2, 3, 2))
    b = rng.standard_normal(6)
    options = {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2), "groups": 2}
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    expected = torch.nn.functional.conv2d(tx, tw, tb, **options)
    np.testing.assert_allclose(
        conv2d(x, w, b, **options), expected.detach().numpy(), rtol=1e-10, atol=1e-10
    )
    grad_out = rng.standard_normal(expected.shape)
    expected.backward(torch.tensor(grad_out))
    grads = conv2d_backward(grad_out, x, w, **options)
    for ours, theirs in zip(grads, (tx.grad, tw.grad, tb.grad), strict=True):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-10, atol=1e-10)


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


def test_the_layout_follows_the_cost_of_wasted_outputs() -> None:
    """Small images waste most with row runs; a big image wastes almost none."""

    def layout(n: int, c: int, side: int, f: int, k: int) -> str:
        x = np.zeros((n, c, side, side), dtype=np.float32)
        geometry = geometry_of(
            x, (f, c, k, k), stride=1, padding=0, dilation=1, groups=1
        )
        return cheaper_layout(geometry)

    assert layout(100, 8, 12, 16, 5) == "batch"
    assert layout(1, 3, 512, 16, 3) == "rows"
    assert layout(64, 32, 18, 64, 3) == "rows"


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


@settings(max_examples=60, deadline=None)
@given(conv_cases(), st.sampled_from(["rows", "batch", "wide"]), st.integers(1, 3))
def test_results_never_share_memory_with_the_scratch_pool(
    case: dict[str, Any], layout: str, filters_per_channel: int
) -> None:
    """conv2d keeps its temporaries between calls; what it returns must be new."""
    options = {k: case[k] for k in ("stride", "padding", "dilation", "groups")}
    x = case["x"]
    # more filters than channels makes the gradient buffers the larger ones
    w = np.concatenate([case["w"]] * filters_per_channel)
    plan = forced_plan(layout, block=7)  # several blocks, one sample each
    y = conv2d_with_plan(x, w, **options, plan=plan)
    grads = conv2d_backward_with_plan(np.ones_like(y), x, w, **options, plan=plan)
    kept = [array.copy() for array in (y, *grads)]
    again = conv2d_with_plan(-x, w, **options, plan=plan)
    conv2d_backward_with_plan(np.full_like(again, 3.0), -x, w, **options, plan=plan)
    for result, copy in zip((y, *grads), kept, strict=True):
        np.testing.assert_array_equal(result, copy)
        for buffer in scratch.pooled_buffers():
            assert not np.shares_memory(result, buffer)
    assert not np.shares_memory(grads[0], x)


def test_the_scratch_pool_is_bounded_and_can_be_released() -> None:
    from safestride.nn import release_scratch

    x = np.ones((8, 4, 32, 32), dtype=np.float32)
    conv2d(x, np.ones((8, 4, 3, 3), dtype=np.float32), padding=1)
    assert scratch.pooled_buffers(), (
        "conv2d should keep its temporaries for the next call"
    )
    assert sum(b.nbytes for b in scratch.pooled_buffers()) <= scratch.POOL_BYTES
    release_scratch()
    assert scratch.pooled_buffers() == ()


def test_scratch_reuses_buffers_that_fit_and_leaves_much_larger_ones() -> None:
    from safestride.nn import release_scratch

    release_scratch()
    with scratch.Scratch() as pool:
        pool.empty((1000,), np.float32)
    (kept,) = scratch.pooled_buffers()
    with scratch.Scratch() as pool:
        small = pool.empty((10,), np.float32)
        assert not np.shares_memory(small, kept)
        fitting = pool.empty((600,), np.float32)
        assert np.shares_memory(fitting, kept)
    release_scratch()


def test_threads_each_get_their_own_scratch() -> None:
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(5)
    cases = [
        (rng.standard_normal((4, 3, 10, 10)), rng.standard_normal((5, 3, 3, 3)))
        for _ in range(8)
    ]
    expected = [conv2d(x, w, padding=1) for x, w in cases]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(5):
            got = list(pool.map(lambda case: conv2d(*case, padding=1), cases))
            for ours, reference in zip(got, expected, strict=True):
                np.testing.assert_array_equal(ours, reference)
