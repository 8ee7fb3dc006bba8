"""numpy's own stride-tricks tests pass with safestride's as_strided in its place."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import ROOT, run_python

pytestmark = pytest.mark.subprocess

NUMPY_TESTS = Path(np.__file__).parent / "lib" / "tests" / "test_stride_tricks.py"


@pytest.mark.skipif(not NUMPY_TESTS.exists(), reason="this numpy ships no tests")
def test_numpys_stride_tricks_tests_pass_with_safestride(tmp_path: Path) -> None:
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    result = run_python(
        "-m",
        "pytest",
        str(NUMPY_TESTS),
        "-q",
        "-p",
        "tests.numpy_with_safestride",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(tmp_path),
        "-c",
        os.devnull,
        cwd=tmp_path,
        env=env,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    calls = re.search(r"safestride as_strided calls: (\d+)", output)
    assert calls is not None, output
    assert int(calls.group(1)) > 10, output
    passed = re.search(r"(\d+) passed", output)
    assert passed is not None, output
    assert int(passed.group(1)) >= 20, output
    assert " failed" not in output, output
    assert " error" not in output, output
