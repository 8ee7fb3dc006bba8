"""The per-thread scratch pool: bounded, releasable, never behind a result."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings, strategies as st

from safestride import conv2d
from safestride.nn import scratch
from safestride.nn.backward import conv2d_backward_with_plan
from safestride.nn.forward import conv2d_with_plan
from tests.nn.reference import conv_cases, forced_plan


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
