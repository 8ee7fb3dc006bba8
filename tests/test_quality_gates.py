"""The quality gates, run as tests so the README's one test command runs them all."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_python

pytestmark = pytest.mark.gates

#: What the project's own linter checks: every tree with Python we wrote.
OWN_CODE = ("safestride", "examples", "docs", "benchmarks", "tools")


def _numpy_major() -> int:
    return int(importlib.metadata.version("numpy").split(".")[0])


def passes(*arguments: str, advice: str = "") -> None:
    """Run ``python ARGUMENTS`` at the project root; fail with its output if not 0."""
    result = run_python(*arguments, cwd=ROOT, timeout=600)
    assert result.returncode == 0, (
        f"python {' '.join(arguments)} exited {result.returncode}\n"
        f"{result.stdout}{result.stderr}{advice}"
    )


def test_ruff_check() -> None:
    passes("-m", "ruff", "check", ".")


def test_ruff_format() -> None:
    passes("-m", "ruff", "format", "--check", ".", advice="Run: ruff format .")


@pytest.mark.skipif(
    _numpy_major() < 2,
    reason="the typing gate checks against numpy 2's stubs; numpy 1.x's differ "
    "(no numpy.lib._stride_tricks_impl)",
)
def test_mypy_strict() -> None:
    passes("-m", "mypy", "--strict", "safestride")


def test_own_code_passes_safestride_lint() -> None:
    passes(
        "-m",
        "safestride",
        "lint",
        *OWN_CODE,
        advice=(
            "\nFix the call, or, where the finding is deliberate (a bug shown on "
            "purpose), say so on its line: `# noqa: SST004  why`. Files wrong on "
            "purpose go in [tool.safestride.lint.extend-per-file-ignores] in "
            "pyproject.toml, with the rules they break."
        ),
    )


@pytest.mark.skipif(
    importlib.util.find_spec("sphinx") is None, reason="sphinx needs Python >= 3.11"
)
def test_docs_build_without_warnings(tmp_path: Path) -> None:
    passes(
        "-m",
        "sphinx",
        "-W",
        "--keep-going",
        "-q",
        "-b",
        "html",
        "docs",
        str(tmp_path / "html"),
    )
