"""The examples in examples/ run and show what their docs say they show."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_python

pytestmark = pytest.mark.subprocess

EXAMPLES = ROOT / "examples"


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return run_python(*command, cwd=ROOT, timeout=300)


def test_checked_windows() -> None:
    result = run(str(EXAMPLES / "checked_windows.py"))
    assert result.returncode == 0, result.stderr
    assert "refused: as_strided would read 8 bytes" in result.stdout
    assert "likely cause: Off by one?" in result.stdout


def test_debug_training_bug_is_found_by_safestride_run() -> None:
    script = str(EXAMPLES / "debug_training_bug" / "train.py")
    plain = run(script)
    assert plain.returncode == 0
    assert "e+29" in plain.stdout  # the 1e300 garbage, silently
    result = run("-m", "safestride.cli", "run", "--policy", "record", script)
    assert result.returncode == 3
    assert "bias.py:9 in broadcast_bias (made 3 times)" in result.stderr
    assert "strides=(0, activations.strides[1], 0, 0)," in result.stderr
    assert "Stale strides?" in result.stderr


def test_pytest_plugin_example_fails_the_unsafe_test() -> None:
    result = run(
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "--safestride",
        str(EXAMPLES / "pytest_plugin"),
    )
    assert result.returncode == 1, result.stdout
    assert "1 failed, 2 passed" in result.stdout
    assert "test_frames.py:15 (once): as_strided would read 8 bytes" in result.stdout


def test_train_cnn_example_learns() -> None:
    result = run(str(EXAMPLES / "train_cnn.py"))
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("epoch 8:")
    assert float(last.split("test accuracy ")[1].rstrip("%")) > 90.0


def test_bias_notebook_is_stopped_by_the_guard(tmp_path: Path) -> None:
    kernel = pytest.importorskip("tests.notebook.kernel")
    nbformat = pytest.importorskip("nbformat")
    book = nbformat.read(EXAMPLES / "notebook" / "bias_1e300.ipynb", as_version=4)
    kernel.execute(book, tmp_path, cwd=EXAMPLES / "notebook")
    cells = {cell.id: cell for cell in book.cells}
    code = {name: cell for name, cell in cells.items() if cell.cell_type == "code"}
    errors = {name for name, cell in code.items() if kernel.outputs(cell, "error")}
    assert errors == {"guarded"}, "only the guarded call fails"
    [silent] = kernel.outputs(cells["silent"], "execute_result")
    assert "1.e+300" in silent.data["text/plain"]  # the garbage, silently
    [picture] = kernel.outputs(cells["guarded"], "display_data")
    page = picture.data["text/html"]
    assert "240 bytes (~30 elements) out of bounds, past the end" in page
    assert "Cell In[1], line 8</b> in <code>broadcast_bias</code>" in page
    assert "Likely cause:</b> Stale strides?" in page
    [report] = kernel.outputs(cells["report"], "execute_result")
    assert "broadcast_bias (made 4 times)" in report.data["text/plain"]
    [fixed] = kernel.outputs(cells["fix"], "execute_result")
    assert fixed.data["text/plain"] == "array([0.1, 0.2, 0.3])"


def test_dask_windows_reports_the_bug_from_the_workers() -> None:
    pytest.importorskip("distributed")
    result = run(str(EXAMPLES / "dask_windows.py"))
    assert result.returncode == 0, result.stderr
    assert "smoothed 4000 samples; loudest frames: 8" in result.stdout
    assert "1 unsafe view at 1 call site, made 8 times" in result.stdout
    site = f"{EXAMPLES / 'dask_windows.py'}:33 in loudest_frame (made 8 times):"
    assert site in result.stdout
    assert "\n   on " in result.stdout  # the workers that made it
    assert "Likely cause: Off by one?" in result.stdout
