"""``safestride lint``: the command line, in the conventions of ruff and flake8.

Exit codes: 0 no findings, 1 findings (with ``--diff``: changes to show),
2 usage, configuration or internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from safestride.lint.config import ConfigError, load_config
from safestride.lint.files import DEFAULT_EXCLUDE, FileFilter, discover
from safestride.lint.formats import FORMATS
from safestride.lint.globs import GlobSet
from safestride.lint.linting import CHECK, DIFF, FIX, FileResult, Linter
from safestride.lint.report import Report
from safestride.lint.selection import Selection, SelectorError, parse_selectors

CLEAN, FINDINGS, ERROR = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="files and directories to check, or - for stdin (default: .)",
    )
    rules = parser.add_argument_group("rule selection (as ruff's)")
    rules.add_argument(
        "--select",
        metavar="CODES",
        help="comma-separated rule codes or prefixes to check instead of the "
        "default rules (ALL: every rule)",
    )
    rules.add_argument(
        "--extend-select",
        metavar="CODES",
        help="rules to check on top of the default (or selected) ones",
    )
    rules.add_argument("--ignore", metavar="CODES", help="rules to skip")
    rules.add_argument("--extend-ignore", metavar="CODES", help=argparse.SUPPRESS)
    rules.add_argument(
        "--per-file-ignores",
        metavar="PATTERN:CODE,...",
        help="rules to skip in the files a pattern covers, instead of the "
        "configured ones (an empty value: none, not even the default for tests)",
    )
    rules.add_argument(
        "--extend-per-file-ignores",
        metavar="PATTERN:CODE,...",
        help="like --per-file-ignores, on top of the configured ones",
    )
    files = parser.add_argument_group("file selection")
    files.add_argument(
        "--exclude",
        metavar="GLOBS",
        help="comma-separated patterns to skip, instead of the default ones "
        "(.git, .venv, build, ...) and the configured ones",
    )
    files.add_argument(
        "--extend-exclude", metavar="GLOBS", help="patterns to skip, on top"
    )
    files.add_argument(
        "--force-exclude",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="apply the excludes to files named on the command line too "
        "(pre-commit names every changed file)",
    )
    files.add_argument(
        "--no-respect-gitignore",
        action="store_true",
        help="also check files that .gitignore excludes",
    )
    files.add_argument(
        "--stdin-filename",
        metavar="PATH",
        help="the name of the file read from stdin, for messages and the "
        "per-file settings",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default="text",
        help="output format (default: text)",
    )
    output.add_argument(
        "-o", "--output-file", metavar="FILE", help="write the report to FILE"
    )
    output.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text format: auto (on a terminal, unless NO_COLOR is "
        "set), always or never",
    )
    output.add_argument(
        "--statistics",
        action="store_true",
        help="show how many findings each rule gave (text or json)",
    )
    output.add_argument(
        "-q", "--quiet", action="store_true", help="print the findings, nothing else"
    )
    output.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when there are findings"
    )
    fixing = parser.add_argument_group("fixes")
    fixing.add_argument(
        "--fix",
        action="store_true",
        help="apply the automatic fixes, say what changed, report what remains",
    )
    fixing.add_argument(
        "--diff",
        action="store_true",
        help="show the fixes as a unified diff, change nothing (exit 1 if any)",
    )


def _split(text: str | None) -> list[str] | None:
    return None if text is None else [p.strip() for p in text.split(",") if p.strip()]


def _selectors(text: str | None, option: str) -> tuple[str, ...] | None:
    values = _split(text)
    if values is None:
        return None
    try:
        return parse_selectors(values)
    except SelectorError as error:
        raise ConfigError(f"{option}: {error}") from None


def _per_file(text: str | None, option: str) -> dict[str, tuple[str, ...]] | None:
    entries = _split(text)
    if entries is None:
        return None
    table: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        pattern, colon, code = entry.rpartition(":")
        if not colon or not pattern:
            raise ConfigError(
                f"{option}: {entry!r} is not PATTERN:CODE (for example tests/*:SST003)"
            )
        codes = _selectors(code, option) or ()
        table[pattern] = (*table.get(pattern, ()), *codes)
    return table


def settings(arguments: argparse.Namespace) -> Linter:
    """The configuration file, under the command line's options."""
    config = load_config(Path.cwd())
    command_line = Selection(
        _selectors(arguments.select, "--select"),
        (
            *(_selectors(arguments.ignore, "--ignore") or ()),
            *(_selectors(arguments.extend_ignore, "--extend-ignore") or ()),
        ),
        _selectors(arguments.extend_select, "--extend-select") or (),
    )
    exclude = _split(arguments.exclude)
    if exclude is None:
        exclude = list(DEFAULT_EXCLUDE if config.exclude is None else config.exclude)
    exclude += [*config.extend_exclude, *(_split(arguments.extend_exclude) or ())]
    per_file = _per_file(arguments.per_file_ignores, "--per-file-ignores")
    if per_file is None:
        per_file = config.all_per_file_ignores
    else:
        per_file.update(config.extend_per_file_ignores)
    option = "--extend-per-file-ignores"
    per_file.update(_per_file(arguments.extend_per_file_ignores, option) or {})
    force = arguments.force_exclude
    files = FileFilter(
        root=config.root,
        exclude=GlobSet.compile(exclude),
        respect_gitignore=config.respect_gitignore
        and not arguments.no_respect_gitignore,
        force_exclude=config.force_exclude if force is None else force,
    )
    if arguments.statistics and arguments.format not in ("text", "json"):
        raise ConfigError(
            f"--statistics prints text or json, not {arguments.format}: use "
            f"--format text or --format json"
        )
    return Linter(command_line.over(config.selection), files, per_file)


