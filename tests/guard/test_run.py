"""``safestride run``: the program runs as python would run it, with the guard on."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.helpers import run_python

pytestmark = pytest.mark.subprocess

LIBRARY = """
    import numpy as np
    from numpy.lib.stride_tricks import as_strided

    def bias_broadcast(b, like):
        return as_strided(b, shape=like.shape, strides=(0, like.strides[1], 0, 0))
"""

SCRIPT = """
    import sys
    import numpy as np
    import thirdparty

    def step(_=None):
        x = np.zeros((2, 3, 4, 4))
        return float(thirdparty.bias_broadcast(np.arange(3.0), x).sum())

    if __name__ == "__main__":
        method = sys.argv[1] if len(sys.argv) > 1 else ""
        if method:
            import multiprocessing
            with multiprocessing.get_context(method).Pool(2) as pool:
                pool.map(step, range(4))
        else:
            for _ in range(5):
                step()
        print("finished", sys.argv[1:])
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "thirdparty.py").write_text(textwrap.dedent(LIBRARY))
    (tmp_path / "train.py").write_text(textwrap.dedent(SCRIPT))
    return tmp_path


def safestride_run(
    directory: Path, *arguments: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return run_python(
        "-m", "safestride.cli", "run", *arguments, cwd=directory, stdin=stdin
    )


def test_reports_the_third_party_line_that_made_the_view(project: Path) -> None:
    result = safestride_run(project, "--policy", "record", "train.py")
    assert "finished []" in result.stdout
    assert result.returncode == 3, result.stderr
    report = result.stderr
    assert "1 unsafe view made (5 calls" in report
    assert f"{project / 'thirdparty.py'}:6 in bias_broadcast (made 5 times)" in report
    assert "return as_strided(b, shape=like.shape" in report
    assert "Stale strides?" in report


def test_raise_policy_stops_at_the_first_unsafe_view(project: Path) -> None:
    result = safestride_run(project, "train.py")
    assert result.returncode == 1
    assert "finished" not in result.stdout
    assert "Traceback (most recent call last)" in result.stderr
    assert 'train.py", line 8, in step' in result.stderr
    assert (
        "safestride/_run.py"
        not in result.stderr.split("Traceback")[1].split("OutOfBoundsError")[0]
    )
    assert "made at" in result.stderr
    assert "1 unsafe view made (1 calls" in result.stderr


def test_json_report_and_exit_zero(project: Path) -> None:
    result = safestride_run(
        project, "--policy", "record", "--report", "out.json", "--exit-zero", "train.py"
    )
    assert result.returncode == 0
    payload = json.loads((project / "out.json").read_text())
    (view,) = payload["unsafe_views"]
    assert view["file"] == str(project / "thirdparty.py")
    assert view["line"] == 6
    assert view["count"] == 5
    assert view["bytes_past_end"] == 240


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_multiprocessing_children_report_to_the_parent(
    project: Path, method: str
) -> None:
    result = safestride_run(
        project, "--policy", "record", "--report", "r.json", "train.py", method
    )
    assert f"finished ['{method}']" in result.stdout, result.stderr
    assert result.returncode == 3, result.stderr
    payload = json.loads((project / "r.json").read_text())
    (view,) = payload["unsafe_views"]
    assert view["line"] == 6
    assert view["count"] == 4


def test_a_clean_program_prints_one_quiet_line(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(
        "import numpy as np\n"
        "w = np.lib.stride_tricks.sliding_window_view(np.arange(5.0), 2)\n"
        "print(w.shape)\n"
    )
    result = safestride_run(tmp_path, "ok.py")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "(4, 2)\n"
    assert result.stderr.strip().splitlines() == [
        "safestride: no unsafe views (1 as_strided calls checked)"
    ]


def test_argv_stdin_exit_code_and_main_are_pythons(tmp_path: Path) -> None:
    (tmp_path / "echo.py").write_text(
        "import sys\nprint(__name__, sys.argv, input())\nsys.exit(int(sys.argv[1]))\n"
    )
    result = safestride_run(tmp_path, "echo.py", "7", "--flag", stdin="hello\n")
    assert result.stdout == "__main__ ['echo.py', '7', '--flag'] hello\n"
    assert result.returncode == 7


def test_run_a_module_with_dash_m(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "tool.py").write_text(
        "import sys\nif __name__ == '__main__':\n    print('tool', sys.argv[1:])\n"
    )
    result = safestride_run(tmp_path, "-m", "pkg.tool", "a", "b")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "tool ['a', 'b']\n"


def test_missing_script_is_a_usage_error(tmp_path: Path) -> None:
    result = safestride_run(tmp_path, "nothere.py")
    assert result.returncode == 2
    assert "cannot find 'nothere.py'" in result.stderr
    result = safestride_run(tmp_path)
    assert result.returncode == 2
    assert "run needs a script or -m MODULE" in result.stderr
