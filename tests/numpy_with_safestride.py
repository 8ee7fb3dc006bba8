"""A pytest plugin that puts safestride's as_strided in numpy's place.

Loaded with ``-p tests.numpy_with_safestride``; it substitutes when pytest
configures, before numpy's own test module is imported, so that module and
numpy's internal callers (sliding_window_view) all use the checked function.
Counts the calls so the run can prove it.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

import safestride

try:
    from numpy.lib import _stride_tricks_impl as _impl
except ImportError:  # numpy < 2.0 keeps the implementation in stride_tricks
    from numpy.lib import stride_tricks as _impl  # type: ignore[no-redef]

calls = 0


@functools.wraps(safestride.as_strided)
def counted_as_strided(*args: Any, **kwargs: Any) -> Any:
    global calls
    calls += 1
    return safestride.as_strided(*args, **kwargs)


def pytest_configure(config: Any) -> None:
    """Substitute before collection imports numpy's test module."""
    _impl.as_strided = counted_as_strided
    np.lib.stride_tricks.as_strided = counted_as_strided  # type: ignore[assignment]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(f"safestride as_strided calls: {calls}")
