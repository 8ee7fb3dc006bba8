"""Judge ``safestride lint`` on the real-code corpus against hand-written verdicts.

Runs the linter twice over the corpus directory (made by ``gather.py``): with
every rule selected (``--select ALL``, or ``--select SST`` where ``ALL`` is not
understood) and with the default selection. Each finding is joined, by file,
line and rule code, with ``verdicts.tsv`` (our own judgement of each finding:
``real defect``, ``sound advice`` or ``wrong``, with a one-line reason). It prints:

* per rule: findings, real defect, sound advice, wrong, unjudged;
* the share of judged findings that point at a defect or give sound advice;
* findings per correct call site (``sites.tsv`` holds a verdict for every
  ``as_strided`` call site in the corpus);
* every reproduced bug in ``bugs.tsv`` and the finding that names its real
  cause, or ``missed``;
* every unjudged finding, so a person can judge it and add a line to
  ``verdicts.tsv``.

    python benchmarks/lint_corpus/judge.py CORPUS [--safestride PROGRAM]

``PROGRAM`` is the ``safestride`` executable to judge (default: the one next to
this Python). The linter runs with the corpus as its working directory, so no
project configuration applies. Output is Markdown.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
VERDICTS = ("real defect", "sound advice", "wrong")
POINTED = ("real defect", "sound advice")


@dataclass(frozen=True)
class Finding:
    """One linter finding, with its file relative to the corpus."""

    code: str
    file: str
    line: int
    message: str


@dataclass(frozen=True)
class Bug:
    """A reproduced bug: where its cause lies and what it is."""

    file: str
    lines: frozenset[int]
    kind: str
    cause: str


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def read_verdicts(path: Path) -> dict[tuple[str, int, str], tuple[str, str]]:
    """(file, line, code) -> (verdict, reason); unknown verdicts are an error."""
    verdicts = {}
    for row in _rows(path):
        if row["verdict"] not in VERDICTS:
            raise SystemExit(
                f"{path}: verdict {row['verdict']!r} is not one of {VERDICTS}"
            )
        key = (row["file"], int(row["line"]), row["code"])
        verdicts[key] = (row["verdict"], row["reason"])
    return verdicts


def _lines(spec: str) -> frozenset[int]:
    lines: set[int] = set()
    for part in spec.split(","):
        first, _, last = part.partition("-")
        lines.update(range(int(first), int(last or first) + 1))
    return frozenset(lines)


def read_bugs(path: Path) -> list[Bug]:
    """The reproduced bugs; `lines` holds ranges such as ``35-37,50``."""
    return [
        Bug(row["file"], _lines(row["lines"]), row["kind"], row["cause"])
        for row in _rows(path)
    ]


def run_linter(program: str, corpus: Path, select: Sequence[str]) -> list[Finding]:
    """The linter's findings as JSON, run from inside the corpus."""
    command = [program, "lint", "--format", "json", "--exit-zero", *select, "."]
    done = subprocess.run(
        command, cwd=corpus, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip() or f"{command} exited {done.returncode}")
    return [
        Finding(
            item["code"],
            Path(item["filename"]).as_posix().removeprefix("./"),
            int(item["line"]),
            item["message"],
        )
        for item in json.loads(done.stdout or "[]")
    ]


def lint_everything(program: str, corpus: Path) -> tuple[str, list[Finding]]:
    """Every rule: ``--select ALL`` where the linter knows it, else ``SST``."""
    for selector in ("ALL", "SST"):
        try:
            return selector, run_linter(program, corpus, ["--select", selector])
        except RuntimeError:
            continue
    raise SystemExit(f"{program} lint accepts neither --select ALL nor --select SST")


def rule_table(
    findings: Iterable[Finding], verdicts: dict[tuple[str, int, str], tuple[str, str]]
) -> tuple[str, Counter[str]]:
    """The per-rule Markdown table and the totals per verdict."""
    per_rule: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    for finding in findings:
        verdict = verdicts.get((finding.file, finding.line, finding.code))
        label = verdict[0] if verdict else "unjudged"
        per_rule[finding.code][label] += 1
        per_rule[finding.code]["findings"] += 1
        totals[label] += 1
        totals["findings"] += 1
    columns = ("findings", *VERDICTS, "unjudged")
    lines = [
        "| rule | " + " | ".join(columns) + " |",
        "|---" * (len(columns) + 1) + "|",
    ]
    for code in sorted(per_rule):
        counts = per_rule[code]
        lines.append(
            f"| {code} | " + " | ".join(str(counts[c]) for c in columns) + " |"
        )
    lines.append("| all | " + " | ".join(str(totals[c]) for c in columns) + " |")
    return "\n".join(lines), totals


