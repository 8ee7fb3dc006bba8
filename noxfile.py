"""The test suite, its gates and the coverage floor, in every supported environment.

``nox`` runs all of them; ``nox -s tests-3.10-numpy1.24`` runs one; ``nox -l``
lists them. Extra arguments after ``--`` go to pytest: ``nox -s tests-3.11 -- -x``.

Each session is a fresh virtualenv with ``.[dev]`` installed in editable mode and
numpy pinned as the session name says. Interpreters come from pyenv when it has
them (``$PYENV_ROOT/versions/3.10.*``), else from PATH; a missing one is an
error, never a silently skipped session.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import nox

nox.options.error_on_missing_interpreters = True
nox.options.download_python = "never"
nox.options.default_venv_backend = "virtualenv"


@dataclass(frozen=True)
class Environment:
    """A Python version and the numpy requirement a session tests with."""

    name: str
    python: str
    numpy: str
    numpy_prefix: str
    purpose: str


ENVIRONMENTS = (
    Environment(
        "tests-3.11", "3.11", "numpy", "", "The default: Python 3.11, newest numpy."
    ),
    Environment(
        "tests-3.10-numpy1.24",
        "3.10",
        "numpy==1.24.*",
        "1.24.",
        "The oldest supported: Python 3.10, numpy 1.24.",
    ),
    Environment(
        "tests-3.12-numpy2.5",
        "3.12",
        "numpy==2.5.*",
        "2.5.",
        "Python 3.12 with numpy 2.5 (2.5 needs Python >= 3.12).",
    ),
)


def _release(path: Path) -> tuple[int, ...]:
    """(3, 10, 13) for a pyenv folder named 3.10.13; () for any other name."""
    if re.fullmatch(r"\d+(\.\d+)+", path.name) is None:
        return ()
    return tuple(int(part) for part in path.name.split("."))


def interpreter(version: str) -> str:
    """The newest pyenv build of `version` (an absolute path), else `version`.

    pyenv's shims answer ``python3.10`` only for the versions made global, so
    asking PATH alone can miss an interpreter that is installed. Given back
    unchanged, `version` is looked up by nox on PATH, which fails the session
    loudly when it is not there either.
    """
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    wanted = tuple(int(part) for part in version.split("."))
    builds = sorted(
        (
            folder
            for folder in (root.iterdir() if root.is_dir() else ())
            if _release(folder)[: len(wanted)] == wanted
        ),
        key=_release,
    )
    for folder in reversed(builds):
        executable = folder / "bin" / f"python{version}"
        if os.access(executable, os.X_OK):
            return str(executable)
    return version


def _run_suite(session: nox.Session, environment: Environment) -> None:
    session.install("-e", ".[dev]", environment.numpy)
    found = session.run(
        "python", "-c", "import numpy; print(numpy.__version__)", silent=True
    )
    numpy_version = str(found).strip()
    if not numpy_version.startswith(environment.numpy_prefix):
        session.error(
            f"{environment.name} needs {environment.numpy}, but pip installed "
            f"numpy {numpy_version}"
        )
    session.log(f"numpy {numpy_version}")
    # Beside the session's virtualenv, not in TMPDIR: session.create_tmp() would
    # move TMPDIR under .nox/, and the tests' scratch projects would then sit
    # inside this project (its pyproject.toml, the venv's ignore-all .gitignore).
    data_file = Path(session.virtualenv.location) / ".coverage"
    coverage = {"COVERAGE_FILE": str(data_file)}
    session.run("python", "-m", "coverage", "erase", env=coverage)
    session.run(
        "python",
        "-m",
        "coverage",
        "run",
        "-m",
        "pytest",
        "-n",
        "auto",
        *session.posargs,
        env=coverage,
    )
    session.run("python", "-m", "coverage", "combine", "--quiet", env=coverage)
    session.run("python", "-m", "coverage", "report", env=coverage)


def _register(environment: Environment) -> None:
    def suite(session: nox.Session) -> None:
        _run_suite(session, environment)

    suite.__doc__ = environment.purpose
    nox.session(
        name=environment.name,
        python=interpreter(environment.python),
        tags=["tests"],
    )(suite)


for _environment in ENVIRONMENTS:
    _register(_environment)
