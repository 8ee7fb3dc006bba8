"""Output formats: text, json, sarif (2.1.0) and github (workflow annotations);
the counts of ``--statistics``; the closing lines of the text format."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from safestride.lint.findings import Finding
from safestride.lint.rules import RULES, RULES_BY_CODE

TOOL_URI = "https://github.com/safestride/safestride"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

_BOLD, _RED, _CYAN, _RESET = "\x1b[1m", "\x1b[31m", "\x1b[36m", "\x1b[0m"


def use_colour(mode: str, stream: TextIO) -> bool:
    """Colour for ``--color`` `mode` (auto, always, never) on `stream`.

    ``auto`` colours a terminal, unless ``NO_COLOR`` is set (and not empty);
    ``FORCE_COLOR`` (not empty) colours any stream.
    """
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


def as_text(findings: Sequence[Finding], colour: bool = False) -> str:
    """``path:line:col: CODE message``, one per line."""
    if not colour:
        return "".join(f"{finding}\n" for finding in findings)
    colon = f"{_CYAN}:{_RESET}"
    return "".join(
        f"{_BOLD}{f.filename}{_RESET}{colon}{f.line}{colon}{f.column}{colon} "
        f"{_BOLD}{_RED}{f.code}{_RESET} {f.message}\n"
        for f in findings
    )


def _count(number: int, what: str = "finding") -> str:
    return f"{number} {what}{'' if number == 1 else 's'}"


def summary(findings: Sequence[Finding], fixed: int | None = None) -> str:
    """The closing line of the text format, as ruff words it.

    Examples
    --------
    >>> from safestride.lint.formats import summary
    >>> print(summary([]), end="")
    All checks passed!
    """
    if fixed:
        total, remaining = _count(len(findings) + fixed), len(findings)
        return f"Found {total} ({fixed} fixed, {remaining} remaining).\n"
    if not findings:
        return "All checks passed!\n"
    fixable = sum(f.fix is not None for f in findings)
    hint = f" ({fixable} fixable with --fix)" if fixable else ""
    return f"Found {_count(len(findings))}{hint}.\n"


def fixed_report(fixed: Mapping[str, Counter[str]]) -> str:
    """What ``--fix`` changed, file by file (empty when nothing)."""
    total = sum(sum(counts.values()) for counts in fixed.values())
    if not total:
        return ""
    lines = [f"Fixed {_count(total)}:"]
    for filename, counts in fixed.items():
        for code, number in sorted(counts.items()):
            lines.append(
                f"- {filename}: {number} x {code} ({RULES_BY_CODE[code].name})"
            )
    return "\n".join(lines) + "\n"


def as_json(findings: Sequence[Finding]) -> str:
    return json.dumps([finding.to_dict() for finding in findings], indent=2) + "\n"


def _rule_metadata() -> list[dict[str, object]]:
    return [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.what},
            "fullDescription": {"text": f"{rule.what} {rule.why}"},
            "help": {
                "text": f"{rule.why} Instead: {rule.instead}",
                "markdown": (
                    f"**Why:** {rule.why}\n\n**Example:**\n```python\n{rule.example}\n"
                    f"```\n\n**Use instead:**\n```python\n{rule.instead}\n```"
                ),
            },
            "helpUri": f"{TOOL_URI}/blob/main/docs/lint_rules.rst#{rule.code.lower()}",
            "defaultConfiguration": {"level": "warning"},
        }
        for rule in RULES
    ]


def as_sarif(findings: Sequence[Finding], version: str) -> str:
    """A SARIF 2.1.0 log, with every rule's metadata (GitHub code scanning)."""
    index = {rule.code: position for position, rule in enumerate(RULES)}
    results = [
        {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": "error" if f.code == "SST900" else "warning",
            "message": {"text": f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": Path(f.filename).as_posix()},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                        },
                    }
                }
            ],
        }
        for f in findings
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "safestride",
                        "informationUri": TOOL_URI,
                        "version": version,
                        "rules": _rule_metadata(),
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


def _escape(text: str, in_property: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if in_property:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def as_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: one ``::warning`` annotation each."""
    lines = []
    for f in findings:
        properties = ",".join(
            [
                f"title={_escape(f'safestride ({f.code})', True)}",
                f"file={_escape(f.filename, True)}",
                f"line={f.line}",
                f"col={f.column}",
                f"endLine={f.end_line}",
                f"endColumn={f.end_column}",
            ]
        )
        lines.append(f"::warning {properties}::{_escape(f'{f.code} {f.message}')}\n")
    return "".join(lines)


def statistics(findings: Sequence[Finding], format: str = "text") -> str:
    """Counts per rule, most frequent first, as text or json (ruff's fields).

    Examples
    --------
    >>> from safestride.lint import Selection, lint_source
    >>> from safestride.lint.formats import statistics
    >>> source = "from numpy.lib.stride_tricks import as_strided\\n"
    >>> findings = lint_source(source, selection=Selection(["SST008"]))
    >>> print(statistics(findings), end="")
        1  SST008  numpy-as-strided
    """
    counts = Counter(f.code for f in findings)
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    fixable = Counter(f.code for f in findings if f.fix is not None)
    if format == "json":
        records = [
            {
                "code": code,
                "name": RULES_BY_CODE[code].name,
                "count": count,
                "fixable": RULES_BY_CODE[code].fixable,
                "fixable_count": fixable[code],
            }
            for code, count in ordered
        ]
        return json.dumps(records, indent=2) + "\n"
    if format != "text":
        raise ValueError(
            f"--statistics prints text or json, not {format}: use --format text or "
            f"--format json"
        )
    return "".join(
        f"{count:>5}  {code}  {RULES_BY_CODE[code].name}\n" for code, count in ordered
    )


FORMATS: dict[str, Callable[[Sequence[Finding], str], str]] = {
    "text": lambda findings, _version: as_text(findings),
    "json": lambda findings, _version: as_json(findings),
    "sarif": as_sarif,
    "github": lambda findings, _version: as_github(findings),
}
