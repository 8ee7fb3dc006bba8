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
from typing import Any

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


def test_object_misalignment_is_recorded_not_raised_when_recording() -> None:
    x = np.array([object()] * 4, dtype=object)
    with guarded(policy="record") as report:
        view = np.lib.stride_tricks.as_strided(x, shape=(3,), strides=(4,))
    assert view.strides == (4,)  # numpy's view (never read: it would crash)
    assert report.views[0].kind == "MisalignedError"
    with guarded(policy="raise") as raised, pytest.raises(MisalignedError):
        np.lib.stride_tricks.as_strided(x, shape=(3,), strides=(4,))
    assert raised.views[0].kind == "MisalignedError"


def test_object_views_on_pointers_outside_x_are_proven_not_reported() -> None:
    """A view of an object array on its own pointers, some outside x (the
    guard differential's old "object refusal"): proven from the layout."""
    parent = np.array([object() for _ in range(12)], dtype=object)
    x = parent.reshape(6, 2)[1:, 1:]
    with guarded(bounds="buffer") as report:
        view = np.lib.stride_tricks.as_strided(x, (4, 3))
    assert all(view[i, 0] is parent[3 + 2 * i] for i in range(4))
    assert len(report) == 0


@pytest.mark.parametrize("policy", ["record", "warn"])
def test_object_views_are_recorded_not_raised_under_record_and_warn(
    policy: str,
) -> None:
    x = np.array([object() for _ in range(4)], dtype=object)
    with (
        guarded(policy=policy, bounds="buffer") as report,  # type: ignore[arg-type]
        warnings.catch_warnings(record=True) as seen,
    ):
        warnings.simplefilter("always")
        view = np.lib.stride_tricks.as_strided(x, (3,), (12,))  # never read
    assert view.strides == (12,)
    (found,) = report
    assert found.kind == "MisalignedError"
    warned = [w for w in seen if issubclass(w.category, UnsafeViewWarning)]
    assert len(warned) == (policy == "warn")
    with guarded(bounds="buffer"), pytest.raises(MisalignedError):
        np.lib.stride_tricks.as_strided(x, (3,), (12,))


