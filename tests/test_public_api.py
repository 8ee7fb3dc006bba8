"""The public surface: one table of names, their public home, their types."""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from pathlib import Path

import pytest

import safestride
from tests.helpers import ROOT, run_python

INIT = ROOT / "safestride" / "__init__.py"


def type_checking_imports() -> dict[str, str]:
    """name -> module, from the ``if TYPE_CHECKING:`` block type checkers read."""
    tree = ast.parse(INIT.read_text())
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                for alias in statement.names:
                    assert alias.asname == alias.name, "re-export as `X as X`"
                    found[alias.name] = str(statement.module)
    return found


def test_the_type_checkers_names_are_the_lazy_table() -> None:
    assert type_checking_imports() == safestride._HOMES


def test_all_is_the_table_plus_the_version() -> None:
    assert sorted(safestride.__all__) == sorted(["__version__", *safestride._HOMES])
    assert len(set(safestride.__all__)) == len(safestride.__all__)


@pytest.mark.parametrize("name", sorted(safestride._HOMES))
def test_each_name_lives_where_the_table_says(name: str) -> None:
    home = importlib.import_module(safestride._HOMES[name])
    assert getattr(safestride, name) is getattr(home, name)


@pytest.mark.parametrize(
    "name",
    [n for n in sorted(safestride._HOMES) if safestride._HOMES[n] != "safestride.nn"],
)
def test_public_names_report_their_public_home(name: str) -> None:
    thing = getattr(safestride, name)
    assert thing.__module__ == "safestride", (name, thing.__module__)


def test_classes_print_their_public_home() -> None:
    assert repr(safestride.Report) == "<class 'safestride.Report'>"
    assert repr(safestride.OutOfBoundsError) == "<class 'safestride.OutOfBoundsError'>"


def test_importing_safestride_loads_no_numpy() -> None:
    result = run_python(
        code="""
        import sys
        import safestride, safestride.options, safestride.lint
        print("numpy" in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_as_strided_signature_matches_numpys_positional_part() -> None:
    import numpy as np

    ours = inspect.signature(safestride.as_strided).parameters
    theirs = inspect.signature(np.lib.stride_tricks.as_strided).parameters
    positional = [p for p in theirs.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert [ours[p.name].default for p in positional] == [p.default for p in positional]


USER_CODE = """
from typing import Any

import numpy as np
from numpy.typing import NDArray

from safestride import as_strided


def frames(x: NDArray[np.float64], n: int) -> NDArray[Any]:
    return as_strided(
        x, shape=(x.size - n + 1, n), strides=x.strides * 2, writeable=False
    )


def checked(x: NDArray[np.float64]) -> NDArray[Any]:
    return as_strided(x, (2,), (8,), bounds="elements")
"""


@pytest.mark.gates
def test_a_typed_users_code_passes_mypy_strict(tmp_path: Path) -> None:
    user = tmp_path / "user.py"
    user.write_text(USER_CODE)
    result = run_python("-m", "mypy", "--strict", str(user), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.gates
def test_mypy_refuses_a_misspelt_bounds(tmp_path: Path) -> None:
    user = tmp_path / "user.py"
    user.write_text(USER_CODE.replace('bounds="elements"', 'bounds="elemnts"'))
    result = run_python("-m", "mypy", "--strict", str(user), cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert 'Argument "bounds" to "as_strided" has incompatible type' in result.stdout


def test_user_code_snippet_runs() -> None:
    namespace: dict[str, object] = {}
    exec(textwrap.dedent(USER_CODE), namespace)
    import numpy as np

    frames = namespace["frames"]
    assert callable(frames)
    assert frames(np.arange(5.0), 2).shape == (4, 2)
