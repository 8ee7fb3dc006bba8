"""Real libraries' test suites, run plainly and under ``pytest --safestride``.

Makes its own virtual environment (outside the repository: its path is the
first argument), installs this checkout with pytest and hypothesis plus the
libraries, runs each library's selection of tests that exercise
``as_strided`` (docs/realworld.rst says which, and why) back to back, plainly
and guarded, and prints one table: tests, passed plain, passed guarded, the
unsafe views the guard reported (with the call site that made each), and the
time ratio guarded / plain. A test that passes plainly and fails guarded is a
false alarm unless the view really overruns: the table lists its call site so
a person can decide which. librosa's tests need data downloads, so it is
called directly (``util.frame``, ``feature.stack_memory``,
``onset.onset_strength``) under ``safestride.guarded()``.

Not part of the test run: it takes tens of minutes.

    python benchmarks/realworld_guard.py /tmp/rw-venv [--library scipy ...]
        [--checkout PATH] [--python PYTHON] [--mode plain --mode plugin]
        [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import textwrap
import time
import xml.etree.ElementTree as ElementTree
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Library:
    """A library to test: what to install, and which tests to run."""

    name: str
    requirements: tuple[str, ...]
    selection: tuple[str, ...]
    from_sdist: str | None = None  # the distribution whose sdist holds the tests
    direct: bool = False  # no test suite: call the functions under guarded()
    options: tuple[str, ...] = ()  # more pytest options, before the selection


LIBRARIES = {
    library.name: library
    for library in (
        Library(
            "numpy",
            (),
            (
                "--pyargs",
                "numpy.lib",
                "numpy._core.tests.test_nditer",
                "numpy._core.tests.test_mem_overlap",
                "numpy._core.tests.test_api",
                "numpy._core.tests.test_regression",
                "numpy.linalg.tests.test_linalg",
            ),
        ),
        Library(
            "scipy",
            ("scipy",),
            (
                "--pyargs",
                "scipy.linalg.tests.test_special_matrices",
                "scipy.linalg.tests.test_solve_toeplitz",
                "scipy.linalg.tests.test_matmul_toeplitz",
                "scipy.linalg.tests.test_batch",
                "scipy.signal.tests.test_spectral",
                "scipy.signal.tests.test_short_time_fft",
                "scipy.signal.tests.test_signaltools",
                "scipy.ndimage.tests.test_filters",
            ),
        ),
        Library(
            "scikit-image",
            (
                "scikit-image",
                "pooch",
                "pytest-pretty",
                "pytest-localserver",
                "pytest-doctestplus",
                "numpydoc",
            ),
            ("util", "feature", "filters", "measure", "segmentation", "transform"),
            from_sdist="scikit-image",
            # Its config turns warnings into errors, newer pytest's own
            # deprecations included; test_rank downloads data while collected.
            options=(
                "-W",
                "ignore::pytest.PytestRemovedIn10Warning",
                "--continue-on-collection-errors",
            ),
        ),
        Library(
            "scikit-learn",
            ("scikit-learn",),
            (
                "--pyargs",
                "sklearn.feature_extraction",
                "sklearn.ensemble._hist_gradient_boosting.tests.test_binning",
                "sklearn.ensemble._hist_gradient_boosting.tests.test_gradient_boosting",
            ),
        ),
        Library(
            "pandas",
            ("pandas",),
            (
                "--pyargs",
                "pandas.tests.window.test_rolling",
                "pandas.tests.frame.methods.test_interpolate",
                "pandas.tests.series.methods.test_interpolate",
            ),
        ),
        Library("librosa", ("librosa",), (), direct=True),
    )
}

#: How each run is started: extra arguments before pytest's own.
MODES = {
    "plain": ("-m", "pytest"),
    "plugin": ("-m", "pytest", "--safestride"),
    "run": ("-m", "safestride", "run", "-m", "pytest"),
}

#: How many times the librosa probe alternates its plain and guarded passes.
LIBROSA_ROUNDS = 20
#: Calls librosa's framing functions under the guard, in the test venv.
LIBROSA_PROBE = textwrap.dedent(
    """
    import json, time
    import numpy as np
    import librosa
    import safestride

    rng = np.random.default_rng(0)
    signals = {
        "mono": rng.standard_normal(22050).astype(np.float32),
        "stereo channel": rng.standard_normal((22050, 2)).astype(np.float32)[:, 0],
        "every other": rng.standard_normal(44100).astype(np.float32)[::2],
        "fortran stereo": np.asfortranarray(rng.standard_normal((2, 22050))),
    }
    calls = []
    for name, y in signals.items():
        for axis in (-1, 0):
            calls.append((f"util.frame({name}, axis={axis})",
                          lambda y=y, a=axis: librosa.util.frame(
                              y, frame_length=2048, hop_length=512, axis=a)))
        calls.append((f"onset.onset_strength({name})",
                      lambda y=y: librosa.onset.onset_strength(
                          y=np.ascontiguousarray(y) if y.ndim > 1 else y, sr=22050)))
    feature = rng.standard_normal((20, 100))
    for n_steps in (2, 3, 5):
        for delay in (1, -1, 2):
            calls.append((f"feature.stack_memory(n_steps={n_steps}, delay={delay})",
                          lambda n=n_steps, d=delay: librosa.feature.stack_memory(
                              feature, n_steps=n, delay=d)))
    for name, call in calls:  # warm up: numba compiles on the first call
        try:
            call()
        except Exception:
            pass
    def one_pass(policy):
        outcomes = []
        for name, call in calls:
            if policy == "none":
                try:
                    call()
                    outcomes.append((name, "ok", None))
                except Exception as error:
                    outcomes.append((name, type(error).__name__, None))
                continue
            with safestride.guarded(policy="record") as report:
                try:
                    call()
                    outcome = "ok"
                except Exception as error:
                    outcome = type(error).__name__
            outcomes.append((name, outcome, [v.to_dict() for v in report]))
        return outcomes

    # The two ways alternate, and each one's least time counts: a pass takes
    # tens of milliseconds, less than one scheduling hiccup of a busy machine.
    best = {"none": float("inf"), "record": float("inf")}
    kept = {}
    for _ in range(ROUNDS):
        for policy in best:
            start = time.perf_counter()
            kept[policy] = one_pass(policy)
            best[policy] = min(best[policy], time.perf_counter() - start)
    results = [(policy, best[policy], kept[policy]) for policy in best]
    print(json.dumps(results))
    """
)


@dataclass
class Outcome:
    """One pytest run of one library's selection."""

    mode: str
    seconds: float
    cpu: float = 0.0  # user + system seconds: steadier than wall time on a busy machine
    passed: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    # test id -> the unsafe views the guard reported during it
    views: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    returncode: int = 0

    @property
    def tests(self) -> int:
        return len(self.passed | self.failed | self.skipped)


