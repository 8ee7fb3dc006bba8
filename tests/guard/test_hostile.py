"""The guard from outside, as a hostile caller would use it (issue 12).

Each test names the issue's item it holds the guard to. They call numpy's own
``as_strided`` (the function the guard patches), and compare with what numpy
does unguarded: the guard may report a view, never change it.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import traceback
import unittest.mock
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from numpy.lib import stride_tricks

import safestride
import safestride.guard
from tests.helpers import run_python

try:
    from numpy.lib import _stride_tricks_impl as impl
except ImportError:  # numpy < 2.0: the implementation is stride_tricks itself
    impl = stride_tricks  # type: ignore[no-redef]


def numpys(x: Any, *args: Any, **kwargs: Any) -> np.ndarray:
    """numpy's own answer, unguarded."""
    assert not safestride.guard.is_installed()
    return stride_tricks.as_strided(x, *args, **kwargs)


def viewed_by(view: np.ndarray) -> np.ndarray:
    """The array numpy's as_strided made `view` of (its DummyArray's base)."""
    node: Any = view
    while type(node).__name__ != "DummyArray":
        node = node.base
    base: np.ndarray = node.base
    return base


def assert_same_view(ours: np.ndarray, theirs: np.ndarray) -> None:
    assert type(ours) is type(theirs)
    assert (ours.shape, ours.strides, ours.dtype) == (
        theirs.shape,
        theirs.strides,
        theirs.dtype,
    )
    assert ours.ctypes.data == theirs.ctypes.data
    assert ours.flags.writeable == theirs.flags.writeable


def finding(reason: str) -> pytest.MarkDecorator:
    """A test that fails today: a finding reported to the lead, kept strict so
    it turns into a failure (remove the mark) once fixed."""
    return pytest.mark.xfail(strict=True, reason=f"finding: {reason}")


@pytest.fixture(autouse=True)
def _no_guard_left_over() -> Iterator[None]:
    safestride.uninstall()
    yield
    assert not safestride.guard.is_installed(), "a test left the guard installed"
    assert safestride.guard.current_config() is None


# -- item 1: strides omitted --------------------------------------------------


@pytest.mark.parametrize(
    ("x", "shape", "unsafe"),
    [
        (np.zeros((4, 4)), (2, 8), False),  # numpy: strides (64, 8), in bounds
        (np.arange(4.0), (2, 2), False),  # numpy: strides (16, 8), in bounds
        (np.zeros((4, 4)), (3, 6), True),  # numpy: strides (48, 8), 16 bytes past
        (np.arange(4.0), (10, 10), True),  # numpy: an 800-byte view of 32 bytes
    ],
    ids=["4x4-as-2x8", "4-as-2x2", "4x4-as-3x6", "4-as-10x10"],
)
def test_strides_omitted_the_guard_checks_numpys_strides(
    x: np.ndarray, shape: tuple[int, ...], unsafe: bool
) -> None:
    expected = numpys(x, shape=shape)
    with safestride.guarded(policy="record") as report:
        view = stride_tricks.as_strided(x, shape=shape)
    assert_same_view(view, expected)
    assert (len(report) == 1) is unsafe


@pytest.mark.parametrize(
    ("x", "shape"),
    [(np.zeros((4, 4)), (2, 8)), (np.arange(4.0), (2, 2))],
    ids=["4x4-as-2x8", "4-as-2x2"],
)
def test_strides_omitted_the_drop_in_makes_numpys_view(
    x: np.ndarray, shape: tuple[int, ...]
) -> None:
    assert_same_view(safestride.as_strided(x, shape=shape), numpys(x, shape=shape))


def test_strides_omitted_under_raise_raises_at_the_call() -> None:
    with pytest.raises(safestride.OutOfBoundsError), safestride.guarded():
        stride_tricks.as_strided(np.arange(4.0), shape=(10, 10))


