"""The process-wide guard: every as_strided, wherever it was bound, is checked."""

from __future__ import annotations

import importlib
import inspect
import sys
import textwrap
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided as bound_before_install

import safestride
from safestride import (
    MisalignedError,
    OutOfBoundsError,
    UnsafeViewWarning,
    guarded,
    install,
    is_installed,
    uninstall,
)

ORIGINAL_CODE = np.lib.stride_tricks.as_strided.__code__
ORIGINAL_SIGNATURE = inspect.signature(np.lib.stride_tricks.as_strided)


@pytest.fixture(autouse=True)
def _always_uninstall() -> Iterator[None]:
    yield
    uninstall()
    assert np.lib.stride_tricks.as_strided.__code__ is ORIGINAL_CODE


def write_module(directory: Path, name: str, body: str) -> Path:
    path = directory / f"{name}.py"
    path.write_text(textwrap.dedent(body))
    return path


@pytest.fixture
def third_party(tmp_path: Path) -> Iterator[Path]:
    """A library that binds numpy's as_strided at import, like many do."""
    path = write_module(
        tmp_path,
        "thirdparty_windows",
        """
        import numpy as np
        from numpy.lib.stride_tricks import as_strided

        def frames(signal, width):
            n = signal.shape[0]
            return as_strided(signal, shape=(n - width + 2, width),
                              strides=(signal.strides[0],) * 2)
        """,
    )
    sys.path.insert(0, str(tmp_path))
    try:
        yield path
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("thirdparty_windows", None)


def test_names_bound_before_install_are_checked(third_party: Path) -> None:
    module = importlib.import_module("thirdparty_windows")
    install()
    with pytest.raises(OutOfBoundsError) as caught:
        module.frames(np.arange(10.0), 3)
    assert f"made at {third_party}:7 in frames" in str(caught.value)
    with pytest.raises(OutOfBoundsError):
        bound_before_install(np.arange(3.0), shape=(4,), strides=(8,))


def test_names_bound_after_install_are_checked(third_party: Path) -> None:
    report = install(policy="record")
    module = importlib.import_module("thirdparty_windows")
    module.frames(np.arange(10.0), 3)
    (view,) = report.views
    assert view.site.filename == str(third_party)
    assert view.site.lineno == 7
    assert view.site.function == "frames"
    assert view.site.source.startswith("return as_strided(signal")


def test_valid_calls_from_numpy_internals_pass_and_are_counted() -> None:
    with guarded() as report:
        windows = np.lib.stride_tricks.sliding_window_view(np.arange(6.0), 3)
    assert windows.shape == (4, 3)
    assert report.checked >= 1
    assert len(report) == 0
    assert "no unsafe views" in report.summary()


def test_record_policy_runs_on_and_counts_a_loop_once() -> None:
    x = np.arange(4.0)
    with guarded(policy="record") as report:
        for _ in range(1000):
            view = np.lib.stride_tricks.as_strided(x, shape=(5,), strides=(8,))
    assert view.shape == (5,)  # numpy's unchecked view, as asked
    (unsafe,) = report.views
    assert unsafe.count == 1000
    assert unsafe.site.filename == __file__
    assert "made 1000 times" in report.render()
    assert report.total == 1000


def test_warn_policy_warns_once_per_line_at_the_line() -> None:
    x = np.arange(4.0)
    with guarded(policy="warn") as report, warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for _ in range(3):
            np.lib.stride_tricks.as_strided(x, shape=(5,), strides=(8,))
    unsafe = [w for w in seen if issubclass(w.category, UnsafeViewWarning)]
    assert len(unsafe) == 1
    assert unsafe[0].filename == __file__
    assert report.views[0].count == 3


def test_raise_policy_error_names_the_call_site() -> None:
    with guarded(), pytest.raises(OutOfBoundsError, match=r"made at .*test_guard\.py"):
        np.lib.stride_tricks.as_strided(np.arange(4.0), shape=(5,), strides=(8,))


def test_object_misalignment_raises_even_when_recording() -> None:
    x = np.array([object()] * 4, dtype=object)
    with guarded(policy="record") as report, pytest.raises(MisalignedError):
        np.lib.stride_tricks.as_strided(x, shape=(3,), strides=(4,))
    assert report.views[0].kind == "MisalignedError"


def test_install_twice_is_harmless_and_uninstall_restores_numpy() -> None:
    first = install(policy="record")
    second = install(policy="raise")
    assert first is second
    assert is_installed()
    assert safestride.guard.current_config() == safestride.guard.GuardConfig(
        "raise", "array"
    )
    assert uninstall() is first
    assert not is_installed()
    assert uninstall() is None
    assert np.lib.stride_tricks.as_strided.__code__ is ORIGINAL_CODE
    assert inspect.signature(np.lib.stride_tricks.as_strided) == ORIGINAL_SIGNATURE
    view = np.lib.stride_tricks.as_strided(np.arange(4.0), shape=(5,), strides=(8,))
    assert view.shape == (5,)  # unchecked again, exactly numpy


def test_guarded_restores_what_was_in_force() -> None:
    install(policy="record")
    with guarded(policy="raise"):
        assert safestride.guard.current_config().policy == "raise"  # type: ignore[union-attr]
    assert is_installed()
    assert safestride.guard.current_config().policy == "record"  # type: ignore[union-attr]
    uninstall()
    with guarded():
        assert is_installed()
    assert not is_installed()


def test_bounds_buffer_allows_the_rest_of_the_allocation() -> None:
    parent = np.arange(10.0)
    with guarded(bounds="buffer") as report:
        np.lib.stride_tricks.as_strided(parent[:2], shape=(10,), strides=(8,))
    assert len(report) == 0


def test_bad_policy_is_named() -> None:
    with pytest.raises(ValueError, match="policy must be one of 'raise', 'warn'"):
        install(policy="loud")
    with pytest.raises(ValueError, match="bounds must be one of"):
        install(bounds="everything")
    assert not is_installed()


def test_malformed_calls_get_numpys_own_error() -> None:
    with guarded(), pytest.raises(TypeError):
        np.lib.stride_tricks.as_strided(np.arange(4.0), shape=5, strides=(8,))


def test_threads_record_every_unsafe_view() -> None:
    x = np.arange(4.0)

    def work() -> None:
        for _ in range(200):
            np.lib.stride_tricks.as_strided(x, shape=(5,), strides=(8,))
            np.lib.stride_tricks.as_strided(x, shape=(4,), strides=(8,))

    with guarded(policy="record") as report:
        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert report.total == 8 * 200
    assert report.checked == 8 * 400


def test_json_report_carries_the_numbers() -> None:
    import json

    with guarded(policy="record") as report:
        np.lib.stride_tricks.as_strided(np.arange(3.0), shape=(2, 3), strides=(0, 16))
    (record,) = json.loads(report.to_json())["unsafe_views"]
    assert record["line"] > 0
    assert record["shape"] == [2, 3]
    assert record["bytes_past_end"] == 16
    assert record["error"] == "OutOfBoundsError"
