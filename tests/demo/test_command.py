"""The ``safestride demo`` command: options checked first, then the story."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from safestride.cli import main
from tests.helpers import run_python


def test_demo_plot(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "curves.png"
    assert main(["demo", "--quick", "--plot", str(target)]) == 0
    assert target.read_bytes().startswith(b"\x89PNG")


def test_demo_digits_needs_scikit_learn(capsys: pytest.CaptureFixture[str]) -> None:
    if importlib.util.find_spec("sklearn") is None:
        assert main(["demo", "--quick", "--dataset", "digits"]) == 2
        assert "needs scikit-learn" in capsys.readouterr().err
    else:  # only where scikit-learn is installed
        assert main(["demo", "--quick", "--dataset", "digits"]) == 0


def test_a_bad_plot_path_stops_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "curves.png"
    assert main(["demo", "--quick", "--plot", str(target)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # not one network trained
    assert captured.err == (
        f"safestride demo: --plot {target}: the folder {target.parent} does not "
        f"exist; create it or choose another path\n"
    )


def test_without_matplotlib_plot_stops_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in sys.modules if n.split(".")[0] == "matplotlib"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert main(["demo", "--quick", "--plot", str(tmp_path / "curves.png")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "safestride demo: --plot needs matplotlib: pip install 'safestride[plot]'\n"
    )
    assert not (tmp_path / "curves.png").exists()


@pytest.mark.subprocess
def test_demo_runs_as_the_installed_command() -> None:
    result = run_python("-m", "safestride.cli", "demo", "--quick", timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Stale strides?" in result.stdout
    assert "\r" not in result.stdout  # no progress bar when not on a terminal
