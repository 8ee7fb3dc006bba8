"""Retake the screenshots of docs/notebooks.rst from a real kernel and browser.

Runs examples/notebook/bias_1e300.ipynb in a Jupyter kernel of this
interpreter, renders the cells shown in the docs to HTML with nbconvert, and
photographs each in headless Chromium, cropped to the cell::

    pip install -e ".[dev]" nbconvert      # nbconvert is needed here only
    apt-get install chromium                # Debian's package: /usr/bin/chromium
    python tools/notebook_screenshots.py    # writes docs/_static/notebook_*.png

Run it again whenever the error display or the messages change.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: The notebook's cell shown in each picture.
SHOTS = {"guarded": "notebook_error.png", "report": "notebook_report.png"}
WIDTH = 980
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--force-device-scale-factor=1",
)


def executed_notebook(folder: Path) -> object:
    """The example notebook with the outputs of a fresh kernel."""
    import nbformat

    from tests.notebook.kernel import execute

    book = nbformat.read(ROOT / "examples/notebook/bias_1e300.ipynb", as_version=4)
    return execute(book, folder, cwd=ROOT / "examples/notebook")


def cell_page(book: object, cell_id: str) -> str:
    """An HTML page of one cell of `book`, as JupyterLab shows it."""
    from nbconvert import HTMLExporter

    alone = copy.deepcopy(book)
    alone.cells = [cell for cell in alone.cells if cell.id == cell_id]  # type: ignore[attr-defined]
    if not alone.cells:  # type: ignore[attr-defined]
        raise SystemExit(f"the example notebook has no cell with id {cell_id!r}")
    for cell in alone.cells:  # type: ignore[attr-defined]
        # The plain traceback below the picture says the same in text.
        cell.outputs = [out for out in cell.outputs if out.output_type != "error"]
    page, _ = HTMLExporter(template_name="lab").from_notebook_node(alone)
    return page


def photograph(page: Path, picture: Path, browser: str, profile: Path) -> None:
    """Chromium's picture of `page`, cropped to what is not background."""
    from PIL import Image, ImageChops

    subprocess.run(
        [
            browser,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={WIDTH},2000",
            f"--screenshot={picture}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
    )
    image = Image.open(picture).convert("RGB")
    corner = image.getpixel((image.width - 1, image.height - 1))
    background = Image.new("RGB", image.size, corner)
    box = ImageChops.difference(image, background).getbbox()
    if box is None:
        raise SystemExit(f"{picture}: Chromium drew an empty page")
    _, top, _, bottom = box
    cropped = image.crop((0, max(top - 8, 0), WIDTH, min(bottom + 8, image.height)))
    cropped.quantize(colors=64).save(picture, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--out", type=Path, default=ROOT / "docs/_static")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        book = executed_notebook(folder)
        for cell_id, name in SHOTS.items():
            page = folder / f"{cell_id}.html"
            page.write_text(cell_page(book, cell_id), encoding="utf-8")
            photograph(page, options.out / name, options.browser, folder / "profile")
            print(f"wrote {options.out / name}")


if __name__ == "__main__":
    main()
