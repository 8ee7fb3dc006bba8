"""Call sites named for a reader: a notebook's cells by their cell."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from safestride.guard.callsite import (
    CallSite,
    add_block_namer,
    block_name,
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
