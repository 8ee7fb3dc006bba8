"""Which files are linted: excludes anchored at the project root, force-exclude."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from safestride.lint.files import FileFilter, discover
from safestride.lint.globs import GlobSet
from tests.helpers import ROOT
from tests.lint.conftest import BAD, Run, write


def linted(run: Run) -> list[str]:
    return sorted(line.split(":")[0] for line in run.lines)


@pytest.fixture
def tree(project: Path) -> Path:
    write(
        project,
        {
            "pyproject.toml": (
                '[tool.safestride.lint]\nselect = ["SST001"]\n'
                'extend-exclude = ["src/gen", "*_pb2.py"]\n'
            ),
            "src/gen/x.py": BAD,
            "src/model.py": BAD,
            "src/model_pb2.py": BAD,
            "other/src/gen/y.py": BAD,
            ".venv/lib/z.py": BAD,
        },
    )
    return project


def test_excludes_are_anchored_at_the_project_root(
    tree: Path, safestride: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = ["other/src/gen/y.py", "src/model.py"]
    assert linted(safestride("lint", "-q")) == expected
    # the same from a subdirectory, and for a directory named on the command line
    assert linted(safestride("lint", "-q", "src")) == ["src/model.py"]
    monkeypatch.chdir(tree / "src")
    assert linted(safestride("lint", "-q", ".")) == ["model.py"]
    assert linted(safestride("lint", "-q", "../other")) == ["../other/src/gen/y.py"]


def test_exclude_replaces_the_defaults_and_extend_exclude_adds(
    tree: Path, safestride: Callable[..., Run]
) -> None:
    found = linted(safestride("lint", "-q", "--exclude", "other"))
    assert found == [".venv/lib/z.py", "src/model.py"]  # extend-exclude still holds
    found = linted(safestride("lint", "-q", "--extend-exclude", "other/"))
    assert found == ["src/model.py"]


def test_named_files_are_linted_unless_force_exclude(
    tree: Path, safestride: Callable[..., Run]
) -> None:
    assert linted(safestride("lint", "-q", "src/gen/x.py")) == ["src/gen/x.py"]
    result = safestride("lint", "--force-exclude", "src/gen/x.py", "src/model_pb2.py")
    assert (result.code, result.lines) == (0, ["All checks passed!"])
    assert "no Python files found under src/gen/x.py src/model_pb2.py" in result.err
    found = safestride("lint", "-q", "--force-exclude", "src/gen", "src/model.py")
    assert linted(found) == ["src/model.py"]
    write(tree, {"pyproject.toml": "[tool.safestride.lint]\nforce-exclude = true\n"})
    assert safestride("lint", "-q", "--exclude", "x.py", "src/gen/x.py").out == ""
    found = safestride(
        "lint",
        *("-q", "--select", "SST001,SST008", "--no-force-exclude"),
        *("--exclude", "x.py", "src/gen/x.py"),
    )
    assert [line.split()[1] for line in found.lines] == ["SST008", "SST001"]


def test_the_pre_commit_hook_forces_the_excludes() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "entry: safestride lint --force-exclude" in text


def test_the_fix_leaves_an_excluded_file_alone_under_pre_commit(
    tree: Path, safestride: Callable[..., Run]
) -> None:
    before = (tree / "src/gen/x.py").read_text()
    safestride("lint", "--force-exclude", "--fix", "--select", "SST008", "src/gen/x.py")
    assert (tree / "src/gen/x.py").read_text() == before


def test_files_outside_the_root_match_name_patterns_only(tmp_path: Path) -> None:
    write(tmp_path, {"root/a.py": "", "elsewhere/gen/b.py": "", "elsewhere/c.py": ""})
    files = FileFilter(tmp_path / "root", GlobSet.compile(["gen", "elsewhere/c.py"]))
    found = sorted(p.name for p in discover([str(tmp_path / "elsewhere")], files))
    assert found == ["c.py"]
    assert files.relative(tmp_path / "root" / "a.py") == "a.py"
    assert files.relative(tmp_path / "elsewhere").startswith("/")
