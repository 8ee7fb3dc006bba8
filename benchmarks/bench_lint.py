"""safestride lint against ruff and flake8 on the installed numpy and scipy trees.

Each tool runs as a command on the same trees, alternately, several times;
the script prints the best wall time of each, files/s and lines/s, and the
ratio of each tool's time to safestride's (above 1.0: safestride is faster).
ruff runs with --no-cache so it does the work every time.

    python benchmarks/bench_lint.py [--repeat 3] [--no-flake8]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path


def trees() -> list[str]:
    import numpy
    import scipy

    return [os.path.dirname(numpy.__file__), os.path.dirname(scipy.__file__)]


def count(paths: list[str]) -> tuple[int, int]:
    files = lines = 0
    for root in paths:
        for path in Path(root).rglob("*.py"):
            files += 1
            with path.open("rb") as handle:
                lines += sum(1 for _ in handle)
    return files, lines


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-flake8", action="store_true")
    options = parser.parse_args()
    paths = trees()
    files, lines = count(paths)
    commands = {
        "safestride lint": [
            sys.executable,
            "-m",
            "safestride.cli",
            "lint",
            "--exit-zero",
            "--no-respect-gitignore",
            *paths,
        ],
    }
    # ruff next to this Python first: a pyenv shim on PATH adds its own start-up
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which(
        "ruff"
    )
    if ruff:
        commands["ruff --select NPY"] = [
            ruff,
            "check",
            "--select",
            "NPY",
            "--no-cache",
            "--exit-zero",
            "--quiet",
            *paths,
        ]
    if not options.no_flake8:
        commands["flake8 --select SST -j2"] = [
            sys.executable,
            "-m",
            "flake8",
            "--select",
            "SST",
            "-j",
            "2",
            "--exit-zero",
            *paths,
        ]
    best = {name: float("inf") for name in commands}
    for _ in range(options.repeat):
        for name, command in commands.items():
            best[name] = min(best[name], timed(command))
    print(f"trees: numpy + scipy, {files} files, {lines} lines")
    if ruff:
        version = subprocess.run([ruff, "--version"], capture_output=True, text=True)
        print(f"ruff: {ruff} ({version.stdout.strip()})")
    ours = best["safestride lint"]
    print(f"{'tool':26} {'seconds':>8} {'files/s':>9} {'lines/s':>10} {'x ours':>7}")
    for name, seconds in best.items():
        print(
            f"{name:26} {seconds:8.2f} {files / seconds:9.0f} {lines / seconds:10.0f}"
            f" {seconds / ours:7.2f}"
        )


if __name__ == "__main__":
    main()
