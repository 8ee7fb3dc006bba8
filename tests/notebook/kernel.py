"""Running a notebook in a real Jupyter kernel, started by the test.

The kernel runs this interpreter (a kernel spec of our own points at
``sys.executable``), so it imports the safestride under test, with the
environment a child process gets (tests.helpers.child_environment).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import child_environment

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")
pytest.importorskip("IPython")

from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402

KERNEL = "safestride-test"


def notebook(*cells: str) -> Any:
    """A notebook of code cells with these sources."""
    return nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source) for source in cells]
    )


def kernel_manager(folder: Path) -> KernelManager:
    """A kernel manager whose one kernel spec is this interpreter."""
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    sys.executable,
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "safestride under test",
                "language": "python",
            }
        )
    )
    specs = KernelSpecManager(kernel_dirs=[str(folder / "kernels")])
    return KernelManager(
        kernel_name=KERNEL,
        kernel_spec_manager=specs,
        transport="ipc",  # local sockets: no TCP port, no plain-text warning
        ip=str(folder / "kernel-ipc"),
    )


def execute(book: Any, folder: Path, cwd: Path | None = None) -> Any:
    """Run every cell of `book` in a new kernel (working directory `cwd`),
    errors included; return the notebook with its outputs."""
    client = nbclient.NotebookClient(
        book,
        km=kernel_manager(folder),
        timeout=120,
        allow_errors=True,
        resources={"metadata": {"path": str(cwd or folder)}},
    )
    client.execute(env=child_environment())
    return book


def outputs(cell: Any, kind: str) -> list[Any]:
    """The cell's outputs of one type: "stream", "error", "display_data"..."""
    return [output for output in cell.outputs if output.output_type == kind]


def text(cell: Any) -> str:
    """Everything the cell printed, to stdout and stderr."""
    return "".join(output.text for output in outputs(cell, "stream"))
