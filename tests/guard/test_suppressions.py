"""Known-benign sites: not reported, always counted, rules that name their line."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from safestride import guarded
from safestride.guard.suppressions import BUILT_IN, Suppression, read_file, rules


def vectorized_sum(a: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda row: row.sum(), signature="(n)->()")(a)  # type: ignore[no-any-return]


def test_numpys_vectorize_dummy_view_is_suppressed_and_counted() -> None:
    with guarded(policy="raise") as report:
        result = vectorized_sum(np.ones((3, 4)))
    assert result.tolist() == [4.0, 4.0, 4.0]
    assert len(report) == 0
    assert sum(report.suppressed.values()) >= 1
    assert "suppressed" in report.summary()


def unread_view(x: np.ndarray) -> np.ndarray:
    return np.lib.stride_tricks.as_strided(x, shape=(8,), strides=(8,))


def test_a_users_rule_suppresses_by_module_and_function() -> None:
    rule = f"{__name__}:unread_*  # only its shape is used"
    with guarded(policy="raise", suppressions=[rule]) as report:
        unread_view(np.arange(2.0))
    assert len(report) == 0
    assert report.suppressed == {f"{__name__}:unread_*": 1}


def test_without_the_rule_the_same_view_is_reported() -> None:
    with guarded(policy="record") as report:
        unread_view(np.arange(2.0))
    assert len(report) == 1


def test_a_file_of_rules_names_its_bad_line(tmp_path: Path) -> None:
    good = tmp_path / "suppressions.txt"
    good.write_text("# our own\nmylib.frames:_shape_only  # never read\n\n")
    assert read_file(good) == (
        Suppression("mylib.frames", "_shape_only", "never read"),
    )
    bad = tmp_path / "bad.txt"
    bad.write_text("mylib.frames:ok\nmylib frames\n")
    with pytest.raises(ValueError, match=r"bad.txt:2: 'mylib frames' is not a"):
        read_file(bad)


def test_one_string_is_not_a_list_of_rules() -> None:
    with pytest.raises(TypeError, match="Wrap it in a list"):
        rules("mylib:f")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "named"),
    [(None, "got NoneType None"), ([1], "got int 1"), ([b"m:f"], "got bytes b'm:f'")],
)
def test_what_is_not_a_list_of_rules_is_named(given: object, named: str) -> None:
    with pytest.raises(TypeError, match=rf"^suppressions.*{re.escape(named)}"):
        rules(given)  # type: ignore[arg-type]


def test_built_in_rules_say_why() -> None:
    assert all(rule.reason for rule in BUILT_IN)
