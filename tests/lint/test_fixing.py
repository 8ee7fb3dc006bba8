"""``--fix`` and ``--diff`` keep everything a fix does not have to change."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

from safestride.lint import Selection, apply_fixes, lint_source
from safestride.lint.findings import Edit, Finding, Fix
from safestride.lint.fixing import keep_layout, unified_diff
from tests.lint.conftest import BAD, Run, write

SST008 = Selection(["SST008"])

CASES = {
    "parenthesised, with comments": (
        "from numpy.lib.stride_tricks import (  # the raw one\n"
        "    as_strided,  # unchecked\n"
        "    sliding_window_view,\n"
        ")\n",
        "from safestride.stride_tricks import (  # the raw one\n"
        "    as_strided,  # unchecked\n"
        "    sliding_window_view,\n"
        ")\n",
    ),
    "a name moved out of a parenthesised import": (
        "from numpy.lib._stride_tricks_impl import (\n"
        "    DummyArray,  # internal\n"
        "    as_strided,\n"
        ")  # end\n",
        "from numpy.lib._stride_tricks_impl import (\n"
        "    DummyArray,  # internal\n"
        ")\n"
        "from safestride import as_strided  # end\n",
    ),
    "a name moved out from the front": (
        "from numpy.lib._stride_tricks_impl import as_strided as s, DummyArray\n",
        "from numpy.lib._stride_tricks_impl import DummyArray\n"
        "from safestride import as_strided as s\n",
    ),
    "a comment after the name it follows": (
        "from numpy.lib._stride_tricks_impl import (\n"
        "    as_strided,  # why we need it\n"
        "    DummyArray,\n"
        ")\n",
        "from numpy.lib._stride_tricks_impl import (\n"
        "    # why we need it\n"
        "    DummyArray,\n"
        ")\n"
        "from safestride import as_strided\n",
    ),
}


@pytest.mark.parametrize(("before", "after"), CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_fixes_keep_comments_and_line_endings(
    before: str, after: str, newline: str
) -> None:
    before, after = before.replace("\n", newline), after.replace("\n", newline)
    fixed, applied = apply_fixes(before, lint_source(before, selection=SST008))
    assert (fixed, applied) == (after, 1)
    ast.parse(fixed)
    assert lint_source(fixed, selection=SST008) == []


def test_a_fix_that_would_drop_a_comment_is_not_applied() -> None:
    source = "x = (1,  # one\n     2)\n"
    edit = Edit(1, 1, 2, 8, "x = (1, 2)")
    finding = Finding("SST008", "m", "f.py", 1, 1, 2, 8, Fix("squash", (edit,)))
    assert apply_fixes(source, [finding]) == (source, 0)
    assert keep_layout("x = (1,\n 2)", "x = (1, 2)") is None


def test_unified_diff() -> None:
    assert unified_diff("a\n", "a\n", "f.py") == ""
    assert unified_diff("a\nb", "a\nc", "f.py") == (
        "--- f.py\n+++ f.py\n@@ -1,2 +1,2 @@\n a\n-b\n"
        "\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
    )


# ------------------------------------------------- through the command line


def test_fix_writes_bytes_back_in_the_file_s_own_encoding(
    project: Path, safestride: Callable[..., Run]
) -> None:
    latin = b"# -*- coding: latin-1 -*-\r\n# caf\xe9\r\n"
    bom = b"\xef\xbb\xbf"
    write(
        project,
        {
            "latin.py": latin + b"from numpy.lib.stride_tricks import as_strided\r\n",
            "bom.py": bom + b"from numpy.lib.stride_tricks import as_strided\n",
        },
    )
    result = safestride("lint", "--fix", "--select", "SST008")
    assert (project / "latin.py").read_bytes() == (
        latin + b"from safestride.stride_tricks import as_strided\r\n"
    )
    assert (project / "bom.py").read_bytes() == (
        bom + b"from safestride.stride_tricks import as_strided\n"
    )
    assert result.code == 0
    assert result.lines == [
        "Fixed 2 findings:",
        "- bom.py: 1 x SST008 (numpy-as-strided)",
        "- latin.py: 1 x SST008 (numpy-as-strided)",
        "Found 2 findings (2 fixed, 0 remaining).",
    ]


def test_fix_says_what_it_fixed_and_what_remains(
    project: Path, safestride: Callable[..., Run]
) -> None:
    write(project, {"bad.py": BAD})
    result = safestride("lint", "--fix", "--select", "SST001,SST008")
    assert result.code == 1
    assert result.lines[0].startswith("bad.py:3:34: SST001 ")
    assert result.lines[1:] == [
        "Fixed 1 finding:",
        "- bad.py: 1 x SST008 (numpy-as-strided)",
        "Found 2 findings (1 fixed, 1 remaining).",
    ]


def test_diff_shows_the_fix_and_writes_nothing(
    project: Path, safestride: Callable[..., Run]
) -> None:
    write(project, {"bad.py": BAD, "clean.py": "as_strided = None\n"})
    result = safestride("lint", "--diff", "--select", "SST001,SST008")
    assert (project / "bad.py").read_text() == BAD
    assert result.code == 1
    assert result.out == (
        "--- bad.py\n+++ bad.py\n@@ -1,3 +1,3 @@\n"
        "-from numpy.lib.stride_tricks import as_strided\n"
        "+from safestride.stride_tricks import as_strided\n"
        " def f(b, x):\n"
        "     return as_strided(b, strides=x.strides, shape=x.shape, writeable=False)\n"
        "Would fix 1 finding.\n"
    )
    # findings without fixes do not count, as in ruff
    nothing = safestride("lint", "--diff", "--select", "SST001")
    assert (nothing.code, nothing.out) == (0, "")
