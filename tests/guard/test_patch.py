"""Giving numpy's as_strided a checked body: compiled once, given back whole."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterator

import numpy as np
import pytest
from numpy.lib import stride_tricks

import safestride
from safestride.guard import patch

NUMPY_CODE = stride_tricks.as_strided.__code__


@pytest.fixture(autouse=True)
def _always_uninstall() -> Iterator[None]:
    yield
    safestride.uninstall()
    assert stride_tricks.as_strided.__code__ is NUMPY_CODE


def test_the_body_is_compiled_once_per_signature() -> None:
    bodies = []
    for _ in range(3):
        with safestride.guarded():
            bodies.append(stride_tricks.as_strided.__code__)
        assert stride_tricks.as_strided.__code__ is NUMPY_CODE
    assert bodies[0] is bodies[1] is bodies[2]
    assert bodies[0] is not NUMPY_CODE
    assert bodies[0].co_filename == patch.TRAMPOLINE_FILENAME


def test_a_cached_body_still_checks_and_binds_like_numpy() -> None:
    signature = inspect.signature(stride_tricks.as_strided)
    for _ in range(2):
        with safestride.guarded(policy="record") as report:
            assert inspect.signature(stride_tricks.as_strided) == signature
            view = stride_tricks.as_strided(
                np.arange(4.0), strides=(8,), shape=(5,), writeable=False
            )
        assert view.shape == (5,)
        assert len(report) == 1


def test_each_signature_gets_its_own_body() -> None:
    def first(a: object, b: object = None) -> None: ...

    def second(a: object, *, c: object = None) -> None: ...

    one = patch._trampoline_code(first, "_hook")  # type: ignore[arg-type]
    two = patch._trampoline_code(second, "_hook")  # type: ignore[arg-type]
    assert one is not two
    assert one.co_varnames[: one.co_argcount] == ("a", "b")
    assert two.co_kwonlyargcount == 1
    assert patch._trampoline_code(first, "_hook") is one  # type: ignore[arg-type]


def test_blocks_opening_and_closing_while_another_thread_makes_views() -> None:
    """One thread enters and leaves guarded() blocks in a loop while another,
    inside a block of its own, makes unsafe views: every one is recorded."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def churn() -> None:
        try:
            while not stop.is_set():
                with safestride.guarded(policy="record", bounds="buffer"):
                    pass
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    thread = threading.Thread(target=churn)
    with safestride.guarded(policy="record") as report:
        thread.start()
        try:
            for _ in range(300):
                stride_tricks.as_strided(np.zeros(2), shape=(3,), strides=(8,))
        finally:
            stop.set()
            thread.join(30)
    assert not thread.is_alive()
    assert errors == []
    assert len(report) == 1  # one call site
    assert report.views[0].count == 300
    assert not safestride.is_installed()
