"""Re-create the lint corpus: real third-party files that call ``as_strided``.

The corpus itself is never committed (it is other people's code); this script
and ``origins.tsv`` (project, source, path, commit, license, kind) are. It
writes every listed file to ``DEST/<project>/<path>``, where ``<project>`` is
the project column with ``/`` replaced by ``__``.

Two kinds of source:

* ``pypi:NAME==VERSION``: the distribution is downloaded with pip
  (``pip download --no-deps``) into a cache directory and the file is read
  from the wheel or the sdist. This needs only PyPI.
* ``https://github.com/OWNER/NAME``: the file is read at the listed commit from
  a LOCAL snapshot of that repository; nothing is fetched from GitHub (CI and
  most machines here cannot reach it). ``--snapshots DIR`` names a directory
  holding, for each repository, either ``OWNER+NAME/repo`` (a git directory or
  a clone, as this project's snapshot tool makes them) or ``OWNER/NAME`` (a
  clone, or a plain copy of the files at that commit). Without ``--snapshots``,
  or when a repository is missing there, its files are reported as missing and
  the rest of the corpus is still written.

Jupyter notebooks (``.ipynb``) are written as ``<path>.py``: their code cells in
order (each dedented, as IPython runs them), with IPython magics and shell
escapes (``%``, ``!``) commented out.

    python benchmarks/lint_corpus/gather.py DEST --snapshots DIR [--cache DIR]

Exit status: 0 when every listed file was written, 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

ORIGINS = Path(__file__).with_name("origins.tsv")


@dataclass(frozen=True)
class Origin:
    """One row of origins.tsv: where one corpus file comes from."""

    project: str
    source: str
    path: str
    commit: str
    license: str
    kind: str

    @property
    def corpus_path(self) -> str:
        """Where the file lands under the corpus directory."""
        name = self.path + (".py" if self.path.endswith(".ipynb") else "")
        return f"{self.project.replace('/', '__')}/{name}"


def read_origins(path: Path = ORIGINS) -> list[Origin]:
    """The rows of origins.tsv, in file order."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [Origin(**row) for row in csv.DictReader(handle, delimiter="\t")]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _find_archive(prefix: str, cache: Path) -> Path | None:
    for candidate in sorted(cache.iterdir()):
        name, _, rest = candidate.name.partition("-")
        joined = f"{_normalise(name)}-{rest}"
        if joined.startswith((f"{prefix}-", f"{prefix}.tar", f"{prefix}.zip")):
            return candidate
    return None


def _pypi_archive(requirement: str, cache: Path) -> Path:
    name, version = requirement.split("==")
    prefix = f"{_normalise(name)}-{version}"
    found = _find_archive(prefix, cache)
    if found is None:
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "-q"]
        subprocess.run(
            [*pip, "-d", str(cache), requirement],
            check=True,
        )
        found = _find_archive(prefix, cache)
    if found is None:
        raise FileNotFoundError(f"pip downloaded nothing for {requirement}")
    return found


def _member(archive: Path, path: str) -> bytes:
    """`path` inside a wheel (as is) or an sdist (under its top directory)."""
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as wheel:
            for info in wheel.infolist():
                if info.filename == path or info.filename.split("/", 1)[-1] == path:
                    return wheel.read(info)
    else:
        with tarfile.open(archive) as sdist:
            for info in sdist.getmembers():
                if info.name.split("/", 1)[-1] == path:
                    extracted = sdist.extractfile(info)
                    if extracted is not None:
                        return extracted.read()
    raise FileNotFoundError(f"{path} is not in {archive.name}")


def _git_dir(root: Path) -> Path | None:
    for candidate in (root / ".git", root):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def _github_file(origin: Origin, snapshots: Path) -> bytes:
    owner, name = origin.source.rstrip("/").split("/")[-2:]
    for root in (snapshots / f"{owner}+{name}" / "repo", snapshots / owner / name):
        git_dir = _git_dir(root)
        if git_dir is not None:
            revision = origin.commit or "HEAD"
            shown = subprocess.run(
                ["git", "--git-dir", str(git_dir), "show", f"{revision}:{origin.path}"],
                capture_output=True,
                check=False,
            )
            if shown.returncode == 0:
                return shown.stdout
        elif (root / origin.path).is_file():
            return (root / origin.path).read_bytes()
    raise FileNotFoundError(f"no snapshot of {owner}/{name} holds {origin.path}")


def notebook_to_python(raw: bytes) -> bytes:
    """The code cells of a notebook as one Python file, magics commented out."""
    cells = json.loads(raw.decode("utf-8")).get("cells", [])
    chunks = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        text = textwrap.dedent(text)  # IPython runs an indented cell as is
        lines = [
            f"# {line}" if line.lstrip().startswith(("%", "!")) else line
            for line in text.splitlines()
        ]
        chunks.append("\n".join(lines))
    return ("\n\n\n".join(chunks) + "\n").encode("utf-8")


def fetch(origin: Origin, cache: Path, snapshots: Path | None) -> bytes:
    """The bytes of one corpus file, as it will be written."""
    if origin.source.startswith("pypi:"):
        raw = _member(_pypi_archive(origin.source[5:], cache), origin.path)
    elif snapshots is None:
        raise FileNotFoundError("no --snapshots directory given for GitHub files")
    else:
        raw = _github_file(origin, snapshots)
    return notebook_to_python(raw) if origin.path.endswith(".ipynb") else raw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, help="directory to write the corpus into")
    parser.add_argument(
        "--snapshots", type=Path, help="local snapshots of the GitHub repositories"
    )
    parser.add_argument(
        "--cache", type=Path, help="where pip downloads go (default: DEST/.pypi)"
    )
    options = parser.parse_args(argv)
    cache = options.cache or options.dest / ".pypi"
    cache.mkdir(parents=True, exist_ok=True)
    written, missing = 0, []
    for origin in read_origins():
        try:
            data = fetch(origin, cache, options.snapshots)
        except (FileNotFoundError, subprocess.CalledProcessError) as error:
            missing.append(f"{origin.project}: {origin.path}: {error}")
            continue
        target = options.dest / origin.corpus_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    projects = {o.project for o in read_origins()}
    print(f"wrote {written} files from {len(projects)} projects into {options.dest}")
    for line in missing:
        print(f"missing: {line}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
