"""SST012: the lowest byte of an array kept with its strides."""

from __future__ import annotations

from pathlib import Path

import pytest

from safestride.lint import Selection, lint_file, lint_source

RULE = Selection(["SST012"])
HEADER = "import numpy as np\nfrom numpy.lib.array_utils import byte_bounds\n"


def _lines(body: str) -> list[int]:
    return [f.line for f in lint_source(HEADER + body, "m.py", RULE)]


def test_the_joblib_reducer_is_reported_at_the_lowest_byte() -> None:
    body = (
        "def reduce(a, m):\n"
        "    a_start, a_end = byte_bounds(a)\n"
        "    offset = a_start - byte_bounds(m)[0]\n"
        "    offset += m.offset\n"
        "    if a.flags['F_CONTIGUOUS'] or a.flags['C_CONTIGUOUS']:\n"
        "        strides = None\n"
        "    else:\n"
        "        strides = a.strides\n"
        "        total = (a_end - a_start) // a.itemsize\n"
        "    return (rebuild, (m.filename, offset, a.shape, strides, total))\n"
    )
    (finding,) = lint_source(HEADER + body, "m.py", RULE)
    assert (finding.line, finding.column) == (4, 22)
    assert "together at line 12" in finding.message
    assert "the first element of `a` is not at its lowest byte" in finding.message
    assert "a[0, ..., 0]" in finding.message


@pytest.mark.parametrize(
    "guard",
    [
        "    if not a.flags.c_contiguous:\n        raise ValueError('a')\n",
        "    assert a.flags.f_contiguous\n",
        "    if any(s < 0 for s in a.strides):\n        return None\n",
        "    if min(a.strides) < 0:\n        return None\n",
        "    a = np.ascontiguousarray(a)\n",
    ],
    ids=["early-exit", "assert", "sign-test", "min-sign-test", "made-contiguous"],
)
def test_strides_shown_not_negative_are_not_reported(guard: str) -> None:
    body = (
        "def layout(a, m):\n"
        + guard
        + "    return (byte_bounds(a)[0] - byte_bounds(m)[0], a.strides)\n"
    )
    assert _lines(body) == []


def test_a_record_made_only_when_contiguous_is_not_reported() -> None:
    body = (
        "def layout(a, m):\n"
        "    strides = a.strides\n"
        "    if a.flags.c_contiguous:\n"
        "        return (byte_bounds(a)[0] - byte_bounds(m)[0], strides)\n"
    )
    assert _lines(body) == []


def test_the_branch_where_it_is_not_contiguous_is_reported() -> None:
    body = (
        "def layout(a, m):\n"
        "    if a.flags.c_contiguous:\n"
        "        return None\n"
        "    else:\n"
        "        return (byte_bounds(a)[0] - byte_bounds(m)[0], a.strides)\n"
    )
    assert _lines(body) == [7]


@pytest.mark.parametrize(
    "record",
    [
        "(byte_bounds(a)[0], m.strides)",
        "(byte_bounds(a)[1], a.strides)",
        "(byte_bounds(m)[0] - byte_bounds(a)[0], a.strides)",
        "(byte_bounds(a)[1] - byte_bounds(a)[0], a.strides)",
        "(a.__array_interface__['data'][0], a.strides)",
        "(byte_bounds(a)[0], a.strides[0])",
    ],
    ids=["other-array", "high-end", "subtracted", "extent", "first-element", "one"],
)
def test_other_values_with_strides_are_not_reported(record: str) -> None:
    assert _lines(f"def layout(a, m):\n    return {record}\n") == []


def test_the_pair_kept_in_a_name_is_followed() -> None:
    body = (
        "def layout(a):\n"
        "    bounds = byte_bounds(a)\n"
        "    low = bounds[0]\n"
        "    return dict(offset=low, strides=a.strides)\n"
    )
    assert _lines(body) == [4]


def test_values_shown_are_not_a_record() -> None:
    body = "def show(a):\n    print(byte_bounds(a)[0], a.strides)\n"
    assert _lines(body) == []


def test_a_module_function_of_the_same_name_is_not_numpy() -> None:
    source = (
        "def byte_bounds(a):\n"
        "    return (0, 0)\n"
        "def layout(a):\n"
        "    return (byte_bounds(a)[0], a.strides)\n"
    )
    assert lint_source(source, "m.py", RULE) == []


def test_module_level_records_and_nested_functions_are_read() -> None:
    body = (
        "x = np.arange(6.0)[::-1]\n"
        "record = (byte_bounds(x)[0], x.strides)\n"
        "class Pickler:\n"
        "    def reduce(self, a):\n"
        "        def inner():\n"
        "            return [byte_bounds(a)[0], a.strides]\n"
        "        return inner\n"
    )
    assert _lines(body) == [4, 8]


def test_files_without_as_strided_are_read_for_it(tmp_path: Path) -> None:
    path = tmp_path / "reducer.py"
    path.write_text(HEADER + "def f(a):\n    return (byte_bounds(a)[0], a.strides)\n")
    assert [f.code for f in lint_file(path)] == ["SST012"]
