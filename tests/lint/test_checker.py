"""The checker's walk: only the selected rules run, and nothing is kept
alive once a module is checked."""

from __future__ import annotations

import ast
import gc
from pathlib import Path

from safestride.lint.checker import Checker

FIXTURES = Path(__file__).parent / "fixtures"


def _check(source: str, **options: object) -> Checker:
    lines = source.splitlines()
    tree = ast.parse(source)
    checker = Checker("module.py", lines, tree, **options)  # type: ignore[arg-type]
    checker.visit(tree)
    return checker


def test_only_the_rules_asked_for_run() -> None:
    source = "".join(p.read_text() for p in sorted(FIXTURES.glob("sst00*.py")))
    everything = _check(source).findings
    asked = {"SST004", "SST009"}
    some = _check(source, wants=lambda code: code in asked).findings
    assert {f.code for f in everything} > asked
    assert some == [f for f in everything if f.code in asked or f.code == "SST008"]


def test_checking_leaves_no_cycles_for_the_garbage_collector() -> None:
    source = (FIXTURES / "sst009.py").read_text() + (FIXTURES / "sst001.py").read_text()
    _check(source)  # warm up: first uses fill caches that live on
    gc.collect()
    gc.disable()
    try:
        checker = _check(source)
        assert checker.findings
        assert not checker.module.bindings
        del checker
        assert gc.collect() == 0
    finally:
        gc.enable()
