"""What pyproject.toml promises: one version, the licence, the extras, the commands."""

from __future__ import annotations

import importlib.metadata
import re

import pytest
from packaging.requirements import Requirement

import safestride
from tests.helpers import ROOT, run_python

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _requirements_of(extra: str) -> list[Requirement]:
    """The installed metadata's requirements that `extra` adds."""
    found = []
    for line in importlib.metadata.requires("safestride") or []:
        requirement = Requirement(line)
        marker = requirement.marker
        added = marker is not None and marker.evaluate({"extra": extra})
        if added and not marker.evaluate({"extra": ""}):
            found.append(requirement)
    return found


def _sh_blocks(markdown: str) -> list[str]:
    """The commands in the ```sh blocks of a Markdown text, in order."""
    return [
        line.strip()
        for block in re.findall(r"```sh\n(.*?)```", markdown, flags=re.DOTALL)
        for line in block.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def test_version_is_read_from_the_package() -> None:
    installed = importlib.metadata.version("safestride")
    assert installed == safestride.__version__, (
        f"the installed metadata says {installed}, safestride/__init__.py says "
        f"{safestride.__version__}: after changing __version__, reinstall "
        f'(pip install -e ".[dev]")'
    )


def test_version_flag_and_python_m() -> None:
    result = run_python("-m", "safestride", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"safestride {safestride.__version__}\n"


def test_importing_main_does_not_run_the_command() -> None:
    result = run_python(code="import safestride.__main__; print('imported')")
    assert (result.returncode, result.stdout) == (0, "imported\n"), result.stderr


def test_python_m_without_a_command_says_what_exists() -> None:
    result = run_python("-m", "safestride")
    assert result.returncode == 2
    assert "usage: safestride" in result.stderr
    assert "COMMAND" in result.stderr


def test_console_script_is_the_cli_main() -> None:
    (script,) = [
        entry
        for entry in importlib.metadata.entry_points(group="console_scripts")
        if entry.name == "safestride"
    ]
    assert script.value == "safestride.cli:main"
    from safestride.cli import main

    assert script.load() is main


def test_licence_file_matches_the_metadata() -> None:
    metadata = importlib.metadata.metadata("safestride")
    assert metadata["License-Expression"] == "MIT"
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n")
    assert "safestride developers" in licence


def test_project_urls_lead_somewhere() -> None:
    metadata = importlib.metadata.metadata("safestride")
    urls = dict(entry.split(", ", 1) for entry in metadata.get_all("Project-URL") or [])
    assert set(urls) == {"Homepage", "Documentation", "Issues", "Changelog"}
    for label, target in urls.items():
        if not target.startswith("https://"):
            assert (ROOT / target).is_file(), (
                f"[project.urls] {label} = {target!r} is neither an https:// "
                f"address nor a file in the repository"
            )


def test_the_hypothesis_extra_is_hypothesis_alone() -> None:
    names = [requirement.name for requirement in _requirements_of("hypothesis")]
    assert names == ["hypothesis"]


def test_the_notebook_extra_runs_notebooks_and_dev_has_it() -> None:
    names = sorted(r.name.lower() for r in _requirements_of("notebook"))
    assert names == ["ipykernel", "ipython", "nbclient", "nbformat"]
    development = {r.name.lower() for r in _requirements_of("dev")}
    assert set(names) <= development, "the README's test command runs the kernel tests"


def test_the_dask_extra_is_dask_and_distributed_and_dev_has_it() -> None:
    names = sorted(requirement.name for requirement in _requirements_of("dask"))
    assert names == ["dask", "distributed"]
    core = importlib.metadata.requires("safestride") or []
    assert not [line for line in core if "extra" not in line and "dask" in line]
    dev = {requirement.name for requirement in _requirements_of("dev")}
    assert {"dask", "distributed"} <= dev  # so the test command runs its tests


@pytest.mark.subprocess
def test_the_suite_runs_without_the_optional_extras() -> None:
    """As after a plain ``pip install safestride``: every test file collects,
    and the notebook and dask tests skip instead of failing."""
    hidden = ("-p", "tests.without_extras", "-p", "no:cacheprovider", "-q")
    collected = run_python("-m", "pytest", *hidden, "--collect-only", cwd=ROOT)
    assert collected.returncode == 0, collected.stdout[-3000:] + collected.stderr
    assert "error" not in collected.stdout.splitlines()[-1]
    ran = run_python(
        "-m", "pytest", *hidden, "-rs", "tests/notebook", "tests/dask", cwd=ROOT
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr
    last = ran.stdout.splitlines()[-1]
    assert " passed" in last, last
    assert " skipped" in last, last
    assert "could not import 'distributed'" in ran.stdout
    assert "could not import 'IPython'" in ran.stdout


def test_users_do_not_get_the_development_tools() -> None:
    tools = {"pytest", "ruff", "mypy", "coverage", "nox", "sphinx", "flake8"}
    core = {
        Requirement(line).name
        for line in importlib.metadata.requires("safestride") or []
        if Requirement(line).marker is None
    }
    assert "numpy" in core
    assert not core & tools
    development = {requirement.name for requirement in _requirements_of("dev")}
    assert tools - {"sphinx"} <= development


def test_ci_runs_the_readmes_test_command_first() -> None:
    commands = _sh_blocks(README)
    ci = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith(("#", "set ", "cd "))
    ]
    test_command = next(command for command in commands if "pytest" in command)
    assert ci[0] == test_command
    assert ci[-1] in commands, "the last command of .ci/run is not in the README"


def test_noxfile_lists_every_environment() -> None:
    result = run_python("-m", "nox", "--list", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    for session in ("tests-3.11", "tests-3.10-numpy1.24", "tests-3.12-numpy2.5"):
        assert f"* {session} " in result.stdout


def test_pre_commit_runs_the_ruff_that_the_dev_extra_pins() -> None:
    (ruff,) = [r for r in _requirements_of("dev") if r.name == "ruff"]
    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    pins = set(re.findall(r"ruff==[\w.]+", config))
    assert pins == {f"ruff{ruff.specifier}"}, (
        f"pyproject.toml pins ruff{ruff.specifier}; .pre-commit-config.yaml "
        f"pins {sorted(pins)}: make them equal"
    )
