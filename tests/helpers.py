"""What several test modules need: running Python in a child process.

Anything that could crash the interpreter, or that must see a fresh process
(an installed command, an import-time side effect, a signal), runs here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Variables a child must not inherit from the test process: the guard's own,
#: and pytest-xdist's, which make a child pytest's plugins act as xdist workers.
_INHERITED_NOT = ("SAFESTRIDE_GUARD", "PYTEST_CURRENT_TEST")
_INHERITED_NOT_PREFIXES = ("PYTEST_XDIST_",)


def child_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test process's environment less the guard's and pytest-xdist's own
    variables, plus `env`: what a child process (or a Jupyter kernel) gets."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in _INHERITED_NOT and not key.startswith(_INHERITED_NOT_PREFIXES)
    }
    environment.update(env or {})
    return environment


def run_python(
    *arguments: str,
    code: str | None = None,
    cwd: Path | str | None = None,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 180,
) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGUMENTS`` (or ``python -c CODE``) and capture its output.

    The child gets this interpreter, the test process's environment less the
    guard's own variables plus `env`, text output, and a timeout; it never
    raises on a non-zero exit: tests assert on ``returncode`` themselves.
    """
    command = [sys.executable, *arguments]
    if code is not None:
        command += ["-c", textwrap.dedent(code)]
    return subprocess.run(
        command,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=child_environment(env),
    )
