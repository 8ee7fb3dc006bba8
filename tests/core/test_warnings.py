"""OverlapWarning and MisalignedWarning: when they fire, when not, where they point."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from safestride import MisalignedWarning, OverlapWarning, as_strided, check_view
from safestride.core.extent import Overlap, overlap


def test_writeable_zero_stride_view_warns_with_the_repeat_count() -> None:
    x = np.arange(3.0)
    with pytest.warns(OverlapWarning, match=r"strides\[0\] = 0 repeats each element 4"):
        as_strided(x, shape=(4, 3), strides=(0, 8))


def test_warning_points_at_the_callers_line() -> None:
    x = np.arange(3.0)
    with pytest.warns(OverlapWarning) as record:
        as_strided(x, shape=(4, 3), strides=(0, 8))
    assert record[0].filename == __file__
    with pytest.warns(OverlapWarning) as record:
        as_strided(x, shape=[4, 3], strides=[0, 8])  # the general path
    assert record[0].filename == __file__


def test_writeable_windows_warn_that_elements_share_memory() -> None:
    x = np.arange(10.0)
    with pytest.warns(OverlapWarning, match="its elements share memory"):
        as_strided(x, shape=(8, 3), strides=(8, 8))


@pytest.mark.parametrize("writeable", [False])
def test_read_only_views_never_warn_about_overlap(writeable: bool) -> None:
    x = np.arange(10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        as_strided(x, shape=(8, 3), strides=(8, 8), writeable=writeable)
        as_strided(x, shape=(4, 3), strides=(0, 8), writeable=writeable)


def test_read_only_input_never_warns_about_overlap() -> None:
    x = np.arange(10.0)
    x.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        as_strided(x, shape=(8, 3), strides=(8, 8))


def test_disjoint_writeable_views_do_not_warn() -> None:
    x = np.arange(24.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        as_strided(x, shape=(4, 3, 2), strides=(48, 16, 8))
        as_strided(x, shape=(3, 4), strides=(8, 24))  # transposed layout
        as_strided(x, shape=(2, 3), strides=(8, 16))  # interleaved: 0,2,4 / 1,3,5


def test_overlap_verdicts() -> None:
    assert overlap((2, 3), (8, 16), 8) is Overlap.NONE  # interleaved, enumerated
    assert overlap((2, 3), (8, 8), 8) is Overlap.CERTAIN
    assert overlap((3,), (4,), 8) is Overlap.CERTAIN  # partial element overlap
    assert overlap((300, 300), (8, 16), 8) is Overlap.POSSIBLE  # too big to enumerate
    assert overlap((0, 3), (0, 0), 8) is Overlap.NONE


def test_undecidable_overlap_says_may() -> None:
    x = np.arange(100_000.0)
    with pytest.warns(OverlapWarning, match="may share memory"):
        as_strided(x, shape=(300, 300), strides=(8, 16))


def test_misaligned_strides_warn_and_recognise_strides_in_elements() -> None:
    x = np.arange(10.0)
    with pytest.warns(
        MisalignedWarning, match=r"strides\[0\] = 1 is not a multiple"
    ) as rec:
        as_strided(x, shape=(8, 3), strides=(1, 1), writeable=False, bounds="array")
    assert "Strides in elements?" in str(rec[0].message)
    assert rec[0].filename == __file__


def test_check_view_warns_like_as_strided() -> None:
    x = np.arange(10.0)
    with pytest.warns(MisalignedWarning):
        check_view(x, (3,), (4,), bounds="array")


def test_already_misaligned_input_does_not_warn_again() -> None:
    raw = np.zeros(81, dtype=np.uint8)
    x = raw[1:].view(np.float64)  # misaligned by construction, not by strides
    assert not x.flags.aligned
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        as_strided(x, shape=(5,), strides=(12,), writeable=False, bounds="array")
