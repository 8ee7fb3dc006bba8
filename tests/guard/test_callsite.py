"""Call sites named for a reader: a notebook's cells by their cell, and code
whose file name was lost on the way (cloudpickle) by the file it came from."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import pytest

from safestride.guard.callsite import (
    SHIPPED_CODE,
    CallSite,
    add_block_namer,
    block_name,
    find_call_site,
    frame_filename,
    remove_block_namer,
)

CELL = "/tmp/ipykernel_4242/1234.py"


def cells(filename: str) -> str | None:
    return "Cell In[3]" if filename == CELL else None


@pytest.fixture
def named() -> Iterator[None]:
    add_block_namer(cells)
    try:
        yield
    finally:
        remove_block_namer(cells)


def test_a_file_is_named_by_its_path_and_line() -> None:
    site = CallSite("train.py", 9, "step", "")
    assert (site.location, str(site)) == ("train.py:9", "train.py:9 in step")


@pytest.mark.usefixtures("named")
def test_a_named_block_is_named_by_its_namer() -> None:
    site = CallSite(CELL, 5, "<module>", "")
    assert str(site) == "Cell In[3], line 5 in <module>"
    assert str(CallSite("train.py", 9, "step", "")) == "train.py:9 in step"


@pytest.mark.usefixtures("named")
def test_the_newest_namer_speaks_first() -> None:
    def renamed(filename: str) -> str | None:
        return "Cell In[4]" if filename == CELL else None

    add_block_namer(renamed)
    try:
        assert block_name(CELL) == "Cell In[4]"
    finally:
        remove_block_namer(renamed)
    assert block_name(CELL) == "Cell In[3]"


def test_removing_a_namer_never_added_is_harmless() -> None:
    remove_block_namer(cells)
    assert block_name(CELL) is None


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
