"""Bad arguments to conv2d get an error that names them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from safestride import conv2d

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