def test_install_twice_is_harmless_and_uninstall_restores_numpy() -> None:
    first = install(policy="record")
    second = install(policy="raise")
    assert first is second
    assert is_installed()
    assert safestride.guard.current_config() == safestride.guard.GuardConfig(
        "raise", "elements"
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


def _itemsize_frames(channel: np.ndarray) -> np.ndarray:
    """Frames of one channel with strides from its itemsize: the other
    channel's samples, inside the channel's span (a bug found in real code)."""
    return np.lib.stride_tricks.as_strided(
        channel, shape=(4, 2), strides=(channel.itemsize, channel.itemsize)
    )


def test_your_code_is_held_to_the_elements_by_default() -> None:
    stereo = np.arange(16.0).reshape(8, 2)
    with guarded(policy="record") as report:
        assert safestride.guard.current_config().bounds == "elements"  # type: ignore[union-attr]
        assert safestride.guard.current_config().library_bounds == "buffer"  # type: ignore[union-attr]
        frames = _itemsize_frames(stereo[:, 0])
    assert frames[0, 1] == 1.0  # the right channel's first sample
    (view,) = report
    assert view.site.function == "_itemsize_frames"
    with guarded(policy="record", bounds="array") as lenient:
        _itemsize_frames(stereo[:, 0])
    assert len(lenient) == 0  # inside the channel's span: the old default let it by


def test_install_holds_your_code_to_the_elements_by_default() -> None:
    stereo = np.zeros((8, 2))
    install()
    try:
        assert safestride.guard.current_config().bounds == "elements"  # type: ignore[union-attr]
        with pytest.raises(OutOfBoundsError, match="_itemsize_frames"):
            _itemsize_frames(stereo[:, 0])
    finally:
        uninstall()


def test_the_defaults_are_stated_once() -> None:
    from safestride.options import DEFAULT_BOUNDS, DEFAULT_LIBRARY_BOUNDS

    stated: list[Any] = [install, guarded]
    try:  # the dask extra, when installed
        from safestride.dask import cluster, plugin
    except ImportError:
        pass
    else:
        stated += [cluster.guarded, plugin.GuardPlugin]
    for function in stated:
        parameters = inspect.signature(function).parameters
        assert parameters["bounds"].default == DEFAULT_BOUNDS == "elements"
        assert parameters["library_bounds"].default == DEFAULT_LIBRARY_BOUNDS
    assert DEFAULT_LIBRARY_BOUNDS == "buffer"


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


# Issue 12: what numpy really does is what gets checked.


def numpy_view(*args: object, **kwargs: object) -> np.ndarray:
    """numpy's as_strided with no guard in between."""
    assert not is_installed()
    return np.lib.stride_tricks.as_strided(*args, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("x", "shape", "past_end"),
    [
        (np.zeros((4, 4)), (3, 6), 16),  # numpy's strides (48, 8), not x's (32, 8)
        (np.arange(4.0), (10, 10), 768),  # x.strides has one entry, numpy needs none
    ],
)
def test_omitted_strides_are_numpys_not_xs(
    x: np.ndarray, shape: tuple[int, ...], past_end: int
) -> None:
    with guarded(policy="record") as report:
        view = np.lib.stride_tricks.as_strided(x, shape=shape)
    assert view.strides == numpy_view(x, shape=shape).strides
    assert [v.violation.bytes_past_end for v in report] == [past_end]  # type: ignore[union-attr]


def test_omitted_strides_in_bounds_are_not_reported() -> None:
    x = np.zeros((4, 4))
    with guarded(policy="raise") as report:
        view = np.lib.stride_tricks.as_strided(x, shape=(2, 8))
    assert view.strides == (64, 8)
    assert len(report) == 0
    assert report.checked == 1


@pytest.mark.parametrize("container", [tuple, list])
def test_a_stride_of_minus_2_to_the_63_is_checked(container: type) -> None:
    parent = np.arange(8.0)
    strides = container((-(2**63), -8))
    with guarded(policy="record") as report:
        np.lib.stride_tricks.as_strided(parent[4:], (1, 4), strides)
    assert [v.violation.bytes_before_start for v in report] == [24]  # type: ignore[union-attr]


def test_iterators_reach_numpy_whole() -> None:
    x = np.arange(4.0)
    with guarded(policy="raise"):
        view = np.lib.stride_tricks.as_strided(x, shape=iter((3,)), strides=iter((8,)))
    assert view.shape == (3,)
    assert view.strides == (8,)


class FreshEachTime:
    """An array-like whose __array__ returns a new 2-element array per call."""

    def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
        return np.arange(2.0)


def test_x_is_converted_once_so_the_checked_array_is_the_viewed_one() -> None:
    with guarded(policy="record") as report:
        np.lib.stride_tricks.as_strided(FreshEachTime(), shape=(50,), strides=(8,))
    assert [v.violation.bytes_past_end for v in report] == [384]  # type: ignore[union-attr]


def test_blocks_ending_out_of_order_keep_the_guard_on() -> None:
    x = np.arange(3.0)
    first = guarded(policy="record")
    second = guarded(policy="record")
    outer = first.__enter__()
    inner = second.__enter__()
    first.__exit__(None, None, None)  # the outer block ends first
    assert is_installed()
    assert safestride.guard.current_config() is not None
    np.lib.stride_tricks.as_strided(x, shape=(4,), strides=(8,))
    assert len(inner) == 1
    assert len(outer) == 0  # it had stopped collecting
    second.__exit__(None, None, None)
    assert not is_installed()
    assert safestride.guard.current_config() is None


def test_blocks_in_two_threads_never_switch_each_other_off() -> None:
    entered = threading.Barrier(2)
    first_left = threading.Event()
    found: list[int] = []

    def short() -> None:
        with guarded(policy="record"):
            entered.wait()
        first_left.set()

    def long() -> None:
        with guarded(policy="record") as report:
            entered.wait()
            first_left.wait()
            np.lib.stride_tricks.as_strided(np.arange(3.0), shape=(4,), strides=(8,))
        found.append(len(report))

    threads = [threading.Thread(target=short), threading.Thread(target=long)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [1]
    assert not is_installed()


def test_a_list_is_not_a_report() -> None:
    with (
        pytest.raises(TypeError, match="report must be a safestride Report"),
        guarded(report=[]),  # type: ignore[arg-type]
    ):
        pass
    assert not is_installed()
    install()
    assert uninstall() is not None


@pytest.fixture
def wrapped_as_strided(monkeypatch: pytest.MonkeyPatch) -> None:
    """numpy's function wrapped by a profiler before the guard is installed."""
    import functools

    real = np.lib.stride_tricks.as_strided

    @functools.wraps(real)
    def profiled(*args: object, **kwargs: object) -> object:
        return real(*args, **kwargs)

    monkeypatch.setattr(np.lib.stride_tricks, "as_strided", profiled)


@pytest.mark.usefixtures("wrapped_as_strided")
def test_a_wrapper_made_before_install_keeps_working_and_is_checked() -> None:
    x = np.arange(4.0)
    with guarded(policy="record") as report:
        fine = np.lib.stride_tricks.as_strided(x, shape=(3,), strides=(8,))
        np.lib.stride_tricks.as_strided(x, shape=(5,), strides=(8,))
    assert fine.shape == (3,)
    assert len(report) == 1


def test_a_replacement_that_leads_nowhere_is_refused_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from unittest import mock

    monkeypatch.setattr(np.lib.stride_tricks, "as_strided", mock.Mock())
    with pytest.raises(safestride.guard.GuardInstallError, match="cannot guard"):
        install()
    assert not is_installed()


def test_a_mock_with_wraps_is_followed(monkeypatch: pytest.MonkeyPatch) -> None:
    from unittest import mock

    real = np.lib.stride_tricks.as_strided
    monkeypatch.setattr(np.lib.stride_tricks, "as_strided", mock.Mock(wraps=real))
    with guarded(policy="record") as report:
        np.lib.stride_tricks.as_strided(np.arange(2.0), shape=(3,), strides=(8,))
    assert len(report) == 1


def test_tracebacks_name_the_guard_not_a_line_of_guard_py() -> None:
    import traceback

    with guarded(policy="raise"):
        try:
            np.lib.stride_tricks.as_strided(np.arange(2.0), shape=(3,), strides=(8,))
        except OutOfBoundsError as error:
            frames = traceback.extract_tb(error.__traceback__)
    trampoline = [f for f in frames if f.filename == "<safestride guard: as_strided>"]
    assert len(trampoline) == 1
    assert not trampoline[0].line  # no unrelated source line shown for it
    assert not any(frame.filename.endswith("/safestride/guard.py") for frame in frames)


def test_nested_blocks_count_their_own_calls_however_often_counts_are_read() -> None:
    x = np.zeros(8)
    with guarded(policy="record") as outer:
        np.lib.stride_tricks.as_strided(x, shape=(2,), strides=(8,))
        for made in range(1, 4):  # each inner block reads the count twice
            with guarded(policy="record") as inner:
                for _ in range(made):
                    np.lib.stride_tricks.as_strided(x, shape=(2,), strides=(8,))
            assert inner.checked == made
    assert outer.checked == 1 + 1 + 2 + 3