def _lint_stdin(linter: Linter, arguments: argparse.Namespace, mode: str) -> FileResult:
    """Lint stdin; with --fix, write the fixed code to stdout."""
    data = sys.stdin.buffer.read()
    name = arguments.stdin_filename
    if name is not None and linter.files.skips_named(name):
        result, fixed = FileResult(name, []), data
    else:
        result, fixed = linter.lint_data(data, name or "-", name, mode)
    if mode == FIX:
        sys.stdout.buffer.write(fixed)
        sys.stdout.flush()
    return result


def _lint_paths(
    linter: Linter, arguments: argparse.Namespace, report: Report, mode: str
) -> list[FileResult]:
    if "-" in arguments.paths:
        raise ConfigError("- (stdin) cannot be mixed with other paths")
    paths = list(discover(arguments.paths, linter.files))
    if not paths:
        report.warn(
            f"no Python files found under {' '.join(arguments.paths)} "
            f"(excluded, git-ignored, or not .py/.pyi)"
        )
    return [linter.lint_path(path, mode) for path in paths]


def run(arguments: argparse.Namespace) -> int:
    """Lint; print in the chosen format; return the exit code."""
    linter = settings(arguments)
    mode = DIFF if arguments.diff else FIX if arguments.fix else CHECK
    report = Report.open(arguments, mode)
    try:
        if arguments.paths == ["-"]:
            results = [_lint_stdin(linter, arguments, mode)]
        else:
            results = _lint_paths(linter, arguments, report, mode)
        changed = report.write(results)
    finally:
        report.close()
    if arguments.exit_zero:
        return CLEAN
    if arguments.diff:
        return FINDINGS if changed else CLEAN
    return FINDINGS if any(result.findings for result in results) else CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    """``safestride lint`` on its own (the CLI also routes here)."""
    parser = argparse.ArgumentParser(prog="safestride lint", description=__doc__)
    add_arguments(parser)
    return run_safely(parser.parse_args(argv))


def run_safely(arguments: argparse.Namespace) -> int:
    try:
        return run(arguments)
    except (ConfigError, FileNotFoundError) as error:
        print(f"safestride lint: {error}", file=sys.stderr)
        return ERROR
    except BrokenPipeError:  # `safestride lint | head`: the reader left
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return FINDINGS
    except Exception:  # an internal error: say so, exit 2, never a bare crash
        print("safestride lint: internal error, please report it:", file=sys.stderr)
        traceback.print_exc()
        return ERROR
