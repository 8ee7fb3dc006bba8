"""The command line and ``safestride demo``."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from safestride import _demo
from safestride.cli import main


@pytest.fixture(scope="module")
def quick_demo() -> str:
    out = io.StringIO()
    assert _demo.run(out, _demo.DemoOptions(quick=True)) == 0
    return out.getvalue()


def test_demo_tells_all_three_parts(quick_demo: str) -> None:
    assert "reads [0.1, 1e+300]" in quick_demo
    assert "1. The buggy network" in quick_demo
    assert "trained without a murmur: test accuracy" in quick_demo
    assert "only channel 0 is the bias" in quick_demo
    assert "stopped at the first step with OutOfBoundsError" in quick_demo
    assert "Stale strides?" in quick_demo
    assert "_demo_model.py:29 in stale_strides_bias" in quick_demo
    assert "strides=(0, activations.strides[1], 0, 0)" in quick_demo
    assert "3. The fixed network" in quick_demo
    table = quick_demo.split("run      test accuracy")[1]
    assert "stopped at step 1" in table


def test_the_fixed_network_beats_the_buggy_one(quick_demo: str) -> None:
    rows = {line.split()[0]: line.split() for line in quick_demo.splitlines()[-3:]}
    buggy, fixed = float(rows["buggy"][1][:-1]), float(rows["fixed"][1][:-1])
    assert fixed > buggy


def test_demo_is_reproducible(quick_demo: str) -> None:
    again = io.StringIO()
    _demo.run(again, _demo.DemoOptions(quick=True))
    assert again.getvalue() == quick_demo


def test_demo_plot(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "curves.png"
    assert main(["demo", "--quick", "--plot", str(target)]) == 0
    assert target.read_bytes().startswith(b"\x89PNG")


def test_demo_digits_needs_scikit_learn(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        assert main(["demo", "--quick", "--dataset", "digits"]) == 2
        assert "needs scikit-learn" in capsys.readouterr().err
    else:  # pragma: no cover - only where scikit-learn is installed
        assert main(["demo", "--quick", "--dataset", "digits"]) == 0


@pytest.mark.subprocess
def test_demo_runs_as_the_installed_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "safestride.cli", "demo", "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Stale strides?" in result.stdout
    assert "\r" not in result.stdout  # no progress bar when not on a terminal


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main([])
    assert stop.value.code == 2


def test_progress_bar_only_on_a_terminal() -> None:
    from safestride import _demo_data, _demo_model

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    data = _demo_data.load("glyphs", 64, 16, seed=1)
    screen = Terminal()
    _demo_model.train(data, _demo_model.checked_bias, 1, 1, "fixed", screen)
    assert "\r  fixed      [" in screen.getvalue()
    assert "] 2/2" in screen.getvalue()
