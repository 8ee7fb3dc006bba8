"""What numpy's as_strided does while guarded: record, then act on the policy."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

from safestride import UnsafeViewWarning, guarded, uninstall
from safestride.guard.callsite import add_block_namer, remove_block_namer
from safestride.guard.hook import make_hook
from safestride.guard.patch import original_copy


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


def test_check_bounds_false_is_checked_like_any_call() -> None:
    """numpy 2.5's ``check_bounds=False`` does not switch the guard off (on
    any numpy: the hook is given a stand-in with numpy 2.5's signature)."""
    unguarded = original_copy(as_strided)

    def numpy_2_5(
        x: Any,
        shape: Any = None,
        strides: Any = None,
        subok: Any = False,
        writeable: Any = True,
        *,
        check_bounds: Any = None,
    ) -> Any:
        return unguarded(x, shape, strides, subok, writeable)

    hook = make_hook(numpy_2_5)  # type: ignore[arg-type]
    with guarded(policy="record") as report:
        view = hook(np.zeros(2), (50,), (8,), check_bounds=False)
        hook(np.zeros(2), (2,), (8,), check_bounds=False)
    assert view.shape == (50,)  # numpy's view, made as asked
    (found,) = report
    assert found.violation.bytes_past_end == 48 * 8


def test_a_warning_names_a_notebook_cell_as_the_cell() -> None:
    def cells(filename: str) -> str | None:
        return "Cell In[4]" if filename == __file__ else None

    add_block_namer(cells)
    try:
        with guarded(policy="warn"), pytest.warns(UnsafeViewWarning) as caught:
            as_strided(np.zeros(2), shape=(3,), strides=(8,))
    finally:
        remove_block_namer(cells)
    assert [w.filename for w in caught] == ["Cell In[4]"]
