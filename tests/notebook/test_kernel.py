"""End to end: a notebook run in a real Jupyter kernel, started by the test.

One kernel for the module: the notebook below is run once, and each test
reads the outputs of its cells.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

from tests.notebook.kernel import execute, notebook, outputs, text

pytestmark = pytest.mark.subprocess

CELLS = {
    "python": "import sys\nprint(sys.executable)",
    "load": "%load_ext safestride",
    "setup": (
        "import numpy as np\n"
        "from numpy.lib.stride_tricks import as_strided\n"
        "x = np.zeros(3)"
    ),
    "unsafe": "y = as_strided(x, shape=(4,), strides=(8,))",
    "record": "%safestride on --policy record",
    "recorded": (
        "# one too long\nwindow = as_strided(x, shape=(5,), strides=(8,))\nwindow.shape"
    ),
    "report": "%safestride report",
    "off": "%safestride off",
    "unguarded": "print(as_strided(x, shape=(4,), strides=(8,)).shape)",
    "typo": "%safestride on --polcy record",
    "unload": (
        "%unload_ext safestride\n"
        "import safestride\n"
        "print(safestride.is_installed(), get_ipython().custom_exceptions)"
    ),
    "gone": "%safestride report",
}


@pytest.fixture(scope="module")
def cells(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    book = execute(notebook(*CELLS.values()), tmp_path_factory.mktemp("kernel"))
    return dict(zip(CELLS, book.cells, strict=True))


def test_loading_turns_the_guard_on(cells: dict[str, Any]) -> None:
    assert text(cells["load"]).startswith("safestride: the guard is on (policy 'raise'")


def test_an_unsafe_view_raises_with_its_picture(cells: dict[str, Any]) -> None:
    [picture] = outputs(cells["unsafe"], "display_data")
    [error] = outputs(cells["unsafe"], "error")
    assert cells["unsafe"].outputs.index(picture) < cells["unsafe"].outputs.index(error)
    assert set(picture.data) == {"text/html", "text/plain"}
    page = picture.data["text/html"]
    for fact in (
        "OutOfBoundsError",
        "8 bytes (~1 element) out of bounds, past the end",
        "<b>Cell In[4], line 1</b>",
        "y = as_strided(x, shape=(4,), strides=(8,))",
        "<svg",
        "dimension 0 (size 4, stride 8)",
        "Likely cause:</b> Off by one?",
    ):
        assert fact in page, fact
    assert error.ename == "OutOfBoundsError"
    assert "made at Cell In[4], line 1 in <module>" in error.evalue
    assert "hook.py" not in "".join(error.traceback), "ends at the user's line"


def test_record_then_report_shows_the_view_and_its_line(cells: dict[str, Any]) -> None:
    assert outputs(cells["recorded"], "error") == []
    [shape] = outputs(cells["recorded"], "execute_result")
    assert shape.data["text/plain"] == "(5,)"
    [report] = outputs(cells["report"], "execute_result")
    plain, page = report.data["text/plain"], report.data["text/html"]
    assert plain.startswith("safestride: 2 unsafe views at 2 call sites")
    assert "2. Cell In[6], line 2 in <module> (made once):" in plain
    assert "Cell In[6], line 2</b>" in page
    assert page.count("<svg") == 2


def test_off_lets_the_same_call_through(cells: dict[str, Any]) -> None:
    assert text(cells["off"]).startswith("safestride: the guard is off")
    assert outputs(cells["unguarded"], "error") == []
    assert text(cells["unguarded"]) == "(4,)\n"


def test_a_typo_is_a_usage_error_naming_it(cells: dict[str, Any]) -> None:
    said = text(cells["typo"])
    assert "UsageError: %safestride on: unknown option '--polcy'" in said


def test_unloading_removes_the_guard_the_handler_and_the_magic(
    cells: dict[str, Any],
) -> None:
    assert text(cells["unload"]) == "False ()\n"
    assert "Line magic function `%safestride` not found" in text(cells["gone"])


def test_the_kernel_runs_this_interpreter(cells: dict[str, Any]) -> None:
    assert text(cells["python"]).strip() == sys.executable