def run(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, text=True, check=False, **options)


def make_venv(venv: Path, python: str, checkout: Path, library: Library) -> Path:
    """Create (or reuse) the venv; install the checkout and `library`."""
    binary = venv / "bin" / "python"
    if not binary.exists():
        run([python, "-m", "venv", str(venv)]).check_returncode()
        run([str(binary), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    run(
        [
            str(binary),
            "-m",
            "pip",
            "install",
            "-q",
            str(checkout),
            "pytest",
            "hypothesis",
            *library.requirements,
        ]
    ).check_returncode()
    return binary


def installed_version(binary: Path, distribution: str) -> str:
    found = run(
        [
            str(binary),
            "-c",
            f"import importlib.metadata as m; print(m.version({distribution!r}))",
        ],
        capture_output=True,
    )
    found.check_returncode()
    return found.stdout.strip()


def sdist_tests(
    binary: Path, distribution: str, work: Path, given: Path | None
) -> Path:
    """Unpack the sdist of the installed version; return its tests' root.

    `given` is a source tree of that version already on disk (an unpacked
    sdist, or ``git archive vX.Y.Z tests pyproject.toml`` of the project's
    repository): pip cannot download an sdist whose metadata it must build,
    and scikit-image's takes a meson build.
    """
    version = installed_version(binary, distribution)
    target = work / f"{distribution}-{version}-sdist"
    if given is not None:
        root = given
    elif not target.exists():
        download = work / "downloads"
        run(
            [
                str(binary),
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "--no-binary",
                distribution,
                f"{distribution}=={version}",
                "-d",
                str(download),
            ]
        ).check_returncode()
        archive = next(download.glob(f"*{version}*.tar.gz"))
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
    if given is None:
        (root,) = target.iterdir()
    # Tests live either in a top-level tests/ tree or inside the package.
    package = distribution.replace("scikit-", "sk")
    for candidate in (root / "tests" / package, root / package):
        if candidate.is_dir():
            return candidate
    raise SystemExit(f"no tests found in the {distribution} sdist at {root}")


def parse_junit(path: Path, outcome: Outcome) -> None:
    if not path.exists():
        return
    tree = ElementTree.parse(path)
    for case in tree.iter("testcase"):
        where = case.get("file") or ""
        name = f"{where}::{case.get('classname')}::{case.get('name')}"
        tags = {child.tag for child in case}
        if "failure" in tags or "error" in tags:
            outcome.failed.add(name)
        elif "skipped" in tags:
            outcome.skipped.add(name)
        else:
            outcome.passed.add(name)
        for prop in case.iter("property"):
            if prop.get("name") == "safestride":
                record = json.loads(prop.get("value") or "{}")
                outcome.views.setdefault(name, []).extend(record["unsafe_views"])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def reused(library: Library, mode: str, work: Path) -> Outcome | None:
    """The outcome of an earlier run of this selection, if one was kept."""
    junit = work / f"{library.name}-{mode}.xml"
    timing = junit.with_suffix(".json")
    if not (junit.exists() and timing.exists()):
        return None
    kept = json.loads(timing.read_text())
    outcome = Outcome(mode, kept["seconds"], cpu=kept["cpu"])
    parse_junit(junit, outcome)
    print(f"  {library.name} {mode}: reusing {junit} ({outcome.tests} tests)")
    return outcome


def run_selection(
    binary: Path, library: Library, mode: str, work: Path, tests_root: Path | None
) -> Outcome:
    junit = work / f"{library.name}-{mode}.xml"
    junit.unlink(missing_ok=True)
    log = work / f"{library.name}-{mode}.log"
    command = [
        str(binary),
        *MODES[mode],
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "junit_family=xunit1",
        f"--junitxml={junit}",
        "--maxfail=1000000",  # scikit-image's config stops at 5 failures
        *library.options,
        *library.selection,
    ]
    # Run outside any checkout, so no conftest but the library's applies; an
    # sdist's tests run from their own root (their conftest and config).
    cwd = work
    if tests_root is not None:
        cwd = next(p for p in tests_root.parents if (p / "pyproject.toml").exists())
        command += ["--import-mode=importlib"]
        command = [
            str(tests_root / part) if part in library.selection else part
            for part in command
        ]
    environment = dict(os.environ)
    environment.pop("SAFESTRIDE_GUARD", None)
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    start = time.perf_counter()
    cpu_before = _children_cpu()
    with log.open("w") as output:
        finished = run(
            command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, env=environment
        )
    outcome = Outcome(
        mode,
        time.perf_counter() - start,
        cpu=_children_cpu() - cpu_before,
        returncode=finished.returncode,
    )
    parse_junit(junit, outcome)
    timing = {"seconds": outcome.seconds, "cpu": outcome.cpu}
    junit.with_suffix(".json").write_text(json.dumps(timing))
    print(
        f"  {library.name} {mode}: {outcome.tests} tests, {len(outcome.passed)} "
        f"passed, {outcome.seconds:.1f}s (exit {finished.returncode}; log {log})",
        flush=True,
    )
    return outcome


def site_of(view: dict[str, Any]) -> str:
    return f"{view['file']}:{view['line']} ({view.get('function', '?')})"


def summarise(library: Library, outcomes: dict[str, Outcome]) -> dict[str, Any]:
    plain = outcomes["plain"]
    row: dict[str, Any] = {
        "library": library.name,
        "tests": plain.tests,
        "passed plain": len(plain.passed),
    }
    for mode, outcome in outcomes.items():
        if mode == "plain":
            continue
        sites: Counter[str] = Counter()
        example: dict[str, dict[str, Any]] = {}
        for test, views in outcome.views.items():
            for view in views:
                site = site_of(view)
                sites[site] += 1
                example.setdefault(site, {"test": test, **view})
        row[f"passed {mode}"] = len(outcome.passed)
        row[f"broken by {mode}"] = sorted(plain.passed - outcome.passed)
        row[f"tests with unsafe views ({mode})"] = len(outcome.views)
        row[f"sites ({mode})"] = {
            site: {
                "tests": count,
                "test": example[site]["test"],
                "summary": example[site].get("summary", ""),
                "source": example[site].get("source", ""),
            }
            for site, count in sites.most_common()
        }
        row[f"ratio {mode}"] = outcome.cpu / plain.cpu if plain.cpu else 0
        row[f"broken without a report ({mode})"] = sorted(
            (plain.passed - outcome.passed) - set(outcome.views)
        )
    row["seconds"] = {mode: round(o.seconds, 1) for mode, o in outcomes.items()}
    row["cpu seconds"] = {mode: round(o.cpu, 1) for mode, o in outcomes.items()}
    return row


def librosa_probe(binary: Path) -> dict[str, Any]:
    probe = f"ROUNDS = {LIBROSA_ROUNDS}\n{LIBROSA_PROBE}"
    found = run([str(binary), "-c", probe], capture_output=True)
    if found.returncode:
        print(found.stderr[-3000:])
        return {"library": "librosa", "error": found.stderr[-500:]}
    (_, plain_s, plain_out), (_, guarded_s, guarded_out) = json.loads(
        found.stdout.splitlines()[-1]
    )
    sites: Counter[str] = Counter()
    example: dict[str, dict[str, Any]] = {}
    for name, _, views in guarded_out:
        for view in views:
            sites[site_of(view)] += 1
            example.setdefault(site_of(view), {"test": name, **view})
    return {
        "library": "librosa (direct calls)",
        "tests": len(plain_out),
        "passed plain": sum(o == "ok" for _, o, _ in plain_out),
        "passed plugin": sum(o == "ok" and not v for _, o, v in guarded_out),
        "tests with unsafe views (plugin)": sum(bool(v) for _, _, v in guarded_out),
        "sites (plugin)": {
            site: {
                "tests": n,
                "test": example[site]["test"],
                "summary": example[site].get("summary", ""),
                "source": example[site].get("source", ""),
            }
            for site, n in sites.most_common()
        },
        "ratio plugin": guarded_s / plain_s if plain_s else 0,
        "errors (plain)": [f"{n}: {o}" for n, o, _ in plain_out if o != "ok"],
        "seconds": {"plain": round(plain_s, 2), "plugin": round(guarded_s, 2)},
    }


def print_table(rows: list[dict[str, Any]], modes: list[str]) -> None:
    guarded = [m for m in modes if m != "plain"]
    header = ["library", "tests", "passed plain"]
    for mode in guarded:
        header += [f"passed {mode}", f"unsafe-view tests ({mode})", f"ratio {mode}"]
    print("\n| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        cells = [
            row["library"],
            str(row.get("tests", "-")),
            str(row.get("passed plain", "-")),
        ]
        for mode in guarded:
            cells += [
                str(row.get(f"passed {mode}", "-")),
                str(row.get(f"tests with unsafe views ({mode})", "-")),
                f"{row[f'ratio {mode}']:.2f}" if f"ratio {mode}" in row else "-",
            ]
        print("| " + " | ".join(cells) + " |")
    for row in rows:
        for mode in guarded:
            sites = row.get(f"sites ({mode})") or {}
            broken = row.get(f"broken by {mode}") or []
            if not sites and not broken:
                continue
            print(
                f"\n{row['library']} under {mode}: {len(broken)} tests pass plainly "
                f"and fail guarded; unsafe views by call site:"
            )
            for site, info in sites.items():
                print(f"  {site}: {info['tests']} reports, e.g. {info['test']}")
                print(f"      {info['source'].strip()[:100]}")
                print(f"      {info['summary'][:200]}")
            for test in row.get(f"broken without a report ({mode})", [])[:10]:
                print(f"  fails guarded with no unsafe view reported: {test}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("venv", type=Path, help="where to make the test venv")
    parser.add_argument("--checkout", type=Path, default=REPOSITORY)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--library", action="append", choices=sorted(LIBRARIES))
    parser.add_argument("--mode", action="append", choices=sorted(MODES))
    parser.add_argument("--json", type=Path, help="also write the rows here")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run the modes alternately this many times; the least time counts",
    )
    parser.add_argument(
        "--reuse",
        action="append",
        default=[],
        choices=sorted(MODES),
        help="take this mode's results from the last run instead of running it "
        "again (the plain runs, when only safestride changed)",
    )
    parser.add_argument(
        "--tests-from",
        type=Path,
        help="scikit-image's source tree of the installed version (its tests/)",
    )
    options = parser.parse_args()
    if REPOSITORY in options.venv.resolve().parents:
        parser.error("make the venv outside the repository")
    modes = options.mode or ["plain", "plugin"]
    if "plain" not in modes:
        modes.insert(0, "plain")
    work = options.venv.resolve().parent / f"{options.venv.name}-work"
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in options.library or [n for n in LIBRARIES if n != "numpy"]:
        library = LIBRARIES[name]
        try:
            binary = make_venv(options.venv, options.python, options.checkout, library)
        except subprocess.CalledProcessError as error:
            print(f"{name}: could not install ({error}); skipped")
            rows.append({"library": name, "error": "did not install"})
            continue
        if library.direct:
            rows.append(librosa_probe(binary))
            continue
        tests_root = None
        if library.from_sdist:
            tests_root = sdist_tests(
                binary, library.from_sdist, work, options.tests_from
            )
        outcomes: dict[str, Outcome] = {}
        for _ in range(options.repeat):  # modes alternate; the least time counts
            for mode in modes:
                earlier = reused(library, mode, work) if mode in options.reuse else None
                outcome = earlier or run_selection(
                    binary, library, mode, work, tests_root
                )
                if mode in outcomes:
                    outcome.seconds = min(outcome.seconds, outcomes[mode].seconds)
                    outcome.cpu = min(outcome.cpu, outcomes[mode].cpu)
                outcomes[mode] = outcome
        rows.append(summarise(library, outcomes))
        print_table(rows[-1:], modes)
    print_table(rows, modes)
    if options.json:
        options.json.write_text(json.dumps(rows, indent=1, default=sorted))
    shutil.rmtree(work / "downloads", ignore_errors=True)


if __name__ == "__main__":
    main()
