"""Output formats: text, json, sarif (2.1.0) and github (workflow annotations)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from safestride.lint.findings import Finding
from safestride.lint.rules import RULES, RULES_BY_CODE

TOOL_URI = "https://github.com/safestride/safestride"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def as_text(findings: Sequence[Finding]) -> str:
    """``path:line:col: CODE message``, one per line."""
    return "".join(f"{finding}\n" for finding in findings)


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


def statistics(findings: Sequence[Finding]) -> str:
    """Counts per rule, most frequent first."""
    counts = Counter(f.code for f in findings)
    return "".join(
        f"{count:>5}  {code}  {RULES_BY_CODE[code].name}\n"
        for code, count in counts.most_common()
    )


FORMATS: dict[str, Callable[[Sequence[Finding], str], str]] = {
    "text": lambda findings, _version: as_text(findings),
    "json": lambda findings, _version: as_json(findings),
    "sarif": as_sarif,
    "github": lambda findings, _version: as_github(findings),
}
