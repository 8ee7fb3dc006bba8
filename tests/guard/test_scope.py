"""The user's own code is held to the strict level, installed libraries to
their own allocation: no false alarm on scipy's toeplitz, no miss in user code."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from safestride import guarded, uninstall
from safestride.guard.scope import is_installed_file

#: scipy.linalg.toeplitz's pattern: walk back from a slice of its own array.
TOEPLITZ_LIKE = """
import numpy as np
from numpy.lib.stride_tricks import as_strided

def toeplitz(c, r):
    vals = np.concatenate((np.asarray(c)[::-1], np.asarray(r)[1:]))
    n = vals.strides[0]
    return as_strided(vals[len(c) - 1:], shape=(len(c), len(r)),
                      strides=(-n, n)).copy()

def past_its_buffer(x):
    return as_strided(x, shape=(x.size + 4,), strides=x.strides)
"""


def load(directory: Path, name: str, source: str) -> ModuleType:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.py").write_text(textwrap.dedent(source))
    sys.path.insert(0, str(directory))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(directory))
        sys.modules.pop(name, None)


@pytest.fixture
def installed(tmp_path: Path) -> Iterator[ModuleType]:
    yield load(tmp_path / "site-packages", "fake_linalg", TOEPLITZ_LIKE)
    uninstall()


@pytest.fixture
def users_own(tmp_path: Path) -> Iterator[ModuleType]:
    yield load(tmp_path / "project", "my_linalg", TOEPLITZ_LIKE)
    uninstall()


def test_files_in_site_packages_are_installed_code(tmp_path: Path) -> None:
    assert is_installed_file(np.__file__)
    assert is_installed_file(str(tmp_path / "site-packages" / "lib.py"))
    assert not is_installed_file(str(tmp_path / "project" / "train.py"))
    assert not is_installed_file("<stdin>")


def test_a_library_walking_back_in_its_own_array_is_not_an_alarm(
    installed: ModuleType,
) -> None:
    with guarded(policy="raise") as report:
        matrix = installed.toeplitz([1.0, 2.0, 3.0], [1.0, 4.0, 5.0, 6.0])
    assert matrix.tolist() == [[1, 4, 5, 6], [2, 1, 4, 5], [3, 2, 1, 4]]
    assert len(report) == 0


def test_the_same_code_of_the_users_own_is_held_to_the_strict_level(
    users_own: ModuleType,
) -> None:
    with guarded(policy="record") as report:
        users_own.toeplitz([1.0, 2.0, 3.0], [1.0, 4.0, 5.0, 6.0])
    [view] = report
    assert view.violation is not None
    assert view.violation.bytes_before_start == 16
    assert view.violation.causes[0].startswith("Walking back from a slice?")
    assert not any("Stale strides" in cause for cause in view.violation.causes)


def test_a_library_leaving_its_allocation_is_still_caught(
    installed: ModuleType,
) -> None:
    with guarded(policy="record") as report:
        installed.past_its_buffer(np.arange(4.0))
    [view] = report
    assert view.violation is not None
    assert view.violation.bytes_past_end == 32
    assert view.violation.bounds == "buffer"


def test_library_bounds_can_be_as_strict_as_the_users(installed: ModuleType) -> None:
    with guarded(policy="record", library_bounds="array") as report:
        installed.toeplitz([1.0, 2.0, 3.0], [1.0, 4.0, 5.0, 6.0])
    assert len(report) == 1


def test_the_1e300_bias_in_user_code_is_still_caught() -> None:
    workspace = np.full(64, 1e300)
    workspace[:3] = 0.1
    bias = workspace[:3]
    activations = np.zeros((2, 3, 4, 4))
    with guarded(policy="record") as report:
        np.lib.stride_tricks.as_strided(
            bias, shape=activations.shape, strides=(0, activations.strides[1], 0, 0)
        )
    assert len(report) == 1


def test_a_slice_of_a_flat_parameter_vector_read_past_the_slice_is_caught() -> None:
    parameters = np.zeros(100)
    weights = parameters[:12]
    with guarded(policy="record") as report:
        np.lib.stride_tricks.as_strided(weights, shape=(4, 4), strides=(32, 8))
    assert len(report) == 1
    assert report.views[0].violation.bytes_past_end == 32  # type: ignore[union-attr]


def test_a_crash_prone_object_view_is_reported_even_for_a_library(
    tmp_path: Path,
) -> None:
    library = load(
        tmp_path / "site-packages",
        "fake_objects",
        """
        from numpy.lib.stride_tricks import as_strided

        def half_pointers(x):
            return as_strided(x, shape=(3,), strides=(4,))
        """,
    )
    x = np.array([object(), "a", 3.5, None], dtype=object)
    with guarded(policy="record") as report:
        library.half_pointers(x)  # numpy's view, never read: it would crash
    assert [view.kind for view in report] == ["MisalignedError"]
    with guarded(), pytest.raises(ValueError, match="object"):
        library.half_pointers(x)
    uninstall()