@pytest.mark.parametrize("dtype", ["u1", "f8"])
def test_a_negative_size_fails_as_numpy_fails(dtype: str) -> None:
    x = np.zeros(4, dtype)
    with pytest.raises(ValueError, match="negative dimensions"):
        numpys(x, (-1,), (0,))
    with (
        pytest.raises(ValueError, match="negative dimensions"),
        safestride.guarded(policy="record"),
    ):
        stride_tricks.as_strided(x, (-1,), (0,))  # the guard: a (4,) view


# -- item 2: a stride of -2**63 -----------------------------------------------


@pytest.mark.parametrize("container", [tuple, list], ids=["tuple", "list"])
def test_stride_of_minus_two_to_the_63_is_checked(container: type) -> None:
    parent = np.arange(8.0)
    strides = container((-(2**63), -8))
    expected = numpys(parent[4:], (1, 4), strides)  # reads 24 bytes before x
    with safestride.guarded(policy="record") as report:
        view = stride_tricks.as_strided(parent[4:], (1, 4), strides)
    assert_same_view(view, expected)
    assert len(report) == 1
    (found,) = report
    assert found.violation is not None
    assert found.violation.bytes_before_start == 24


@pytest.mark.parametrize(
    "container",
    [
        pytest.param(tuple, id="tuple"),
        pytest.param(list, id="list"),
    ],
)
def test_drop_in_accepts_minus_two_to_the_63_as_numpy_does(container: type) -> None:
    parent = np.arange(8.0)
    strides = container((-(2**63), 8))
    view = safestride.as_strided(parent[4:], (1, 4), strides)
    assert_same_view(view, numpys(parent[4:], (1, 4), strides))


# -- item 3: iterators ----------------------------------------------------------


def test_iterators_reach_numpy_whole() -> None:
    x = np.arange(4.0)
    expected = numpys(x, shape=iter((3,)), strides=iter((8,)))
    with safestride.guarded(policy="record") as report:
        view = stride_tricks.as_strided(x, shape=iter((3,)), strides=iter((8,)))
    assert_same_view(view, expected)
    assert view.shape == (3,)
    assert len(report) == 0


def test_an_unsafe_view_from_generators_is_reported() -> None:
    x = np.arange(4.0)
    with safestride.guarded(policy="record") as report:
        view = stride_tricks.as_strided(
            x, shape=(n for n in (5,)), strides=(s for s in (8,))
        )
    assert view.shape == (5,)
    assert len(report) == 1


def test_a_generator_failing_midway_fails_as_numpy_fails() -> None:
    def failing() -> Iterator[int]:
        yield 3
        raise TypeError("no more sizes")

    with pytest.raises(TypeError, match="no more sizes"):
        numpys(np.arange(4.0), shape=failing())
    with (
        pytest.raises(TypeError, match="no more sizes"),
        safestride.guarded(policy="record"),
    ):
        stride_tricks.as_strided(np.arange(4.0), shape=failing())


# -- item 4: x converted twice ----------------------------------------------------


class ShrinkingArrayLike:
    """A new array on every conversion: 50 elements first, then 2."""

    def __init__(self) -> None:
        self.made: list[np.ndarray] = []

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        self.made.append(np.arange(50.0 if not self.made else 2.0))
        return self.made[-1]


def test_x_is_converted_once_and_the_array_numpy_viewed_is_checked() -> None:
    source = ShrinkingArrayLike()
    with safestride.guarded(policy="record") as report:
        view = stride_tricks.as_strided(source, shape=(50,), strides=(8,))
    viewed = viewed_by(view)
    assert len(source.made) == 1, "as_strided converted x more than once"
    assert any(viewed is made for made in source.made)
    overruns = viewed.size < 50
    assert (len(report) == 1) is overruns


def test_a_shrinking_array_like_never_gets_an_overrun_through() -> None:
    class GrowsThenShrinks(ShrinkingArrayLike):
        def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
            self.made.append(np.arange(2.0 if len(self.made) % 2 else 50.0))
            return self.made[-1]

    for _ in range(3):
        source = GrowsThenShrinks()
        source.made.append(np.arange(50.0))  # the next conversion gives 2
        with safestride.guarded(policy="record") as report:
            view = stride_tricks.as_strided(source, shape=(50,), strides=(8,))
        assert (len(report) == 1) is (viewed_by(view).size < 50)


