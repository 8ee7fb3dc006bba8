"""safestride.testing.strategies: what the docstrings promise, arguments checked,
the old import path kept, and a clear ImportError without hypothesis."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import find, given, settings
from hypothesis.errors import InvalidArgument

from safestride.testing.strategies import (
    DTYPES,
    StridedCase,
    parents,
    sliced,
    strided_cases,
    view_requests,
)
from tests.helpers import run_python


def _element_bytes(array: np.ndarray) -> list[bytes]:
    flat = np.ascontiguousarray(array).reshape(-1)
    return [flat[i : i + 1].tobytes() for i in range(flat.size)]


@settings(max_examples=50)
@given(strided_cases())
def test_cases_are_views_of_their_parent(case: StridedCase) -> None:
    assert case.x.dtype in DTYPES
    assert len(case.shape) == len(case.strides)
    if case.x.size:
        assert np.shares_memory(case.x, case.parent)
    assert case.parent.base is None


@settings(max_examples=30)
@given(parents(dtype=np.dtype(np.bool_)).flatmap(sliced))
def test_bool_parents_hold_valid_bools(x: np.ndarray) -> None:
    assert set(np.unique(x.view(np.uint8))) <= {0, 1}


def test_dtypes_have_every_itemsize_from_1_to_16() -> None:
    assert sorted({dtype.itemsize for dtype in DTYPES}) == list(range(1, 17))


@settings(max_examples=100)
@given(parents())
def test_elements_have_distinct_bytes(parent: np.ndarray) -> None:
    assert parent.flags.c_contiguous
    if parent.dtype != np.bool_:
        patterns = _element_bytes(parent)
        assert len(set(patterns)) == len(patterns)


def test_distinct_beyond_251_elements() -> None:
    # the old fill repeated every 251 bytes: elements 0 and 251 were equal
    parent = find(parents(np.uint16, max_dims=1, max_side=300), lambda a: a.size > 260)
    assert len(set(_element_bytes(parent))) == parent.size
    assert parent[:3].tolist() == [1, 2, 3]


def test_bools_alternate() -> None:
    parent = find(parents(bool, max_dims=1), lambda a: a.size >= 4)
    assert parent.tolist() == [True, False, True, False]


def test_object_parents_hold_the_ints_from_1() -> None:
    parent = find(parents(dtype=object, max_dims=2), lambda a: a.ndim == 2 and a.size)
    assert parent.dtype == object
    assert parent.reshape(-1).tolist() == list(range(1, parent.size + 1))
    assert all(type(item) is int for item in parent.reshape(-1))


def test_records_with_objects_fill_every_field() -> None:
    record = np.dtype([("obj", object), ("val", "f8"), ("flag", bool)])
    parent = find(parents(dtype=record, max_dims=1), lambda a: a.size >= 3)
    assert parent["obj"].tolist() == [1, 2, 3]
    assert parent["flag"].tolist() == [True, False, True]
    assert len(set(_element_bytes(parent["val"]))) == 3


@settings(max_examples=20)
@given(strided_cases(dtype=object))
def test_object_cases(case: StridedCase) -> None:
    assert case.parent.dtype == object
    assert case.x.dtype == object


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: parents(dtype="not a dtype"), "parents(dtype='not a dtype'): not a"),
        (lambda: parents(dtype="(2,)f8"), "a subarray dtype makes arrays of float64"),
        (lambda: parents(max_dims=-1), "parents(max_dims=-1): max_dims must be >= 0"),
        (lambda: parents(max_side=2.5), "parents(max_side=2.5): max_side must be an"),
        (lambda: parents(max_dims=True), "max_dims must be an int, got bool"),
        (lambda: sliced([1, 2]), "sliced(parent=...): parent must be a numpy array"),
        (lambda: view_requests((3,)), "view_requests(x=...): x must be a numpy array"),
        (
            lambda: view_requests(np.zeros(3), max_side="4"),
            "view_requests(max_side='4'): max_side must be an int, got str",
        ),
        (lambda: strided_cases(dtype=3.5), "strided_cases(dtype=3.5): not a numpy"),
    ],
)
def test_bad_arguments_are_refused_when_called(make: Any, words: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        make()  # at the call, not at the first draw
    assert words in str(refused.value)
    assert isinstance(refused.value, TypeError)


def test_numpy_integers_are_counts() -> None:
    parent = find(
        parents(np.int8, max_dims=np.int64(1), max_side=np.int32(2)),
        lambda a: a.size == 2,
    )
    assert parent.tolist() == [1, 2]


def test_the_old_import_path_gives_the_same_objects() -> None:
    import safestride.strategies as old
    import safestride.testing.strategies as new

    assert old.__all__ == new.__all__
    for name in new.__all__:
        assert getattr(old, name) is getattr(new, name), name


@pytest.mark.subprocess
@pytest.mark.parametrize(
    "module", ["safestride.testing.strategies", "safestride.strategies"]
)
def test_import_without_hypothesis_says_how_to_get_it(module: str) -> None:
    result = run_python(
        code=f"""
        import sys; sys.modules['hypothesis'] = None
        try:
            import {module}
        except ImportError as error:
            print(error)
        import safestride, safestride.testing
        print('core imports fine', safestride.as_strided)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "safestride.testing.strategies (also importable as" in result.stdout
    assert 'pip install "safestride[hypothesis]"' in result.stdout
    assert "core imports fine" in result.stdout
