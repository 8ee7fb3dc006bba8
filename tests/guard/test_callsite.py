"""Call sites of code whose file name was lost on the way (cloudpickle)."""

from __future__ import annotations

import sys
import types

from safestride.guard.callsite import SHIPPED_CODE, find_call_site, frame_filename


def shipped(
    function: types.FunctionType, globals_: dict[str, object]
) -> types.FunctionType:
    """`function` as cloudpickle rebuilds it on a dask worker: its code's file
    renamed, its globals cut down to a few module attributes."""
    code = function.__code__.replace(co_filename=SHIPPED_CODE)
    return types.FunctionType(code, globals_, function.__name__)


def where() -> types.FrameType:
    return sys._getframe()


def test_shipped_code_is_named_by_the_file_it_came_from() -> None:
    frame = shipped(where, {"__name__": __name__, "__file__": __file__, "sys": sys})()
    assert frame.f_code.co_filename == SHIPPED_CODE
    assert frame_filename(frame) == __file__
    site = find_call_site(frame)
    assert (site.filename, site.lineno) == (__file__, where.__code__.co_firstlineno + 1)
    assert site.source == "return sys._getframe()"


def test_shipped_code_without_a_file_keeps_its_placeholder() -> None:
    frame = shipped(where, {"__name__": "__main__", "sys": sys})()
    assert frame_filename(frame) == SHIPPED_CODE  # a notebook cell, say
    assert find_call_site(frame).source == ""


def test_other_code_keeps_its_own_file() -> None:
    frame = where()
    assert frame_filename(frame) == frame.f_code.co_filename == __file__
