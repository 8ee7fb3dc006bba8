"""diagnose(): a report on arrays someone else made."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided as numpy_as_strided

from safestride import ForeignElementError, OutOfBoundsError, Overlap, diagnose


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
    assert report.ok  # memory-safe: inside the allocation...
    assert report.in_bounds
    assert report.outside_source is not None  # ...but outside the bias
    assert report.outside_source.bytes_past_end == 48
    assert "reaches outside the array it was made from" in report.problems[0]
    assert "note: reaches outside" in str(report)
    strict = diagnose(bad, bounds="array")
    assert not strict.ok
    assert strict.violation is not None
    assert strict.violation.bounds == "array"
    assert "the array it was made from" in str(strict)
    assert any("Stale strides?" in c for c in strict.violation.causes)
    with pytest.raises(OutOfBoundsError):
        strict.raise_if_unsafe()


def test_a_view_walking_back_from_a_slice_inside_its_allocation_is_ok() -> None:
    values = np.arange(10.0)
    toeplitz = numpy_as_strided(values[4:], shape=(5, 5), strides=(-8, 8))
    report = diagnose(toeplitz)
    assert report.ok, str(report)  # was ok=False: issue 12, item 9
    assert report.violation is None
    report.raise_if_unsafe()
    assert report.outside_source is not None
    assert report.outside_source.bytes_before_start == 32
    assert not diagnose(toeplitz, bounds="array").ok


def test_elements_level_finds_reads_between_the_sources_elements() -> None:
    stereo = np.arange(20.0).reshape(10, 2)
    left = stereo[:, 0]
    frames = numpy_as_strided(left, shape=(4, 3), strides=(8, 8))  # itemsize strides
    assert diagnose(frames).ok
    assert diagnose(frames, bounds="array").ok  # inside left's span
    report = diagnose(frames, bounds="elements")
    assert not report.ok
    assert report.foreign_offset == 8
    assert report.foreign_index in {(1, 0), (0, 1)}  # both start at byte 8
    assert "not elements of the array it was made from" in report.problems[0]
    assert "UNSAFE" in str(report)
    with pytest.raises(ForeignElementError):
        report.raise_if_unsafe()
    good = numpy_as_strided(left, shape=(4, 3), strides=(16, 16))
    assert diagnose(good, bounds="elements").ok
    backwards = numpy_as_strided(left[::-1][3:], shape=(2, 2), strides=(-16, -16))
    assert diagnose(backwards, bounds="elements").ok  # left reversed, read forwards


def test_zero_itemsize_arrays_touch_no_memory() -> None:
    records = np.zeros(4, [("a", "f8"), ("nothing", [])])
    empty_field = records["nothing"]
    view = numpy_as_strided(empty_field, shape=(3, 5), strides=(1, 3))
    for bounds in ("buffer", "array", "elements"):
        report = diagnose(view, bounds=bounds)
        assert report.ok, str(report)
        assert report.extent is None


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
