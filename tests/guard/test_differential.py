"""The guard against an independent oracle: a CI-sized, derandomized run.

``benchmarks/guard_differential.py`` generates each case from (seed, number)
alone, runs it plainly and under ``safestride.guarded(policy="record")``, and
has an oracle that enumerates the bytes the view touches say whether it is
unsafe (see its docstring). The full run is at least 10**6 cases (see
docs/realworld.rst); this one runs the same code on the first few thousand, in
a child process, since a case may make views of object arrays.
"""

from __future__ import annotations

import collections
import json
from typing import Any

import pytest

from tests.helpers import ROOT, run_python

BENCHMARK = ROOT / "benchmarks" / "guard_differential.py"
SEED = 0
CASES = 2500

Findings = dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def findings() -> Findings:
    """Every finding of cases 0 .. CASES-1 of seed SEED, by kind."""
    found = run_python(
        str(BENCHMARK),
        "--worker",
        "--seed",
        str(SEED),
        "--start",
        "0",
        "--stop",
        str(CASES),
        timeout=600,
    )
    assert found.returncode == 0, found.stderr[-3000:]
    by_kind: Findings = collections.defaultdict(list)
    counted = None
    for line in found.stdout.splitlines():
        item = json.loads(line)
        if "counts" in item:
            counted = item["counts"]
        else:
            by_kind[item["kind"]].append(item)
    assert counted is not None, found.stdout[-2000:]
    assert counted["cases"] == CASES
    return by_kind


def reproducers(items: list[dict[str, Any]]) -> str:
    """The cases' own source, for the assertion message."""
    listed = [
        run_python(str(BENCHMARK), "--seed", str(SEED), "--show", str(item["case"]))
        for item in items[:3]
    ]
    return "\n\n".join(
        f"{item}\n{shown.stdout.split('return self.made[-1]')[-1]}"
        for item, shown in zip(items[:3], listed, strict=True)
    )


pytestmark = pytest.mark.subprocess


def test_the_guard_lets_no_unsafe_view_through(findings: Findings) -> None:
    assert findings["miss"] == [], reproducers(findings["miss"])


def test_the_guard_never_changes_numpys_answer(findings: Findings) -> None:
    assert findings["change"] == [], reproducers(findings["change"])


def test_no_case_crashes_or_breaks_the_harness(findings: Findings) -> None:
    broken = findings["crash"] + findings["harness error"]
    assert broken == [], reproducers(broken)


def test_the_oracle_judged_every_case(findings: Findings) -> None:
    assert findings["unjudged"] == []


def test_safe_views_of_sized_dtypes_raise_no_false_alarm(findings: Findings) -> None:
    alarms = [
        item for item in findings["false alarm"] if "dtype=V0" not in item["tags"]
    ]
    assert alarms == [], reproducers(alarms)


def test_views_of_itemsize_zero_raise_no_false_alarm(findings: Findings) -> None:
    assert findings["false alarm"] == [], reproducers(findings["false alarm"])


def test_writeable_views_over_object_pointers_are_reported(
    findings: Findings,
) -> None:
    assert findings["object slots"] == [], reproducers(findings["object slots"])


def test_the_guard_never_raises_under_record(findings: Findings) -> None:
    assert findings["refusal"] == [], reproducers(findings["refusal"])
