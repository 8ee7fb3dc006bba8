"""What the conv2d tests share: plain-loop references, random cases, forced plans."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from hypothesis import strategies as st

from safestride.nn.plan import Plan


def forced_plan(layout: str, block: int) -> Plan:
    """A plan that takes `layout` ("rows", "batch" or "wide") for stride 1,
    even on small inputs. "wide" is the rows layout writing into `out` from an
    output width of 1, which it does once `block` is small enough for a block
    to hold rows of one sample only."""
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


#: (x shape, w shape) of convolutions with no samples, filters or channels.
EMPTY_SHAPES = [
    ((0, 3, 8, 8), (4, 3, 3, 3)),
    ((2, 3, 8, 8), (0, 3, 3, 3)),
    ((2, 0, 8, 8), (4, 0, 3, 3)),
]
EMPTY_IDS = ["no samples", "no filters", "no channels"]
