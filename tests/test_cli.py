"""The command line: ``safestride demo``."""

from __future__ import annotations

import io
import subprocess
import sys

from safestride import _demo
from safestride.cli import main


def test_demo_tells_the_story_and_succeeds() -> None:
    out = io.StringIO()
    assert _demo.run(out) == 0
    text = out.getvalue()
    assert "largest activation: 1e+300" in text
    assert "OutOfBoundsError" in text
    assert "Stale strides?" in text
    assert "same as np.broadcast_to: True" in text


def test_demo_runs_as_the_installed_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "safestride.cli", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Stale strides?" in result.stdout


def test_main_returns_the_exit_code() -> None:
    assert main(["demo"]) == 0
