"""``safestride lint``: the command line, in the conventions of ruff and flake8.

Exit codes: 0 no findings, 1 findings, 2 usage or internal error.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from safestride.lint.config import ConfigError, load_config
from safestride.lint.engine import Selection, apply_fixes, lint_file, lint_source
from safestride.lint.files import discover
from safestride.lint.findings import Finding
from safestride.lint.formats import FORMATS, statistics
from safestride.lint.rules import RULES, RULES_BY_CODE

CLEAN, FINDINGS, ERROR = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        default=["."],
        metavar="PATH",
        help="files and directories to check (default: .)",
    )
    parser.add_argument(
        "--select",
        metavar="CODES",
        help="comma-separated rule codes or prefixes to check",
    )
    parser.add_argument(
        "--ignore",
        metavar="CODES",
        help="comma-separated rule codes or prefixes to skip",
    )
    parser.add_argument(
        "--exclude",
        metavar="GLOBS",
        default="",
        help="comma-separated glob patterns of paths to skip",
    )
    parser.add_argument(
        "--no-respect-gitignore",
        action="store_true",
        help="also check files that .gitignore excludes",
    )
    parser.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default="text",
        help="output format (default: text)",
    )
    parser.add_argument(
        "--fix",
        action="store_true",
        help="apply the automatic fixes, then report what remains",
    )
    parser.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when there are findings"
    )
    parser.add_argument(
        "--statistics",
        action="store_true",
        help="show how many findings each rule gave",
    )


def _codes(text: str | None, option: str) -> tuple[str, ...] | None:
    if text is None:
        return None
    codes = tuple(code.strip().upper() for code in text.split(",") if code.strip())
    for code in codes:
        if not any(rule.code.startswith(code) for rule in RULES):
            known = ", ".join(RULES_BY_CODE)
            raise ConfigError(
                f"{option} {code}: no rule starts with it (rules: {known})"
            )
    return codes


def _lint_path(path: Path, selection: Selection, fix: bool) -> list[Finding]:
    try:
        findings = lint_file(path, selection)
    except OSError as error:
        message = RULES_BY_CODE["SST900"].message.format(source=f"cannot read: {error}")
        return [Finding("SST900", message, str(path), 1, 1, 1, 1)]
    if fix and any(f.fix is not None for f in findings):
        source = path.read_text(encoding="utf-8")
        fixed, applied = apply_fixes(source, findings)
        if applied:
            path.write_text(fixed, encoding="utf-8")
            findings = lint_source(fixed, str(path), selection)
    return findings


def run(arguments: argparse.Namespace) -> int:
    """Lint; print in the chosen format; return the exit code."""
    config = load_config(Path.cwd())
    select = _codes(arguments.select, "--select") or config.select
    ignore = _codes(arguments.ignore, "--ignore") or config.ignore
    selection = Selection(select, ignore)
    exclude = (*config.exclude, *filter(None, arguments.exclude.split(",")))
    findings: list[Finding] = []
    for path in discover(arguments.paths, exclude, not arguments.no_respect_gitignore):
        findings.extend(_lint_path(path, selection, arguments.fix))
    from safestride import __version__

    if arguments.statistics:  # like ruff: the counts instead of the findings
        sys.stdout.write(statistics(findings))
    else:
        sys.stdout.write(FORMATS[arguments.format](findings, __version__))
    if findings and not arguments.exit_zero:
        return FINDINGS
    return CLEAN


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
    except Exception:  # an internal error: say so, exit 2, never a bare crash
        print("safestride lint: internal error, please report it:", file=sys.stderr)
        traceback.print_exc()
        return ERROR
