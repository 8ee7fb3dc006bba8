"""Files are read as Python reads them, the same way by both front ends."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from safestride.lint.parsing import decode, newline_of, physical_lines
from tests.helpers import run_python
from tests.lint.conftest import Run, write

IMPORT = b"from numpy.lib.stride_tricks import as_strided\n"
CALL = b"v = as_strided(b, strides=(8,))  # noqa: SST003\n"

#: Files Python reads without complaint, each with SST008 on line 1 (or 3)
#: and SST004 on the call.
ENCODED = {
    "bom.py": b"\xef\xbb\xbf" + IMPORT + CALL,
    "latin.py": b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + IMPORT + CALL,
    "crlf.py": (IMPORT + CALL).replace(b"\n", b"\r\n"),
    "formfeed.py": IMPORT + b"\x0c\n" + CALL,
}


def test_decode_follows_the_bom_and_the_coding_line() -> None:
    assert decode(ENCODED["bom.py"]).text.startswith("from numpy")
    assert decode(ENCODED["bom.py"]).encode("x") == b"\xef\xbb\xbfx"
    latin = decode(ENCODED["latin.py"])
    assert "# café\n" in latin.text
    assert latin.encode("é") == b"\xe9"
    with pytest.raises(SyntaxError):
        decode(b"# coding: no-such-codec\n")


def test_lines_are_counted_as_python_counts_them() -> None:
    assert physical_lines("a\r\nb\rc\n\x0cd\x1ce\u2028f\n") == [
        "a",
        "b",
        "c",
        "\x0cd\x1ce\u2028f",
    ]
    assert physical_lines("") == []
    assert newline_of("a\r\nb\n") == "\r\n"
    assert newline_of("a") == "\n"


def test_encoded_files_are_linted_not_reported_unparseable(
    project: Path, safestride: Callable[..., Run]
) -> None:
    write(project, ENCODED)  # type: ignore[arg-type]
    result = safestride("lint", "-q", "--select", "SST004,SST008,SST900")
    assert sorted(line.split(" ")[:2] for line in result.lines) == [
        ["bom.py:1:1:", "SST008"],
        ["bom.py:2:5:", "SST004"],
        ["crlf.py:1:1:", "SST008"],
        ["crlf.py:2:5:", "SST004"],
        ["formfeed.py:1:1:", "SST008"],
        ["formfeed.py:3:5:", "SST004"],
        ["latin.py:3:1:", "SST008"],
        ["latin.py:4:5:", "SST004"],
    ]


def test_undecodable_files_say_why(
    project: Path, safestride: Callable[..., Run]
) -> None:
    write(
        project,
        {
            "latin_without_coding.py": b"# caf\xe9\n" + IMPORT,
            "unknown_codec.py": b"# coding: klingon\n" + IMPORT,
        },
    )
    lines = safestride("lint", "-q").lines
    assert lines[0].startswith("latin_without_coding.py:1:1: SST900 ")
    assert "its bytes are not UTF-8, and no PEP 263 coding line" in lines[0]
    assert lines[1].startswith("unknown_codec.py:1:1: SST900 ")
    assert "its coding line names no codec Python knows" in lines[1]
    assert "klingon" in lines[1]


@pytest.mark.subprocess
def test_both_front_ends_agree_on_encoded_files(project: Path) -> None:
    pytest.importorskip("flake8")
    write(project, ENCODED)  # type: ignore[arg-type]
    names = sorted(ENCODED)
    ours = run_python(
        "-m", "safestride.cli", "lint", "-q", "--select", "SST", *names, cwd=project
    )
    flake8 = run_python("-m", "flake8", "--select", "SST", *names, cwd=project)
    assert flake8.stdout.splitlines() == ours.stdout.splitlines()
    assert len(ours.stdout.splitlines()) == 8
