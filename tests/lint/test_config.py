"""``[tool.safestride.lint]``: every mistake is one clear line and exit 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from safestride.lint.config import ConfigError, load_config
from tests.lint.conftest import BAD, Run, write


def config(project: Path, body: str) -> None:
    write(project, {"pyproject.toml": f"[tool.safestride.lint]\n{body}\n"})


@pytest.mark.parametrize(
    "key",
    [
        "select",
        "extend-select",
        "ignore",
        "extend-ignore",
    ],
)
def test_an_unknown_code_in_the_file_is_an_error(
    project: Path, safestride: Callable[..., Run], key: str
) -> None:
    write(project, {"bad.py": BAD})
    config(project, f'{key} = ["SST001", "SST0001"]')
    result = safestride("lint", ".")
    assert (result.code, result.out) == (2, "")
    (line,) = result.err.splitlines()
    assert line.startswith("safestride lint: pyproject.toml: ")
    assert f"[tool.safestride.lint] {key}: 'SST0001' is not a rule code" in line
    assert "SST001 (stale-strides)" in line


def test_an_unknown_code_in_per_file_ignores_is_an_error(
    project: Path, safestride: Callable[..., Run]
) -> None:
    config(project, '[tool.safestride.lint.per-file-ignores]\n"tests" = ["SST7"]')
    result = safestride("lint", ".")
    assert result.code == 2
    assert "per-file-ignores 'tests': 'SST7' is not a rule code" in result.err


@pytest.mark.parametrize(
    ("text", "position", "what"),
    [
        ('[tool.safestride.lint]\nselect = ["SST001"\n', "2:19", "Unclosed array"),
        ("[tool.safestride.lint\n", "1:22", "Expected ']'"),
        ("[tool]\nx = 1\nx = 2\n", "3:6", "Cannot overwrite a value"),
    ],
)
def test_a_malformed_pyproject_is_one_line_with_its_position(
    project: Path, safestride: Callable[..., Run], text: str, position: str, what: str
) -> None:
    write(project, {"pyproject.toml": text, "bad.py": BAD})
    result = safestride("lint", ".")
    assert result.code == 2
    (line,) = result.err.splitlines()
    assert line.startswith(
        f"safestride lint: pyproject.toml:{position}: not valid TOML: "
    )
    assert what in line


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('selct = ["SST"]', "unknown keys ['selct'] (did you mean 'select' for"),
        ('select = "SST001"', "select must be a list of strings"),
        ("force-exclude = 1", "force-exclude must be true or false"),
        ('per-file-ignores = ["tests"]', "per-file-ignores must be a table"),
        ("exclude = [1]", "exclude must be a list of strings"),
    ],
)
def test_wrong_keys_and_types_are_errors(
    project: Path, safestride: Callable[..., Run], body: str, message: str
) -> None:
    config(project, body)
    result = safestride("lint", ".")
    assert result.code == 2
    assert message in result.err
    assert len(result.err.splitlines()) == 1


def test_the_config_comes_from_the_nearest_pyproject_that_has_one(
    project: Path,
) -> None:
    write(
        project,
        {
            "pyproject.toml": '[tool.safestride.lint]\nignore = ["SST004"]\n',
            "sub/pyproject.toml": "[project]\nname = 'sub'\n",
            "sub/pkg/x.py": "",
        },
    )
    found = load_config(project / "sub" / "pkg")
    assert (found.root, found.ignore) == (project, ("SST004",))
    assert load_config(project / "sub").source == project / "pyproject.toml"
    write(project, {"sub/pyproject.toml": "[tool.safestride]\n"})
    assert load_config(project / "sub").root == project / "sub"
    empty = load_config(project.parent)
    assert (empty.source, empty.root) == (None, project.parent)


def test_a_file_above_the_working_directory_is_named_in_full(
    project: Path, safestride: Callable[..., Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    config(project, 'select = ["SST0X"]')
    write(project, {"src/x.py": ""})
    monkeypatch.chdir(project / "src")
    error = safestride("lint").err
    assert error.startswith(f"safestride lint: {project / 'pyproject.toml'}: ")


def test_extend_ignore_adds_to_ignore(project: Path) -> None:
    config(project, 'ignore = ["SST004"]\nextend-ignore = ["SST006"]')
    assert load_config(project).ignore == ("SST004", "SST006")


def test_a_lint_table_that_is_not_a_table(project: Path) -> None:
    write(project, {"pyproject.toml": "[tool.safestride]\nlint = 3\n"})
    with pytest.raises(ConfigError, match=r"\[tool.safestride.lint\] must be a table"):
        load_config(project)
