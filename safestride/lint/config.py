"""Settings from ``[tool.safestride.lint]``, in ruff's names and meanings.

The table is read from the nearest pyproject.toml at or above the working
directory that has a ``[tool.safestride]`` table; that file's directory is
the project root, where ``exclude`` and ``per-file-ignores`` patterns are
anchored. Every mistake in it (bad TOML, an unknown key, a code that names
no rule) is an error naming the file, never a silent default.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safestride.lint.selection import (
    DEFAULT_PER_FILE_IGNORES,
    Selection,
    SelectorError,
    parse_selectors,
)

KEYS = (
    "select",
    "extend-select",
    "ignore",
    "extend-ignore",
    "per-file-ignores",
    "extend-per-file-ignores",
    "exclude",
    "extend-exclude",
    "force-exclude",
    "respect-gitignore",
)

_POSITION = re.compile(
    r"^(?P<message>.*) \("
    r"(?:at line (?P<line>\d+), column (?P<column>\d+)|at end of document)\)$"
)


class ConfigError(ValueError):
    """The configuration (file or command line) is not what the linter understands."""


@dataclass(frozen=True)
class LintConfig:
    """``[tool.safestride.lint]`` as read: None where the file says nothing."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: Mapping[str, tuple[str, ...]] | None = None
    extend_per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    respect_gitignore: bool = True
    source: Path | None = None
    root: Path = field(default_factory=Path.cwd)

    @property
    def selection(self) -> Selection:
        return Selection(self.select, self.ignore, self.extend_select)

    @property
    def all_per_file_ignores(self) -> dict[str, tuple[str, ...]]:
        """``per-file-ignores`` (or the default for tests) and their extension."""
        base = self.per_file_ignores
        if base is None:
            base = DEFAULT_PER_FILE_IGNORES
        return {**base, **self.extend_per_file_ignores}


def _toml_error(path: Path, text: str, error: ValueError) -> ConfigError:
    match = _POSITION.match(str(error))
    if match is None:
        return ConfigError(f"{path}: not valid TOML: {error}")
    if match.group("line") is None:
        lines = text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
    else:
        line, column = int(match.group("line")), int(match.group("column"))
    return ConfigError(f"{path}:{line}:{column}: not valid TOML: {match['message']}")


def read_toml(path: Path) -> dict[str, Any] | None:
    """The parsed file; None on Python 3.10 without tomli (after saying so)."""
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
            return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{shown(path)}: cannot read it: {error}") from None
    try:
        loaded: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _toml_error(shown(path), text, error) from None
    return loaded


def shown(path: Path) -> Path:
    """`path` as messages show it: from the working directory if inside it."""
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def find_config(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest pyproject.toml at or above `start` with ``[tool.safestride]``,
    and its ``lint`` table."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if not candidate.is_file():
            continue
        document = read_toml(candidate)
        if document is None:
            return None
        tool = document.get("tool", {})
        if isinstance(tool, dict) and "safestride" in tool:
            table = tool["safestride"]
            lint = table.get("lint", {}) if isinstance(table, dict) else None
            if not isinstance(lint, dict):
                raise ConfigError(
                    f"{candidate}: [tool.safestride.lint] must be a table"
                )
            return candidate, lint
    return None


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            f'{where} must be a list of strings such as ["SST001", "SST00"]; '
            f"got {value!r}"
        )
    return tuple(value)


def _selectors(value: object, where: str) -> tuple[str, ...]:
    try:
        return parse_selectors(_strings(value, where))
    except SelectorError as error:
        raise ConfigError(f"{where}: {error}") from None


def _per_file(value: object, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ConfigError(
            f'{where} must be a table of patterns and codes such as {{"tests" = '
            f'["SST"]}}; got {value!r}'
        )
    return {str(k): _selectors(v, f"{where} {k!r}") for k, v in value.items()}


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false; got {value!r}")
    return value


def _check_keys(table: dict[str, Any], where: str) -> None:
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        import difflib

        hints = {key: difflib.get_close_matches(key, KEYS, n=1) for key in unknown}
        hint = ", ".join(f"{h[0]!r} for {k!r}" for k, h in hints.items() if h)
        raise ConfigError(
            f"{where} has unknown keys {unknown}"
            + (f" (did you mean {hint}?)" if hint else "")
            + f"; it understands {', '.join(KEYS)}"
        )


def load_config(start: Path) -> LintConfig:
    """The configuration for linting from `start` (a directory)."""
    start = start.resolve()
    found = find_config(start)
    if found is None:
        return LintConfig(root=start)
    path, table = found
    where = f"{shown(path)}: [tool.safestride.lint]"
    _check_keys(table, where)

    def get(key: str, parse: Any, default: Any = None) -> Any:
        return parse(table[key], f"{where} {key}") if key in table else default

    ignore = get("ignore", _selectors, ()) + get("extend-ignore", _selectors, ())
    return LintConfig(
        select=get("select", _selectors),
        extend_select=get("extend-select", _selectors, ()),
        ignore=ignore,
        per_file_ignores=get("per-file-ignores", _per_file),
        extend_per_file_ignores=get("extend-per-file-ignores", _per_file, {}),
        exclude=get("exclude", _strings),
        extend_exclude=get("extend-exclude", _strings, ()),
        force_exclude=get("force-exclude", _flag, False),
        respect_gitignore=get("respect-gitignore", _flag, True),
        source=path,
        root=path.parent,
    )
