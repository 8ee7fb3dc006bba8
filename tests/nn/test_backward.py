"""conv2d_backward's gradients against finite differences and PyTorch, and its
shape check."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

from safestride import conv2d, conv2d_backward
from safestride.nn.backward import conv2d_backward_with_plan
from safestride.nn.plan import DEFAULT_PLAN
from tests.nn.reference import EMPTY_IDS, EMPTY_SHAPES, conv_cases


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


@pytest.mark.parametrize(("x_shape", "w_shape"), EMPTY_SHAPES, ids=EMPTY_IDS)
def test_gradients_of_empty_batches_filters_and_channels(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...]
) -> None:
    """Empty sums are zero: what PyTorch gives, and what the loops give."""
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    y = conv2d(x, w, b, padding=1)
    grad_out = rng.standard_normal(y.shape)
    grad_x, grad_w, grad_b = conv2d_backward(grad_out, x, w, padding=1)
    np.testing.assert_array_equal(grad_x, np.zeros_like(x), strict=True)
    np.testing.assert_array_equal(grad_w, np.zeros_like(w), strict=True)
    np.testing.assert_allclose(grad_b, grad_out.sum(axis=(0, 2, 3)))


def test_backward_checks_grad_out_shape() -> None:
    with pytest.raises(ValueError, match=r"grad_out must have conv2d's output shape"):
        conv2d_backward(
            np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 4, 4)), np.ones((1, 1, 2, 2))
        )


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


def test_the_planned_backward_pass_takes_the_same_arguments_and_a_plan() -> None:
    """Tests force paths through conv2d_backward_with_plan; it must stay
    conv2d_backward plus a keyword-only plan that defaults to the one
    conv2d_backward uses."""
    public = list(inspect.signature(conv2d_backward).parameters.values())
    internal = dict(inspect.signature(conv2d_backward_with_plan).parameters)
    plan = internal.pop("plan")
    assert plan.kind is inspect.Parameter.KEYWORD_ONLY
    assert plan.default is DEFAULT_PLAN
    assert list(internal.values()) == public
