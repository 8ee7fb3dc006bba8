"""``safestride run``: the program runs as python would run it, with the guard
on, and whatever the guard found reaches the report however the program ends."""

from __future__ import annotations

import json
import signal
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

#: One unsafe view, then the program ends the way argv[1] says.
ENDINGS = """
    import os, signal, sys
    import numpy as np
    from numpy.lib.stride_tricks import as_strided

    as_strided(np.arange(4.0), shape=(5,), strides=(8,))
    how = sys.argv[1]
    if how == "os._exit":
        os._exit(4)
    elif how == "SIGTERM":
        os.kill(os.getpid(), signal.SIGTERM)
    elif how == "crash":
        import ctypes
        ctypes.string_at(0)
    elif how == "SIGINT":
        os.kill(os.getpid(), signal.SIGINT)
    print("not reached")
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "thirdparty.py").write_text(textwrap.dedent(LIBRARY))
    (tmp_path / "train.py").write_text(textwrap.dedent(SCRIPT))
    return tmp_path


def write(directory: Path, name: str, source: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(source))
    return path


def safestride_run(
    directory: Path,
    *arguments: str,
    stdin: str = "",
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    return run_python(
        "-m",
        "safestride.cli",
        "run",
        *arguments,
        cwd=directory,
        stdin=stdin,
        env=env,
    )


def test_reports_the_third_party_line_that_made_the_view(project: Path) -> None:
    result = safestride_run(project, "--policy", "record", "train.py")
    assert "finished []" in result.stdout
    assert result.returncode == 3, result.stderr
    report = result.stderr
    assert report.startswith(
        "safestride: 1 unsafe view at 1 call site, made 5 times "
        "(5 as_strided calls checked)\n"
    )
    assert f"{project / 'thirdparty.py'}:6 in bias_broadcast (made 5 times):" in report
    assert "return as_strided(b, shape=like.shape" in report
    assert "Stale strides?" in report


def test_raise_policy_prints_the_diagnosis_once(project: Path) -> None:
    result = safestride_run(project, "train.py")
    assert result.returncode == 1
    assert "finished" not in result.stdout
    assert "Traceback (most recent call last)" in result.stderr
    assert 'train.py", line 8, in step' in result.stderr
    assert "made at" in result.stderr
    assert "made once (1 as_strided call checked)" in result.stderr
    assert result.stderr.count("Stale strides?") == 1  # in the traceback only
    assert result.stderr.count("What to do:") == 1


def test_json_report_and_keep_exit_code(project: Path) -> None:
    result = safestride_run(
        project,
        "--policy",
        "record",
        "--report",
        "out.json",
        "--keep-exit-code",
        "train.py",
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads((project / "out.json").read_text())
    assert payload["checked"] == 5
    (view,) = payload["unsafe_views"]
    assert view["file"] == str(project / "thirdparty.py")
    assert view["line"] == 6
    assert view["count"] == 5
    assert view["bytes_past_end"] == 240


def test_exit_zero_still_works_and_says_its_new_name(project: Path) -> None:
    result = safestride_run(project, "--policy", "record", "--exit-zero", "train.py")
    assert result.returncode == 0
    assert "--exit-zero is deprecated" in result.stderr
    assert "--keep-exit-code" in result.stderr


def test_help_lists_the_exit_codes() -> None:
    result = run_python("-m", "safestride.cli", "run", "--help")
    assert result.returncode == 0
    assert "exit codes:" in result.stdout
    assert "3   " in result.stdout
    assert "--keep-exit-code" in result.stdout
    assert "--exit-zero" not in result.stdout


def test_help_states_the_default_bounds() -> None:
    result = run_python("-m", "safestride.cli", "run", "--help")
    assert "(default: elements," in " ".join(result.stdout.split())
    assert "(default: buffer," in " ".join(result.stdout.split())


def test_your_code_is_held_to_the_elements_by_default(tmp_path: Path) -> None:
    write(
        tmp_path,
        "frames.py",
        """
        import numpy as np
        from numpy.lib.stride_tricks import as_strided
        stereo = np.zeros((8, 2))
        channel = stereo[:, 0]
        frames = as_strided(channel, shape=(4, 2), strides=(8, 8))
        print(frames.shape)
        """,
    )
    strict = safestride_run(tmp_path, "--policy", "record", "frames.py")
    assert strict.returncode == 3, strict.stderr
    assert "1 unsafe view at 1 call site" in strict.stderr
    assert "frames.py:6" in strict.stderr
    lenient = safestride_run(
        tmp_path, "--policy", "record", "--bounds", "array", "frames.py"
    )
    assert lenient.returncode == 0, lenient.stderr
    assert "no unsafe views" in lenient.stderr


@pytest.mark.parametrize("method", ["spawn", "forkserver", "fork"])
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
    assert payload["checked"] >= 4


def test_a_clean_program_prints_one_quiet_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        "ok.py",
        """
        import numpy as np
        w = np.lib.stride_tricks.sliding_window_view(np.arange(5.0), 2)
        print(w.shape)
        """,
    )
    result = safestride_run(tmp_path, "ok.py")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "(4, 2)\n"
    assert result.stderr.strip().splitlines() == [
        "safestride: no unsafe views (1 as_strided call checked)"
    ]


def test_argv_stdin_exit_code_and_main_are_pythons(tmp_path: Path) -> None:
    write(
        tmp_path,
        "echo.py",
        """
        import sys
        print(__name__, sys.argv, input())
        sys.exit(int(sys.argv[1]))
        """,
    )
    result = safestride_run(tmp_path, "echo.py", "7", "--flag", stdin="hello\n")
    assert result.stdout == "__main__ ['echo.py', '7', '--flag'] hello\n"
    assert result.returncode == 7


def test_the_program_can_come_from_stdin(tmp_path: Path) -> None:
    program = "import sys\nprint('from stdin', sys.argv)\n"
    result = safestride_run(tmp_path, "-", "a", "--policy", stdin=program)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "from stdin ['-', 'a', '--policy']\n"


def test_everything_after_the_module_is_the_modules(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    write(
        package,
        "tool.py",
        """
        import sys
        if __name__ == '__main__':
            print('tool', sys.argv[1:])
        """,
    )
    result = safestride_run(
        tmp_path, "--policy", "record", "-m", "pkg.tool", "--epochs", "3", "-q"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "tool ['--epochs', '3', '-q']\n"
    result = safestride_run(tmp_path, "-m", "pkg.tool", "--policy", "x")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "tool ['--policy', 'x']\n"


def test_pytest_runs_as_under_python_even_with_warnings_as_errors(
    tmp_path: Path,
) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\nfilterwarnings =\n    error\n")
    write(
        tmp_path,
        "test_windows.py",
        """
        import numpy as np

        def test_windows():
            w = np.lib.stride_tricks.sliding_window_view(np.arange(5.0), 2)
            assert w.shape == (4, 2)
        """,
    )
    plain = run_python("-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=tmp_path)
    guarded = safestride_run(tmp_path, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert guarded.returncode == 0, guarded.stdout + guarded.stderr
    assert "1 passed" in guarded.stdout
    verbose = safestride_run(tmp_path, "-m", "pytest", "-p", "no:cacheprovider")
    assert "safestride: every process guarded by `safestride run`" in verbose.stdout
    assert "PytestAssertRewriteWarning" not in guarded.stdout + guarded.stderr
    assert "safestride: no unsafe views (1 as_strided call checked)" in guarded.stderr


@pytest.mark.parametrize("ending", ["os._exit", "SIGTERM", "crash", "SIGINT"])
def test_the_report_survives_however_the_program_ends(
    tmp_path: Path, ending: str
) -> None:
    write(tmp_path, "ends.py", ENDINGS)
    plain = run_python("ends.py", ending, cwd=tmp_path)
    result = safestride_run(
        tmp_path, "--policy", "record", "--report", "r.json", "ends.py", ending
    )
    assert result.returncode == plain.returncode != 0
    assert "not reached" not in result.stdout
    assert "1 unsafe view at 1 call site, made once" in result.stderr
    assert "ends.py:6 in <module>" in result.stderr
    (view,) = json.loads((tmp_path / "r.json").read_text())["unsafe_views"]
    assert view["line"] == 6


def test_a_signal_for_safestride_run_goes_to_the_program(tmp_path: Path) -> None:
    write(
        tmp_path,
        "patient.py",
        """
        import os, signal, time
        import numpy as np
        from numpy.lib.stride_tricks import as_strided

        as_strided(np.arange(4.0), shape=(5,), strides=(8,))
        parent = open(f"/proc/{os.getppid()}/cmdline", "rb").read()
        if b"safestride" in parent:  # never signal the test runner
            os.kill(os.getppid(), signal.SIGTERM)
            time.sleep(60)
        print("not reached")
        """,
    )
    result = safestride_run(tmp_path, "--policy", "record", "patient.py")
    assert result.returncode == -signal.SIGTERM
    assert "killed by SIGTERM" in result.stderr
    assert "1 unsafe view at 1 call site, made once" in result.stderr


def test_forked_children_keep_their_exit_code_and_report(tmp_path: Path) -> None:
    write(
        tmp_path,
        "forks.py",
        """
        import os, sys
        import numpy as np
        from numpy.lib.stride_tricks import as_strided

        def child(end):
            pid = os.fork()
            if pid == 0:
                for _ in range(4):
                    as_strided(np.arange(2.0), shape=(3,), strides=(8,))
                end()
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])

        print("children exited", child(sys.exit), child(lambda: os._exit(5)))
        """,
    )
    result = safestride_run(tmp_path, "--policy", "record", "forks.py")
    assert result.stdout == "children exited 0 5\n", result.stderr
    assert result.returncode == 3
    assert "forks.py:10 in child (made 8 times)" in result.stderr
    assert "made 8 times (8 as_strided calls checked)" in result.stderr


def test_one_entry_per_call_site_but_every_view_in_the_json(tmp_path: Path) -> None:
    write(
        tmp_path,
        "sizes.py",
        """
        import numpy as np
        from numpy.lib.stride_tricks import as_strided

        for size in (4, 5, 6, 6):
            as_strided(np.arange(float(size)), shape=(8,), strides=(8,))
        """,
    )
    result = safestride_run(
        tmp_path, "--policy", "record", "--report", "r.json", "sizes.py"
    )
    assert "3 unsafe views at 1 call site, made 4 times" in result.stderr
    assert "sizes.py:6 in <module> (3 distinct views, made 4 times; the worst)" in (
        result.stderr
    )
    assert result.stderr.count("What to do:") == 1  # the worst view's diagnosis
    assert "32 bytes (~4 elements) out of bounds, past the end" in result.stderr
    views = json.loads((tmp_path / "r.json").read_text())["unsafe_views"]
    assert [(v["x_shape"], v["bytes_past_end"], v["count"]) for v in views] == [
        ([4], 32, 1),
        ([5], 24, 1),
        ([6], 16, 2),
    ]


def test_report_path_is_checked_before_the_program_runs(tmp_path: Path) -> None:
    write(tmp_path, "marks.py", "open('ran', 'w').close()\n")
    result = safestride_run(tmp_path, "--report", "/nonexistent/r.json", "marks.py")
    assert result.returncode == 2
    assert "--report /nonexistent/r.json: cannot write the report there" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "ran").exists()


def test_exception_chains_are_kept(tmp_path: Path) -> None:
    write(
        tmp_path,
        "chain.py",
        """
        try:
            {}["key"]
        except KeyError as error:
            raise ValueError("while reading the config") from error
        """,
    )
    plain = run_python("chain.py", cwd=tmp_path)
    result = safestride_run(tmp_path, "chain.py")
    assert result.returncode == plain.returncode == 1
    assert "The above exception was the direct cause" in result.stderr
    assert result.stderr.startswith(plain.stderr)


def test_missing_script_or_module_is_one_line(tmp_path: Path) -> None:
    result = safestride_run(tmp_path, "nothere.py")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "safestride run: cannot find 'nothere.py': give a script path, -m for a "
        "module, or - to read the program from standard input."
    ]
    result = safestride_run(tmp_path, "-m", "nothere.tool")
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("safestride run: -m nothere.tool: no module named")
    result = safestride_run(tmp_path)
    assert result.returncode == 2
    assert "run needs a script, -m MODULE, or -" in result.stderr


def test_no_temporary_directory_is_left_behind(tmp_path: Path) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    write(tmp_path, "ends.py", ENDINGS)
    result = safestride_run(
        tmp_path,
        "--policy",
        "record",
        "ends.py",
        "os._exit",
        env={"TMPDIR": str(temporary)},
    )
    assert result.returncode == 4, result.stderr
    assert list(temporary.iterdir()) == []


def test_suppressed_views_of_children_are_counted(tmp_path: Path) -> None:
    write(
        tmp_path,
        "vectorized.py",
        """
        import os
        import numpy as np

        pid = os.fork()
        if pid == 0:  # numpy's vectorize makes a benign view, suppressed built in
            np.vectorize(lambda row: row.sum(), signature="(n)->()")(np.ones((3, 4)))
            os._exit(0)
        os.waitpid(pid, 0)
        """,
    )
    result = safestride_run(tmp_path, "--report", "r.json", "vectorized.py")
    assert result.returncode == 0, result.stderr
    assert "safestride: no unsafe views (" in result.stderr
    assert " suppressed)" in result.stderr
    suppressed = json.loads((tmp_path / "r.json").read_text())["suppressed"]
    assert sum(suppressed.values()) >= 1


SHAPE_ONLY = """
import numpy as np

