"""safestride against an oracle that enumerates every element, and against numpy."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from numpy.lib.stride_tricks import as_strided as numpy_as_strided

from safestride import (
    ForeignElementError,
    MisalignedError,
    OutOfBoundsError,
    SafeStrideWarning,
    as_strided,
    check_view,
)
from safestride.strategies import StridedCase, sliced, strided_cases, view_requests
from tests.oracle import (
    element_offsets,
    is_out_of_bounds,
    object_pointer_bytes,
    object_pointer_starts,
    object_slots,
    reads_foreign_element,
    same_view,
)

BOUNDS = ("array", "buffer", "elements")
#: Dtypes the default strategy leaves out: halves of complex numbers, and
#: elements of no bytes at all.
MORE_DTYPES = ("c16", "c8", "V0")


def _checked(
    case: StridedCase, bounds: str | None, writeable: bool, as_lists: bool = False
) -> np.ndarray | None:
    """safestride's view, or None when it refused with OutOfBoundsError.

    Tuples of ints take the fast path; lists take the general one. `bounds`
    None is the default.
    """
    shape = list(case.shape) if as_lists else case.shape
    strides = list(case.strides) if as_lists else case.strides
    level: dict[str, Any] = {} if bounds is None else {"bounds": bounds}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SafeStrideWarning)
        try:
            return as_strided(case.x, shape, strides, writeable=writeable, **level)
        except OutOfBoundsError:
            return None


def _refused_by_oracle(case: StridedCase, bounds: str) -> bool:
    outside = is_out_of_bounds(case.parent, case.x, case.shape, case.strides, bounds)
    if bounds == "elements" and not outside and case.x.itemsize:
        outside = reads_foreign_element(case.x, case.shape, case.strides)
    return outside and case.x.itemsize > 0  # elements of no bytes read nothing


def _agrees(
    case: StridedCase, bounds: str | None, writeable: bool, lists: bool
) -> None:
    refused = _refused_by_oracle(case, bounds or "elements")
    ours = _checked(case, bounds, writeable, lists)
    assert (ours is None) == refused
    if ours is not None:
        theirs = numpy_as_strided(case.x, case.shape, case.strides, writeable=writeable)
        same_view(ours, theirs)


@pytest.mark.parametrize("bounds", [*BOUNDS, None])
@settings(max_examples=250)
@given(case=strided_cases(), writeable=..., as_lists=...)
def test_raises_exactly_when_the_oracle_says_out_of_bounds(
    case: StridedCase, bounds: str | None, writeable: bool, as_lists: bool
) -> None:
    _agrees(case, bounds, writeable, as_lists)


@pytest.mark.parametrize("dtype", MORE_DTYPES)
@settings(max_examples=100)
@given(data=st.data(), writeable=..., as_lists=...)
def test_the_element_level_agrees_on_complex_and_empty_elements(
    dtype: str, data: st.DataObject, writeable: bool, as_lists: bool
) -> None:
    case = data.draw(strided_cases(dtype=dtype))
    _agrees(case, None, writeable, as_lists)


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


RECORDS = np.dtype([("name", object), ("value", "f8"), ("count", "i4")])


@st.composite
def _next_to_objects(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, Any]:
    """A record array with an object field, a field view or slice of it, and
    a view request of that."""
    parent = np.zeros(draw(st.integers(1, 6)), RECORDS)
    parent["name"] = [f"n{i}" for i in range(parent.size)]
    field = draw(st.sampled_from(("value", "count", "name", None)))
    whole = parent if field is None else parent[field]
    x = draw(sliced(whole))
    return parent, x, draw(view_requests(x))


@pytest.mark.parametrize("bounds", [*BOUNDS, None])
@settings(max_examples=150)
@given(
    made=_next_to_objects(),
    check_bounds=st.sampled_from((None, False)),
    writeable=st.booleans(),
)
def test_no_view_next_to_object_pointers_touches_them_as_anything_else(
    made: tuple[np.ndarray, np.ndarray, Any],
    bounds: str | None,
    check_bounds: Any,
    writeable: bool,
) -> None:
    """Every object field of the view lands on a pointer and, when the view
    is writeable, nothing else does (a read-only view may read their bytes)."""
    parent, x, (shape, strides) = made
    level: dict[str, Any] = {} if bounds is None else {"bounds": bounds}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SafeStrideWarning)
        try:
            view = as_strided(
                x,
                shape,
                strides,
                writeable=writeable,
                check_bounds=check_bounds,
                **level,
            )
        except MisalignedError:
            assert 0 not in shape
            foreign = reads_foreign_element(x, shape, strides)
            outside = is_out_of_bounds(parent, x, shape, strides, "array")
            assert foreign or outside  # refused only what the rule says
            return
        except OutOfBoundsError:
            assert check_bounds is None
            return
    if 0 in shape:
        return
    starts = object_pointer_starts(parent, x)
    slots = object_slots(x.dtype)
    slot_bytes = {q + b for q in slots for b in range(np.dtype(object).itemsize)}
    elements = element_offsets(shape, strides)
    assert all(o + q in starts for o in elements for q in slots)
    if writeable:
        others = {
            o + b for o in elements for b in range(x.itemsize) if b not in slot_bytes
        }
        assert not others & object_pointer_bytes(parent, x)
    same_view(view, numpy_as_strided(x, shape, strides, writeable=writeable))
