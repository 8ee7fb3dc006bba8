"""diagnose(): a report on arrays someone else made."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided as numpy_as_strided

from safestride import OutOfBoundsError, Overlap, diagnose


def test_safe_arrays_are_ok() -> None:
    x = np.arange(12.0)
    for array in (x, x[::2], x.reshape(3, 4).T, numpy_as_strided(x, (3, 4), (32, 8))):
        report = diagnose(array)
        assert report.ok, str(report)
        assert report.violation is None
        report.raise_if_unsafe()


def test_a_view_past_its_allocation_is_reported_not_raised() -> None:
    x = np.arange(4.0)
    bad = numpy_as_strided(x, shape=(3, 4), strides=(16, 8))
    report = diagnose(bad)
    assert not report.ok
    assert report.violation is not None
    assert report.violation.bytes_past_end == 32
    assert "UNSAFE" in str(report)
    assert "reads outside its memory" in report.problems[0]
    with pytest.raises(OutOfBoundsError):
        report.raise_if_unsafe()


def test_the_silent_case_inside_the_allocation_but_outside_the_source() -> None:
    arena = np.full(64, 1e300)
    bias = arena[:3]
    bad = numpy_as_strided(bias, shape=(2, 3, 4), strides=(0, 32, 0))
    report = diagnose(bad)
    assert not report.ok
    assert report.violation is not None
    assert report.violation.bounds == "array"
    assert "the array it was made from" in str(report)
    assert any("Stale strides?" in c for c in report.violation.causes)


def test_overlap_and_alignment_are_noted() -> None:
    x = np.arange(10.0)
    report = diagnose(numpy_as_strided(x, shape=(4, 3), strides=(0, 8)))
    assert report.ok
    assert report.overlap is Overlap.CERTAIN
    assert "writeable, and its elements overlap" in report.problems
    raw = np.zeros(81, dtype=np.uint8)
    assert "misaligned for its dtype" in diagnose(raw[1:].view(np.float64)).problems


def test_diagnose_rejects_non_arrays() -> None:
    with pytest.raises(TypeError, match="diagnose needs an existing numpy array"):
        diagnose([1, 2, 3])  # type: ignore[arg-type]