def shape_only(a):
    return np.lib.stride_tricks.as_strided(a, shape=(8,), strides=(8,)).shape

print(shape_only(np.arange(2.0)))
"""


def test_suppressions_file_hides_and_counts_a_benign_site(tmp_path: Path) -> None:
    write(tmp_path, "shapes.py", SHAPE_ONLY)
    rules = write(tmp_path, "ok.txt", "__main__:shape_only  # only the shape is read\n")
    result = safestride_run(tmp_path, "--suppressions", str(rules), "shapes.py")
    assert result.returncode == 0, result.stderr
    assert "(8,)" in result.stdout
    assert "1 suppressed" in result.stderr
    unsuppressed = safestride_run(tmp_path, "--policy", "record", "shapes.py")
    assert unsuppressed.returncode == 3, unsuppressed.stderr


def test_a_bad_suppressions_file_stops_before_the_program(tmp_path: Path) -> None:
    write(tmp_path, "shapes.py", "print('ran')\n")
    rules = write(tmp_path, "bad.txt", "not a rule\n")
    result = safestride_run(tmp_path, "--suppressions", str(rules), "shapes.py")
    assert result.returncode == 2
    assert "ran" not in result.stdout
    assert "bad.txt:1" in result.stderr
    missing = safestride_run(tmp_path, "--suppressions", "nowhere.txt", "shapes.py")
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr
