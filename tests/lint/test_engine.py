"""lint_tree: the selection decides which rules do any work."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from safestride.lint import Selection, lint_source, site_rules
from safestride.lint.site_rules import Report, Site

SOURCE = """
from numpy.lib.stride_tricks import as_strided

def pairs(x):
    return as_strided(x, (len(x) - 1, 2), (x.itemsize, x.itemsize))
"""


def test_rules_left_out_of_the_selection_never_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def spy(site: Site) -> Iterator[Report]:
        asked.append(site.label)
        return iter(())

    monkeypatch.setitem(site_rules.RULES, "SST009", spy)
    lint_source(SOURCE, "m.py", Selection(["SST002"]))
    assert asked == []
    lint_source(SOURCE, "m.py", Selection(["SST009"]))
    assert asked == ["x"]
