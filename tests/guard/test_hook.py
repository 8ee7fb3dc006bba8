"""What numpy's as_strided does while guarded: record, then act on the policy."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

from safestride import UnsafeViewWarning, guarded, uninstall


@pytest.fixture(autouse=True)
def _always_uninstall() -> Iterator[None]:
    yield
    uninstall()


def test_warn_policy_warns_once_per_line_whatever_the_view() -> None:
    with guarded(policy="warn") as report, warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for size in (4, 5, 6):
            as_strided(np.arange(float(size)), shape=(size + 3,), strides=(8,))
    unsafe = [w for w in seen if issubclass(w.category, UnsafeViewWarning)]
    assert len(unsafe) == 1
    assert unsafe[0].filename == __file__
    assert len(report) == 3


def test_each_report_hears_of_a_line_once() -> None:
    x = np.arange(4.0)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for _ in range(2):
            with guarded(policy="warn"):
                for _ in range(3):
                    as_strided(x, shape=(5,), strides=(8,))
    assert sum(issubclass(w.category, UnsafeViewWarning) for w in seen) == 2
