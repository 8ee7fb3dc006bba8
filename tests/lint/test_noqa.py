"""``# noqa`` is read one way by ``safestride lint`` and by flake8."""

from __future__ import annotations

from pathlib import Path

import pytest

from safestride.lint import Selection, lint_source
from safestride.lint.noqa import Noqa, read_noqa
from tests.helpers import run_python

#: comment -> the codes still reported on `as_strided(b, strides=(8,))`
#: (SST004 at column 7, SST003 at column 29), as flake8 itself reads them
#: where it reads them at all.
VARIANTS = {
    "# noqa": set(),
    "#noqa": set(),  # flake8 needs the space; ours does not
    "# NOQA": set(),
    "# noqa:SST004": {"SST003"},
    "# noqa: SST004": {"SST003"},
    "# noqa:sst004": {"SST003"},  # flake8 compares the case; ours does not
    "#noqa:E501,SST004": {"SST003"},
    "# noqa: E501 SST004": {"SST003"},
    "# noqa: SST00": set(),  # a prefix
    "# noqa:E501": {"SST003", "SST004"},
    "# noqa: SST003 because": {"SST004"},
    # flake8 reads these as a bare noqa comment, silencing all: so must we
    "# noqa:  SST004": set(),
    "# noqa : SST004": set(),
    "# noqa: SST": set(),
    "# noqa:": set(),
    "# noqa-xyz": set(),
}

LINE = "v = as_strided(b, strides=(8,))  {}"
HEADER = "from numpy.lib.stride_tricks import as_strided  # noqa\n"
EVERYTHING = Selection(["ALL"])


@pytest.mark.parametrize(("comment", "left"), VARIANTS.items(), ids=VARIANTS.keys())
def test_each_spelling(comment: str, left: set[str]) -> None:
    source = HEADER + LINE.format(comment) + "\n"
    assert {f.code for f in lint_source(source, selection=EVERYTHING)} == left


def test_read_noqa() -> None:
    assert read_noqa("x  # noqa:SST001,sst004 # noqa") == [
        Noqa(("SST001", "SST004")),
        Noqa(None),
    ]
    assert Noqa(("SST00",)).silences("SST004")
    assert not Noqa(("SST004",)).silences("SST001")


def test_a_string_or_a_backslash_over_several_lines_shares_its_noqa() -> None:
    source = HEADER + "s = '''\n''' ; v = as_strided(b, strides=(8,))  # noqa\n"
    assert lint_source(source, selection=EVERYTHING) == []
    continued = HEADER + "v = as_strided(b, strides=(8,)) + \\\n    1  # noqa\n"
    assert lint_source(continued, selection=EVERYTHING) == []
    call = HEADER + "v = as_strided(\n    b, strides=(8,),\n)  # noqa\n"
    assert {f.code for f in lint_source(call, selection=EVERYTHING)} == {
        "SST003",
        "SST004",
    }


def test_flake8_file_exemption() -> None:
    source = "# flake8: noqa\n" + HEADER.replace("  # noqa", "") + LINE.format("")
    assert lint_source(source, selection=EVERYTHING) == []


@pytest.mark.subprocess
def test_flake8_and_the_command_line_silence_the_same(tmp_path: Path) -> None:
    pytest.importorskip("flake8")
    lines = [HEADER.rstrip("\n")]
    lines += [LINE.format(comment) for comment in VARIANTS]
    lines += ["s = '''", "''' ; v = as_strided(b, strides=(8,))  # noqa"]
    lines += ["v = as_strided(", "    b, strides=(8,),", ")  # noqa"]
    lines += ["v = as_strided(b, strides=(8,)) + \\", "    1  # noqa"]
    (tmp_path / "variants.py").write_text("\n".join(lines) + "\n")
    ours = run_python(
        "-m", "safestride.cli", "lint", "-q", "--select", "ALL", "variants.py",
        cwd=tmp_path,
    )  # fmt: skip
    flake8 = run_python("-m", "flake8", "--select", "SST", "variants.py", cwd=tmp_path)
    assert ours.stdout.splitlines() == flake8.stdout.splitlines()
    expected = sum(len(left) for left in VARIANTS.values()) + 2
    assert len(ours.stdout.splitlines()) == expected
    raw = run_python(
        "-m", "flake8", "--select", "SST", "--disable-noqa", "variants.py",
        cwd=tmp_path,
    )  # fmt: skip
    # without noqa, every variant line has its two findings back
    assert len(raw.stdout.splitlines()) >= 2 * len(VARIANTS) + 1
