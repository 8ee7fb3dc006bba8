"""A StrideError raised by a cell: a picture above a traceback that ends at
the user's line; other handlers keep theirs."""

from __future__ import annotations

import sys
import types
from typing import Any

import numpy as np
import pytest

import safestride
from safestride.errors import OutOfBoundsError, StrideError
from safestride.notebook.exceptions import RichErrors, user_traceback

pytest.importorskip("IPython")
from IPython.utils.capture import capture_output

CELL = (
    "import numpy as np\n"
    "from numpy.lib.stride_tricks import as_strided\n"
    "view = as_strided(np.zeros(3), shape=(4,), strides=(8,))\n"
)


def frames(tb: types.TracebackType | None) -> list[str]:
    names = []
    while tb is not None:
        names.append(tb.tb_frame.f_globals["__name__"])
        tb = tb.tb_next
    return names


def test_the_traceback_shown_ends_at_the_users_line() -> None:
    try:
        with safestride.guarded():
            np.lib.stride_tricks.as_strided(np.zeros(3), shape=(4,), strides=(8,))
    except OutOfBoundsError:
        whole = sys.exc_info()[2]
    assert frames(whole)[-1].startswith("safestride.")
    shown = user_traceback(whole)
    assert frames(shown) == [__name__]
    assert shown is not None
    assert shown.tb_frame is whole.tb_frame
    assert frames(whole)[-1].startswith("safestride."), "the original is left whole"


def test_a_traceback_all_machinery_stays_whole() -> None:
    def machinery() -> types.TracebackType | None:
        namespace = {"__name__": "safestride.fake"}
        exec("def boom():\n    raise ValueError\n", namespace)
        try:
            namespace["boom"]()  # type: ignore[operator]
        except ValueError:
            return sys.exc_info()[2].tb_next  # type: ignore[union-attr]
        return None

    assert user_traceback(machinery()) is None


def test_in_a_kernel_the_picture_comes_before_the_traceback(shell: Any) -> None:
    shell.run_line_magic("load_ext", "safestride")
    from safestride.notebook import extension

    extension.load(shell).errors.html = True  # as frontend_shows_html finds in a kernel
    with capture_output() as captured:
        result = shell.run_cell(CELL, store_history=True)
    assert isinstance(result.error_in_exec, OutOfBoundsError)
    [shown] = captured.outputs
    assert set(shown.data) == {"text/html", "text/plain"}
    assert "<svg" in shown.data["text/html"]
    assert "Cell In[1], line 3" in shown.data["text/html"]
    assert shown.data["text/plain"] == (
        f"OutOfBoundsError: {result.error_in_exec.summary} "
        "(made at Cell In[1], line 3 in <module>)"
    )
    assert "OutOfBoundsError" in captured.stdout
    assert "hook.py" not in captured.stdout
    assert "made at Cell In[1], line 3 in <module>" in captured.stdout


def test_in_a_terminal_only_the_traceback_shows(shell: Any) -> None:
    shell.run_line_magic("load_ext", "safestride")
    with capture_output() as captured:
        result = shell.run_cell(CELL, store_history=True)
    assert isinstance(result.error_in_exec, OutOfBoundsError)
    assert captured.outputs == []
    assert "as_strided would read 8 bytes" in captured.stdout


class TheirError(Exception):
    pass


def test_a_handler_set_before_keeps_its_exceptions_and_gets_its_place_back(
    shell: Any,
) -> None:
    seen: list[BaseException] = []

    def handler(
        shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None
    ) -> list[str]:
        seen.append(value)
        return ["theirs"]

    shell.set_custom_exc((TheirError,), handler)
    before = (shell.custom_exceptions, shell.CustomTB)
    shell.user_ns["TheirError"] = TheirError
    shell.run_line_magic("load_ext", "safestride")
    assert shell.custom_exceptions == (StrideError, TheirError)
    with capture_output():
        shell.run_cell("raise TheirError('mine')")
    assert [str(error) for error in seen] == ["mine"]
    shell.run_line_magic("unload_ext", "safestride")
    assert (shell.custom_exceptions, shell.CustomTB) == before
    shell.set_custom_exc((), None)


def test_a_handler_set_after_ours_is_left_alone(shell: Any) -> None:
    shell.run_line_magic("load_ext", "safestride")

    def handler(*args: Any, **kwargs: Any) -> None:
        return None

    shell.set_custom_exc((KeyError,), handler)
    theirs = shell.CustomTB
    shell.run_line_magic("unload_ext", "safestride")
    assert shell.custom_exceptions == (KeyError,)
    assert shell.CustomTB is theirs
    shell.set_custom_exc((), None)


def test_attaching_twice_keeps_one_handler(shell: Any) -> None:
    errors = RichErrors(shell, html=False)
    errors.attach()
    errors.attach()
    assert shell.custom_exceptions == (StrideError,)
    errors.detach()
    errors.detach()
    assert shell.custom_exceptions == ()


def test_a_picture_that_fails_still_shows_the_traceback(
    shell: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safestride.notebook import exceptions

    def broken(*args: Any) -> str:
        raise RuntimeError("no picture")

    monkeypatch.setattr(exceptions, "error_html", broken)
    errors = RichErrors(shell, html=True)
    errors.attach()
    try:
        with capture_output() as captured, safestride.guarded():
            shell.run_cell(CELL)
        assert shell.custom_exceptions == (StrideError,), "IPython kept ours"
    finally:
        errors.detach()
    assert "could not draw the error (RuntimeError('no picture'))" in captured.stderr
    assert "as_strided would read 8 bytes" in captured.stdout