class ShiftedInterface(np.ndarray):
    """A subclass whose __array_interface__ points 16 bytes into its data."""

    @property
    def __array_interface__(self) -> dict[str, Any]:
        interface = dict(super().__array_interface__)
        interface["data"] = (interface["data"][0] + 16, False)
        return interface


def test_a_view_that_does_not_start_at_x_is_checked_where_it_starts() -> None:
    x = np.arange(4.0).view(ShiftedInterface)
    with safestride.guarded(policy="record") as report:
        view = stride_tricks.as_strided(x, (4,), (8,), subok=True)
    start = view.ctypes.data - np.asarray(x).ctypes.data
    assert start == 16  # numpy's view: bytes [16, 48) of x's 32
    assert len(report) == 1


class ClaimsMoreBytes(np.ndarray):
    """A subclass whose nbytes property claims a megabyte."""

    @property
    def nbytes(self) -> int:
        return 10**6


class ClaimsAnotherShape(np.ndarray):
    """A subclass whose shape and strides properties describe 10**5 elements."""

    @property
    def shape(self) -> tuple[int, ...]:  # type: ignore[override]
        return (10**5,)

    @property
    def strides(self) -> tuple[int, ...]:  # type: ignore[override]
        return (0,)


@pytest.mark.parametrize(
    ("subclass", "step"), [(ClaimsMoreBytes, 1), (ClaimsAnotherShape, -1)]
)
def test_x_is_measured_by_numpy_not_by_a_subclass_s_properties(
    subclass: type, step: int
) -> None:
    x = np.arange(4.0)[::step].view(subclass)
    with safestride.guarded(policy="record") as report:
        stride_tricks.as_strided(x, (100,), (8,), subok=True)  # 800 bytes of 32
    assert len(report) == 1


@pytest.mark.skipif(
    "check_bounds" not in stride_tricks.as_strided.__code__.co_varnames,
    reason="numpy < 2.5 has no check_bounds",
)
def test_check_bounds_false_does_not_switch_the_guard_off() -> None:
    with safestride.guarded(policy="record") as report:
        stride_tricks.as_strided(
            np.zeros(2),
            shape=(50,),
            strides=(8,),
            check_bounds=False,  # type: ignore[call-arg]
        )
    assert len(report) == 1


# -- item 5: overlapping guarded() blocks ------------------------------------------


def overrun() -> np.ndarray:
    return stride_tricks.as_strided(np.zeros(2), shape=(50,), strides=(8,))


def test_blocks_exited_out_of_order_keep_the_guard_on() -> None:
    first = safestride.guarded(policy="record")
    second = safestride.guarded(policy="record")
    first_report = first.__enter__()
    second_report = second.__enter__()
    first.__exit__(None, None, None)  # the older block ends first
    assert safestride.guard.is_installed()
    assert safestride.guard.current_config() is not None
    overrun()
    assert len(second_report) == 1
    assert len(first_report) == 0
    second.__exit__(None, None, None)
    assert not safestride.guard.is_installed()
    assert safestride.guard.current_config() is None


def test_blocks_in_two_threads_closing_out_of_order() -> None:
    first_open, first_closed, second_done = (threading.Event() for _ in range(3))
    found: dict[str, Any] = {}

    def first() -> None:
        with safestride.guarded(policy="record"):
            first_open.set()
            assert second_open.wait(10)
        first_closed.set()

    second_open = threading.Event()

    def second() -> None:
        assert first_open.wait(10)
        with safestride.guarded(policy="record") as report:
            second_open.set()
            assert first_closed.wait(10)
            found["installed"] = safestride.guard.is_installed()
            config = safestride.guard.current_config()
            found["config"] = config and (config.policy, config.bounds)
            overrun()
            found["views"] = len(report)
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert second_done.is_set()
    assert found == {
        "installed": True,
        "config": ("record", "elements"),
        "views": 1,
    }


