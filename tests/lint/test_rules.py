"""The rule table: what is in the default selection, and every snippet the
docs show: each example is flagged by its rule, each "Use instead" and each
README example is clean under the default selection and runs with numpy."""

from __future__ import annotations

import re

import numpy as np
import pytest

from safestride.lint import RULES, Selection, lint_source
from safestride.lint.rule_docs import explain
from tests.helpers import ROOT

DEFAULT = Selection()
HEADER = (
    "import numpy as np\n"
    "from numpy.lib.stride_tricks import as_strided, sliding_window_view\n"
)


def data() -> np.ndarray:
    """An array the linter knows nothing about (it comes from a call)."""
    return np.arange(10.0)


#: What each rule's snippets need defined before them.
SETUP = {
    "SST001": "x = np.ones((2, 3, 4, 5))\nbias = np.arange(3.0)\n",
    "SST002": "x = data()[::2]\nn = len(x)\nk = 3\n",
    "SST003": "x = data()\n",
    "SST004": "x = data()\nshape = (4, 3)\nstrides = (x.strides[0],) * 2\n",
    "SST005": "x = data()\n",
    "SST006": "b = data()\nn = 4\n",
    "SST007": "x = data()\nk = 3\n",
    "SST008": "",
    "SST009": "",
    "SST010": "x = data()\n",
    "SST011": "",
    "SST012": "x = data()\n",
}
DOCUMENTED = [rule for rule in RULES if rule.code in SETUP]


def test_the_default_selection_is_the_rules_that_point_at_defects() -> None:
    advice = {rule.code for rule in RULES if not rule.default}
    assert advice == {"SST004", "SST006", "SST007", "SST008"}
    assert DEFAULT.codes == {rule.code for rule in RULES} - advice
    for rule in RULES:
        text = explain(rule.code)
        assert text is not None
        assert ("In the default selection" in text) == rule.default


def test_every_documented_rule_has_snippets_set_up() -> None:
    assert {rule.code for rule in RULES} - set(SETUP) == {"SST900"}


def _program(code: str, snippet: str) -> str:
    return HEADER + SETUP[code] + snippet + "\n"


@pytest.mark.parametrize("rule", DOCUMENTED, ids=[r.code for r in DOCUMENTED])
def test_each_example_is_flagged_by_its_rule(rule: object) -> None:
    code = rule.code  # type: ignore[attr-defined]
    program = _program(code, rule.example)  # type: ignore[attr-defined]
    found = {f.code for f in lint_source(program, "example.py", Selection((code,)))}
    assert found == {code}, program


@pytest.mark.parametrize("rule", DOCUMENTED, ids=[r.code for r in DOCUMENTED])
def test_each_use_instead_is_clean_and_runs(rule: object) -> None:
    code = rule.code  # type: ignore[attr-defined]
    program = _program(code, rule.instead)  # type: ignore[attr-defined]
    assert lint_source(program, "instead.py", DEFAULT) == [], program
    exec(compile(program, "instead.py", "exec"), {"data": data})


def _readme_python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_the_readme_examples_are_clean_and_run() -> None:
    blocks = _readme_python_blocks()
    assert blocks, "README.md has no python example"
    for block in blocks:
        for setup in ("x = np.arange(10.0)\n", "x = data()\n"):
            program = "import numpy as np\n" + setup + "n = len(x)\nk = 3\n" + block
            assert lint_source(program, "README.md", DEFAULT) == [], program
            exec(compile(program, "README.md", "exec"), {"data": data})
