"""windows: checked, read-only views of every kernel window."""

from __future__ import annotations

import numpy as np

from safestride import windows


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


def test_windows_of_an_empty_batch_or_no_channels() -> None:
    assert windows(np.ones((0, 3, 8, 8)), 3).shape == (0, 3, 6, 6, 3, 3)
    assert windows(np.ones((2, 0, 8, 8)), 3).shape == (2, 0, 6, 6, 3, 3)