def bug_lines(
    bugs: Sequence[Bug],
    findings: Sequence[Finding],
    verdicts: dict[tuple[str, int, str], tuple[str, str]],
) -> list[str]:
    """One line per reproduced bug: the finding naming its cause, or missed."""
    out = []
    for bug in bugs:
        here = [f for f in findings if f.file == bug.file and f.line in bug.lines]
        naming = [
            f.code
            for f in here
            if verdicts.get((f.file, f.line, f.code), ("",))[0] == "real defect"
        ]
        others = sorted({f.code for f in here} - set(naming))
        status = ", ".join(sorted(set(naming))) if naming else "**missed**"
        extra = f" (also there: {', '.join(others)})" if others else ""
        first = min(bug.lines)
        out.append(f"- {bug.file}:{first} [{bug.kind}] {bug.cause}: {status}{extra}")
    return out


def site_counts(path: Path) -> Counter[str]:
    """Call sites per verdict (correct, defect, latent)."""
    return Counter(row["verdict"] for row in _rows(path))


def report(
    title: str,
    findings: list[Finding],
    verdicts: dict[tuple[str, int, str], tuple[str, str]],
    bugs: Sequence[Bug],
    sites: Counter[str],
) -> list[Finding]:
    """Print one selection's results; return its unjudged findings."""
    table, totals = rule_table(findings, verdicts)
    judged = sum(totals[v] for v in VERDICTS)
    pointed = sum(totals[v] for v in POINTED)
    correct = sites["correct"]
    bug_keys = {(b.file, line) for b in bugs for line in b.lines}
    off_bug = sum(1 for f in findings if (f.file, f.line) not in bug_keys)
    print(f"\n## {title}\n\n{table}\n")
    share = f"{pointed / judged:.1%}" if judged else "n/a"
    print(
        f"- findings that point at a defect or give sound advice: {pointed} of "
        f"{judged} judged ({share})"
    )
    print(
        f"- findings per correct call site: {totals['findings']} / {correct} = "
        f"{totals['findings'] / correct:.2f} (away from the bugs' lines: "
        f"{off_bug} / {correct} = {off_bug / correct:.2f})"
    )
    named = bug_lines(bugs, findings, verdicts)
    missed = sum(1 for line in named if "**missed**" in line)
    print(
        f"- reproduced bugs whose real cause a finding names: "
        f"{len(bugs) - missed} of {len(bugs)}\n"
    )
    print("\n".join(named))
    return [f for f in findings if (f.file, f.line, f.code) not in verdicts]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="the directory gather.py wrote")
    parser.add_argument(
        "--safestride",
        default=shutil.which("safestride", path=str(Path(sys.executable).parent))
        or "safestride",
        help="the safestride program to judge",
    )
    parser.add_argument("--verdicts", type=Path, default=HERE / "verdicts.tsv")
    parser.add_argument("--bugs", type=Path, default=HERE / "bugs.tsv")
    parser.add_argument("--sites", type=Path, default=HERE / "sites.tsv")
    options = parser.parse_args(argv)
    corpus = options.corpus.resolve()
    verdicts = read_verdicts(options.verdicts)
    bugs = read_bugs(options.bugs)
    sites = site_counts(options.sites)
    files = {row["file"] for row in _rows(options.sites)}
    print(f"# safestride lint on the corpus ({options.safestride})\n")
    print(
        f"{sum(sites.values())} as_strided call sites in {len(files)} files: "
        f"{sites['correct']} correct, {sites['defect']} defects, "
        f"{sites['latent']} latent defects; {len(bugs)} reproduced bugs."
    )
    selector, everything = lint_everything(options.safestride, corpus)
    default = run_linter(options.safestride, corpus, [])
    unjudged = report(
        f"Every rule (--select {selector})", everything, verdicts, bugs, sites
    )
    report("Default selection", default, verdicts, bugs, sites)
    if unjudged:
        print(f"\n## Unjudged findings ({len(unjudged)})\n")
        for finding in unjudged:
            print(f"- {finding.file}:{finding.line} {finding.code} {finding.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