def test_another_thread_s_block_never_changes_this_block_s_level() -> None:
    """Thread B's looser, raising block opens while this thread's strict,
    recording block is open: this thread's views keep its own settings."""
    b_open, b_may_close = threading.Event(), threading.Event()

    def looser() -> None:
        with safestride.guarded(policy="raise", bounds="buffer"):
            b_open.set()
            assert b_may_close.wait(10)

    thread = threading.Thread(target=looser)
    parent = np.arange(10.0)
    with safestride.guarded(policy="record") as report:
        thread.start()
        try:
            assert b_open.wait(10)
            config = safestride.guard.current_config()
            assert config is not None
            assert (config.policy, config.bounds) == ("record", "elements")
            # inside parent's allocation, outside x: fine for B, not for us
            view = stride_tricks.as_strided(parent[:2], shape=(10,), strides=(8,))
        finally:
            b_may_close.set()
            thread.join(10)
    assert view.shape == (10,)  # recorded, not raised by B's policy
    assert len(report) == 1


def test_current_config_is_none_exactly_when_not_installed() -> None:
    seen: list[tuple[bool, bool]] = []

    def look() -> None:
        seen.append(
            (
                safestride.guard.is_installed(),
                safestride.guard.current_config() is not None,
            )
        )

    with contextlib.ExitStack() as outer:
        look()
        a = safestride.guarded(policy="record")
        b = safestride.guarded(policy="warn", bounds="buffer")
        outer.enter_context(a)
        look()
        b.__enter__()
        look()
        a.__exit__(None, None, None)  # a closes while b is open
        look()
        b.__exit__(None, None, None)
        look()
    assert all(installed is configured for installed, configured in seen), seen


def test_install_inside_a_block_survives_the_block() -> None:
    with safestride.guarded(policy="record"):
        session = safestride.install(policy="record")
    assert safestride.guard.is_installed()
    overrun()
    assert len(session) == 1
    assert safestride.uninstall() is session


# -- item 6: as_strided replaced before install --------------------------------------


