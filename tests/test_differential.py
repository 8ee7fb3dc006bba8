"""safestride against an oracle that enumerates every element, and against numpy."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from numpy.lib.stride_tricks import as_strided as numpy_as_strided

from safestride import (
    ForeignElementError,
    OutOfBoundsError,
    SafeStrideWarning,
    as_strided,
    check_view,
)
from safestride.strategies import StridedCase, strided_cases
from tests.oracle import is_out_of_bounds, reads_foreign_element, same_view

BOUNDS = ("array", "buffer", "elements")


def _checked(
    case: StridedCase, bounds: str, writeable: bool, as_lists: bool = False
) -> np.ndarray | None:
    """safestride's view, or None when it refused with OutOfBoundsError.

    Tuples of ints take the fast path; lists take the general one.
    """
    shape = list(case.shape) if as_lists else case.shape
    strides = list(case.strides) if as_lists else case.strides
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SafeStrideWarning)
        try:
            return as_strided(
                case.x, shape, strides, writeable=writeable, bounds=bounds
            )
        except OutOfBoundsError:
            return None


@pytest.mark.parametrize("bounds", BOUNDS)
@settings(max_examples=250)
@given(case=strided_cases(), writeable=..., as_lists=...)
def test_raises_exactly_when_the_oracle_says_out_of_bounds(
    case: StridedCase, bounds: str, writeable: bool, as_lists: bool
) -> None:
    outside = is_out_of_bounds(case.parent, case.x, case.shape, case.strides, bounds)
    if bounds == "elements" and not outside:
        outside = reads_foreign_element(case.x, case.shape, case.strides)
    ours = _checked(case, bounds, writeable, as_lists)
    assert (ours is None) == outside
    if ours is not None:
        theirs = numpy_as_strided(case.x, case.shape, case.strides, writeable=writeable)
        same_view(ours, theirs)


@settings(max_examples=150)
@given(case=strided_cases())
def test_check_view_agrees_with_as_strided(case: StridedCase) -> None:
    def outcome(function: object) -> str:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SafeStrideWarning)
            try:
                function(case.x, case.shape, case.strides)  # type: ignore[operator]
            except OutOfBoundsError as error:
                return type(error).__name__
        return "ok"

    assert outcome(check_view) == outcome(as_strided)


@settings(max_examples=100)
@given(case=strided_cases())
def test_elements_error_is_the_foreign_kind_when_inside_the_span(
    case: StridedCase,
) -> None:
    inside = not is_out_of_bounds(
        case.parent, case.x, case.shape, case.strides, "array"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SafeStrideWarning)
        try:
            as_strided(case.x, case.shape, case.strides, bounds="elements")
        except ForeignElementError:
            assert inside
        except OutOfBoundsError:
            assert not inside
