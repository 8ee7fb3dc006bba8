"""add_bias and bias_grad."""

from __future__ import annotations

import numpy as np
import pytest

from safestride import add_bias, bias_grad


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
