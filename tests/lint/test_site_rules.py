"""One finding per defect: rules about how strides were computed stay quiet
where a defect rule reports the same call."""

from __future__ import annotations

from safestride.lint import Selection, lint_source

ITEMSIZE_DIVIDED = """
from numpy.lib.stride_tricks import as_strided

def pool(x, kh, kw):
    n, h, w = x.shape
    size = x.itemsize
    return as_strided(x, (n, h // kh, w // kw, kh, kw),
                      (h * w * size, w * kh * size, kw * size, w // size, size))
"""

ITEMSIZE_ONLY = """
from numpy.lib.stride_tricks import as_strided

def pairs(x):
    return as_strided(x, (len(x) - 1, 2), (x.itemsize, x.itemsize))
"""


def _codes(source: str, selection: Selection) -> list[str]:
    return [finding.code for finding in lint_source(source, "m.py", selection)]


def test_a_defect_finding_silences_the_weaker_one_on_the_same_call() -> None:
    assert _codes(ITEMSIZE_DIVIDED, Selection()) == ["SST010"]


def test_the_weaker_finding_stays_where_it_is_the_only_one() -> None:
    assert _codes(ITEMSIZE_ONLY, Selection()) == ["SST002"]


def test_the_weaker_finding_speaks_when_the_defect_rule_is_not_selected() -> None:
    assert _codes(ITEMSIZE_DIVIDED, Selection(["SST002"])) == ["SST002"]
    assert _codes(ITEMSIZE_DIVIDED, Selection(ignore=["SST010"])) == ["SST002"]
