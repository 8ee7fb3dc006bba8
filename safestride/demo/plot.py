"""``safestride demo --plot FILE.png``: loss and accuracy curves, learned filters.

Needs matplotlib (``pip install 'safestride[plot]'``). `check_plot_target`
says, before any training, whether `plot` will be able to write the file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from safestride.demo.model import History, Model

__all__ = ["check_plot_target", "plot"]

_INSTALL_MATPLOTLIB = "pip install 'safestride[plot]'"


def _file_types() -> list[str]:
    """The file name extensions matplotlib can save to (ImportError without it)."""
    from matplotlib.backend_bases import FigureCanvasBase

    return sorted(FigureCanvasBase.get_supported_filetypes())


def check_plot_target(path: str) -> None:
    """Raise ValueError, in one line, unless `plot` can write `path`.

    Checks, without drawing anything: matplotlib imports, the file type is
    one matplotlib writes, the folder exists and a file can be created in it.
    A command calls it before the work whose result it would draw.

    Parameters
    ----------
    path : str
        Where the plot will go, such as ``curves.png``.

    Raises
    ------
    ValueError
        Saying what is wrong and what to do.

    Examples
    --------
    >>> check_plot_target("no-such-folder/curves.png")
    Traceback (most recent call last):
    ...
    ValueError: --plot no-such-folder/curves.png: the folder no-such-folder does not...
    """
    try:
        types = _file_types()
    except ImportError:
        raise ValueError(f"--plot needs matplotlib: {_INSTALL_MATPLOTLIB}") from None
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ValueError(
            f"--plot {path}: the folder {folder} {what}; create it or choose "
            f"another path"
        )
    if target.is_dir():
        raise ValueError(
            f"--plot {path} is a folder: give a file name such as curves.png"
        )
    suffix = target.suffix.lstrip(".").lower()
    if suffix not in types:
        raise ValueError(
            f"--plot {path}: matplotlib cannot write "
            f"{'.' + suffix + ' files' if suffix else 'a file without a type'}; "
            f"end the name with one of .{', .'.join(types)}"
        )
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ValueError(
            f"--plot {path}: cannot write in the folder {folder} ({reason}); "
            f"choose a folder you can write to"
        ) from None
    if target.exists() and not os.access(target, os.W_OK):
        raise ValueError(f"--plot {path}: the file exists and cannot be overwritten")


def plot(path: str, buggy: History, fixed: History, model: Model) -> None:
    """Draw the buggy and fixed runs side by side, and the fixed run's filters.

    Parameters
    ----------
    path : str
        The file to write; its extension picks the format (``.png``, ``.svg``...).
    buggy, fixed : History
        The two training runs to compare.
    model : Model
        The fixed run's model: its filters are drawn.

    Raises
    ------
    ImportError
        Without matplotlib.

    Notes
    -----
    It draws on its own figure, not through ``pyplot``: the current
    matplotlib backend and figures stay as they were.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from safestride.demo import History, Model
    >>> model = Model.create(side=12, classes=10, seed=0)
    >>> run = History(loss=[2.0, 1.0], test_accuracy=[0.5, 0.8])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = pathlib.Path(folder, "curves.png")
    ...     plot(str(target), run, run, model)
    ...     target.read_bytes()[:4]
    b'\\x89PNG'
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as missing:
        raise ImportError(f"plot needs matplotlib: {_INSTALL_MATPLOTLIB}") from missing
    figure = Figure(figsize=(11, 6), layout="constrained")
    grid = figure.add_gridspec(2, 8)
    loss = figure.add_subplot(grid[0, :4])
    accuracy = figure.add_subplot(grid[0, 4:])
    epochs = range(1, len(fixed.loss) + 1)
    for history, label, color in (
        (buggy, "buggy (stale strides)", "tab:red"),
        (fixed, "fixed (safestride)", "tab:green"),
    ):
        loss.plot(epochs, history.loss, color=color, label=label)
        accuracy.plot(epochs, history.test_accuracy, color=color, label=label)
    loss.set(title="training loss", xlabel="epoch", xticks=list(epochs))
    accuracy.set(
        title="test accuracy", xlabel="epoch", ylim=(0, 1), xticks=list(epochs)
    )
    accuracy.legend(loc="lower right")
    for index in range(model.conv_w.shape[0]):
        axis = figure.add_subplot(grid[1, index])
        axis.imshow(model.conv_w[index, 0], cmap="gray")
        axis.set_title(f"filter {index}", fontsize=8)
        axis.axis("off")
    figure.suptitle("safestride demo: the 1e300 bug, caught and fixed")
    figure.savefig(path, dpi=100)