@contextlib.contextmanager
def replaced(replacement: Any) -> Iterator[None]:
    """Put `replacement` where numpy's callers look up as_strided."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(
            unittest.mock.patch.object(stride_tricks, "as_strided", replacement)
        )
        if impl is not stride_tricks:
            stack.enter_context(
                unittest.mock.patch.object(impl, "as_strided", replacement)
            )
        yield


def test_a_functools_wraps_wrapper_installed_before_is_followed() -> None:
    original = stride_tricks.as_strided
    calls = []

    @functools.wraps(original)
    def profiled(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    with replaced(profiled), safestride.guarded(policy="record") as report:
        view = stride_tricks.as_strided(np.arange(4.0), shape=(2,), strides=(8,))
        stride_tricks.as_strided(np.zeros(2), shape=(50,), strides=(8,))
    assert view.shape == (2,)
    assert len(calls) == 2
    assert len(report) == 1


def test_a_mock_with_wraps_installed_before_is_followed() -> None:
    original = stride_tricks.as_strided
    spy = unittest.mock.Mock(wraps=original)
    with replaced(spy), safestride.guarded(policy="record") as report:
        view = stride_tricks.as_strided(np.arange(4.0), shape=(2,), strides=(8,))
        stride_tricks.as_strided(np.zeros(2), shape=(50,), strides=(8,))
    assert view.shape == (2,)
    assert spy.call_count == 2
    assert len(report) == 1


def test_a_users_overrun_through_a_spy_is_held_to_the_users_level() -> None:
    parent = np.arange(8.0)
    spy = unittest.mock.Mock(wraps=stride_tricks.as_strided)
    with replaced(spy), safestride.guarded(policy="record") as report:
        stride_tricks.as_strided(parent[:4], (8,), (8,))  # past x, inside parent
    assert len(report) == 1


def test_a_mock_without_wraps_is_refused_loudly() -> None:
    with replaced(unittest.mock.Mock()):
        with pytest.raises(safestride.guard.GuardInstallError, match="as_strided"):
            safestride.install()
        with (
            pytest.raises(safestride.guard.GuardInstallError),
            safestride.guarded(),
        ):
            pass  # pragma: no cover - never reached
        assert not safestride.guard.is_installed()
        assert safestride.guard.current_config() is None


def test_tracebacks_name_the_trampoline_not_a_source_file() -> None:
    with safestride.guarded():
        try:
            overrun()
        except safestride.OutOfBoundsError as error:
            frames = traceback.extract_tb(error.__traceback__)
        else:  # pragma: no cover - the test fails below
            frames = []
    names = [(frame.filename, frame.name) for frame in frames]
    assert ("<safestride guard: as_strided>", "as_strided") in names, names
    assert not any(name.endswith("guard.py") for name, _ in names), names
    assert not any(name == safestride.guard.__file__ for name, _ in names), names


# -- item 9: guarded(report=[]) ----------------------------------------------------


def test_guarded_with_a_list_for_report_is_refused_and_harmless() -> None:
    with pytest.raises(TypeError, match="report"), safestride.guarded(report=[]):  # type: ignore[arg-type]
        pass  # pragma: no cover - never reached
    assert not safestride.guard.is_installed()
    assert safestride.uninstall() is None
    with safestride.guarded(policy="record") as report:
        overrun()
    assert len(report) == 1


# -- threads, forks and signals -----------------------------------------------------


def test_threads_installing_and_guarding_concurrently() -> None:
    errors: list[BaseException] = []
    missed: list[int] = []
    start = threading.Barrier(6)

    def blocks() -> None:
        try:
            start.wait(10)
            for _ in range(100):
                with safestride.guarded(policy="record") as report:
                    overrun()
                    if len(report) == 0:
                        missed.append(1)
        except BaseException as error:  # the test reports it below
            errors.append(error)

    def installs() -> None:
        try:
            start.wait(10)
            for _ in range(100):
                with safestride.guarded(policy="warn", bounds="buffer"):
                    safestride.guard.current_config()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=blocks) for _ in range(4)]
    threads += [threading.Thread(target=installs) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert missed == []


@pytest.mark.subprocess
def test_a_fork_while_guarded_checks_the_childs_views() -> None:
    found = run_python(
        code="""
        import os, sys
        import numpy as np
        from numpy.lib.stride_tricks import as_strided
        import safestride, safestride.guard
        with safestride.guarded(policy="record") as report:
            pid = os.fork()
            if pid == 0:
                as_strided(np.zeros(2), shape=(50,), strides=(8,))
                ok = safestride.guard.is_installed() and len(report) == 1
                os._exit(0 if ok else 3)
            _, status = os.waitpid(pid, 0)
        print("child", os.waitstatus_to_exitcode(status))
        print("installed after", safestride.guard.is_installed())
        """
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.split("\n")[:2] == ["child 0", "installed after False"]


@pytest.mark.subprocess
def test_signal_handlers_that_make_views_during_a_check_do_not_deadlock() -> None:
    # A trace function raises a signal at every line the guard's own code
    # runs, so the handler (which makes an unsafe view itself) interrupts the
    # check at every point, lock held or not: deterministic, no timer.
    found = run_python(
        code="""
        import faulthandler, signal, sys
        import numpy as np
        from numpy.lib.stride_tricks import as_strided
        import safestride

        faulthandler.dump_traceback_later(20, exit=True)  # a deadlock: say where
        busy, handled = [False], [0]

        def handler(signum, frame):
            busy[0] = True
            as_strided(np.zeros(2), shape=(50,), strides=(8,))
            handled[0] += 1
            busy[0] = False

        def interrupt(frame, event, arg):
            if event == "line" and not busy[0]:
                signal.raise_signal(signal.SIGUSR1)
            return interrupt

        def tracer(frame, event, arg):
            module = frame.f_globals.get("__name__", "")
            return interrupt if module.startswith("safestride") else None

        signal.signal(signal.SIGUSR1, handler)
        with safestride.guarded(policy="record") as report:
            sys.settrace(tracer)
            as_strided(np.arange(64.0)[::2], shape=(40,), strides=(16,))
            sys.settrace(None)
        print(handled[0] > 0, len(report))
        """,
        timeout=120,
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.split() == ["True", "2"]
