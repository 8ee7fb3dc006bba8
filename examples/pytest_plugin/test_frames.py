"""Tests to run with the plugin on: pytest --safestride examples/pytest_plugin

test_frames_off_by_one fails: it makes an unsafe view, and even catching the
error does not hide it.
"""

import contextlib

import numpy as np
from numpy.lib.stride_tricks import as_strided


def frames(signal, width):
    count = signal.size - width + 2  # BUG: one frame too many
    return as_strided(signal, shape=(count, width), strides=signal.strides * 2)


def test_window_view_in_bounds():
    view = np.lib.stride_tricks.sliding_window_view(np.arange(6.0), 3)
    assert view.shape == (4, 3)


def test_frames_off_by_one():
    with contextlib.suppress(ValueError):  # swallowed: still fails under --safestride
        frames(np.arange(10.0), 4)


def test_report_fixture(safestride_report):
    as_strided(np.arange(4.0), shape=(2, 2), strides=(16, 8), writeable=False)
    assert len(safestride_report) == 0
