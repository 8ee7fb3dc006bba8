"""The checker's walk: only the selected rules run, and nothing is kept
alive once a module is checked."""

from __future__ import annotations

import ast
import gc
from pathlib import Path

from hypothesis import given, settings, strategies as st

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


STATEMENTS = st.sampled_from(
    [
        "n, c, h, w = x.shape",
        "s = x.strides[0]",
        "k = (h - kh) // sh + 1",
        "shape = [n, k]",
        "shape[0] -= 1",
        "shape.append(k)",
        "strides = np.array(x.strides * 2)",
        "strides[0] *= 2",
        "x = np.pad(x, ((0, 0), (1, 1)))",
        "x = x[:, ::2]",
        "x.shape = (n, -1)",
        "self.step = s // 8",
        "self.step += s",
        "self.steps = (s, self.step)",
        "global LIMIT",
        "LIMIT = k",
        "a = np.arange(k)",
        "a = np.zeros((n, 3), dtype=np.float32)",
        "b = a.reshape(-1)",
        "v = as_strided(x, shape, strides)",
        "v[0] = 1",
        "v = v.copy()",
        "q = int((h - kh) / sh)",
    ]
)
VIEWS = st.sampled_from(
    [
        "as_strided(x, (k, kh), (s, s))",
        "as_strided(a, (n, 2), a.strides * 2)",
        "as_strided(x, shape, strides)",
        "as_strided(b, (q, 2), (self.step, s))",
        "as_strided(x, (LIMIT,), (self.steps[0],))",
    ]
)
BLOCKS = st.sampled_from(["", "if flag:", "for i in range(3):", "while flag:"])


@settings(max_examples=150, deadline=None)
@given(
    body=st.lists(st.tuples(BLOCKS, STATEMENTS), max_size=8),
    view=VIEWS,
)
def test_never_crashes_on_code_that_rebinds_and_changes_values(
    body: list[tuple[str, str]], view: str
) -> None:
    lines = [
        "import numpy as np",
        "from numpy.lib.stride_tricks import as_strided",
        "LIMIT = 4",
        "class Layer:",
        "    def method(self, x, kh, sh, flag):",
    ]
    for block, statement in body:
        if block:
            lines += [f"        {block}", f"            {statement}"]
        else:
            lines.append(f"        {statement}")
    lines.append(f"        return {view}")
    source = "\n".join(lines) + "\n"
    tree = ast.parse(source)
    checker = Checker("random.py", source.splitlines(), tree)
    checker.visit(tree)
    for finding in checker.findings:
        assert finding.code.startswith("SST")
