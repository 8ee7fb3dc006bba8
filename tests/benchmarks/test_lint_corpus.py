"""The lint corpus: its lists agree; its scripts work on small inputs."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers import ROOT

CORPUS = ROOT / "benchmarks" / "lint_corpus"


def _module(name: str) -> ModuleType:
    path = CORPUS / f"{name.removeprefix('lint_corpus_')}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


gather = _module("lint_corpus_gather")
judge = _module("lint_corpus_judge")


def _rows(name: str) -> list[dict[str, str]]:
    with (CORPUS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_origins_are_pinned_and_classified() -> None:
    origins = gather.read_origins()
    assert len(origins) >= 100
    assert len({origin.project for origin in origins}) >= 20
    for origin in origins:
        assert origin.kind in {"library", "test-suite", "course", "app"}, origin
        if origin.source.startswith("pypi:"):
            assert re.fullmatch(r"pypi:[\w.-]+==[\w.]+", origin.source), origin
        else:
            assert origin.source.startswith("https://github.com/"), origin
            assert re.fullmatch(r"[0-9a-f]{40}", origin.commit), origin


def test_every_site_verdict_and_bug_is_in_a_listed_file() -> None:
    files = {origin.corpus_path for origin in gather.read_origins()}
    sites = _rows("sites.tsv")
    assert {row["verdict"] for row in sites} <= {"correct", "defect", "latent"}
    assert {row["file"] for row in sites} <= files
    assert {row["file"] for row in _rows("verdicts.tsv")} <= files
    flawed = {(r["file"], int(r["line"])) for r in sites if r["verdict"] != "correct"}
    bugs = judge.read_bugs(CORPUS / "bugs.tsv")
    assert {(bug.file, line) for bug in bugs for line in bug.lines} >= flawed
    assert len(bugs) == len(flawed)


def test_verdicts_use_the_three_words() -> None:
    verdicts = judge.read_verdicts(CORPUS / "verdicts.tsv")
    assert {verdict for verdict, _ in verdicts.values()} <= set(judge.VERDICTS)
    assert all(reason.strip() for _, reason in verdicts.values())


def test_an_unknown_verdict_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "verdicts.tsv"
    bad.write_text("file\tline\tcode\tverdict\treason\na.py\t1\tSST001\tmaybe\tx\n")
    with pytest.raises(SystemExit, match="'maybe' is not one of"):
        judge.read_verdicts(bad)


def test_notebook_cells_become_python_with_magics_commented_out() -> None:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": ["# title"]},
            {"cell_type": "code", "source": ["%matplotlib inline\n", "x = 1"]},
            {"cell_type": "code", "source": " y = x + 1"},
        ]
    }
    text = gather.notebook_to_python(json.dumps(notebook).encode()).decode()
    assert text == "# %matplotlib inline\nx = 1\n\n\ny = x + 1\n"


def test_rule_table_counts_each_verdict_and_the_unjudged() -> None:
    findings = [
        judge.Finding("SST009", "a.py", 3, "out of bounds"),
        judge.Finding("SST004", "a.py", 3, "writeable"),
        judge.Finding("SST004", "b.py", 7, "writeable"),
    ]
    verdicts = {
        ("a.py", 3, "SST009"): ("real defect", "reproduced"),
        ("a.py", 3, "SST004"): ("wrong", "used up at once"),
    }
    table, totals = judge.rule_table(findings, verdicts)
    assert "| SST004 | 2 | 0 | 0 | 1 | 1 |" in table
    assert "| SST009 | 1 | 1 | 0 | 0 | 0 |" in table
    assert totals["unjudged"] == 1
    assert totals["findings"] == 3


def test_a_bug_is_named_only_by_a_real_defect_verdict_on_its_lines() -> None:
    bug = judge.Bug("a.py", frozenset({3, 4}), "defect", "one window too many")
    findings = [
        judge.Finding("SST009", "a.py", 4, "out of bounds"),
        judge.Finding("SST004", "a.py", 3, "writeable"),
    ]
    named = {("a.py", 4, "SST009"): ("real defect", "reproduced")}
    advice = {("a.py", 4, "SST009"): ("sound advice", "not the cause")}
    assert judge.bug_lines([bug], findings, named) == [
        "- a.py:3 [defect] one window too many: SST009 (also there: SST004)"
    ]
    assert "**missed**" in judge.bug_lines([bug], findings, advice)[0]


def test_the_proof_page_accounts_for_every_reproduced_bug() -> None:
    page = " ".join((ROOT / "docs" / "lint_realworld.rst").read_text().split())
    bugs = judge.read_bugs(CORPUS / "bugs.tsv")
    for bug in bugs:
        assert f"{Path(bug.file).name}:{min(bug.lines)}" in page, bug
    assert re.search(rf"\d+ of {len(bugs)}\W* reproduced bugs named", page)
