"""Settings from ``[tool.safestride.lint]`` in the nearest pyproject.toml."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class LintConfig:
    """select/ignore: code prefixes; exclude: extra glob patterns."""

    select: tuple[str, ...] = ("SST",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    source: Path | None = None


class ConfigError(ValueError):
    """The configuration is not what the linter understands."""


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start`."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            print(
                f"safestride lint: cannot read {path} on Python 3.10 without tomli "
                f"(pip install tomli); using the defaults",
                file=sys.stderr,
            )
            return {}
    with path.open("rb") as handle:
        loaded: dict[str, Any] = tomllib.load(handle)
        return loaded


def _codes(table: dict[str, Any], key: str, path: Path) -> tuple[str, ...] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            f"{path}: [tool.safestride.lint] {key} must be a list of strings such as "
            f'["SST001", "SST00"]; got {value!r}'
        )
    return tuple(value)


def load_config(start: Path) -> LintConfig:
    """The configuration for linting from `start` (a directory)."""
    path = find_pyproject(start.resolve())
    if path is None:
        return LintConfig()
    table = _toml(path).get("tool", {}).get("safestride", {}).get("lint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.safestride.lint] must be a table")
    unknown = set(table) - {"select", "ignore", "exclude"}
    if unknown:
        raise ConfigError(
            f"{path}: [tool.safestride.lint] has unknown keys {sorted(unknown)}; "
            f"it understands select, ignore and exclude"
        )
    return LintConfig(
        select=_codes(table, "select", path) or ("SST",),
        ignore=_codes(table, "ignore", path) or (),
        exclude=_codes(table, "exclude", path) or (),
        source=path,
    )
