"""``safestride demo``: the 1e300 story, end to end.

1. A small numpy CNN whose bias broadcast uses numpy's raw ``as_strided`` with
   a stride left over from the activations trains, a little worse, silently.
2. The same training under the safestride guard stops at the first step,
   at the bad line, naming the cause.
3. The fixed network, built on ``safestride.conv2d`` and ``add_bias``,
   trains as it should have.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TextIO

import numpy as np
from numpy.lib.stride_tricks import as_strided as numpy_as_strided

from safestride.demo import data as _data, model as _model
from safestride.demo.plot import check_plot_target, plot
from safestride.errors import OutOfBoundsError
from safestride.guard import guarded

__all__ = ["DemoOptions", "check_options", "run"]


@dataclass(frozen=True)
class DemoOptions:
    """What the demo trains on and for how long, and where its plot goes.

    Attributes
    ----------
    quick : bool
        A short run (seconds): fewer images and epochs.
    dataset : {"glyphs", "digits"}
        The embedded glyphs, or scikit-learn's digits.
    seed : int
        The seed of the data and of the training.
    plot : str or None
        A file to draw the curves and filters in (needs matplotlib).

    Examples
    --------
    >>> DemoOptions(quick=True).sizes
    (1000, 400, 5)
    """

    quick: bool = False
    dataset: str = "glyphs"
    seed: int = 0
    plot: str | None = None

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(training images, test images, epochs)."""
        return (1000, 400, 5) if self.quick else (3000, 1000, 8)


def _story(say: TextIO) -> None:
    arena = np.full(64, 1e300)
    bias = arena[:3]
    bias[:] = (0.1, 0.2, 0.3)
    batch = np.zeros((2, 3, 4, 4))
    garbage = numpy_as_strided(
        bias, shape=batch.shape, strides=(0, batch.strides[1], 0, 0)
    )
    print(
        "0. The story in one line: a 3-value bias broadcast with the activations'\n"
        f"   channel stride reads {np.unique(garbage).tolist()}: whatever lies past "
        f"it.\n",
        file=say,
    )


def _indent(text: str) -> str:
    return textwrap.indent(text, "   | ", lambda _: True)


def check_options(options: DemoOptions) -> None:
    """Raise ValueError, in one line, for options the demo cannot carry out.

    Everything that can fail for a reason outside the demo is checked here,
    before any training: the dataset's package, and matplotlib and the folder
    for the plot.

    Examples
    --------
    >>> check_options(DemoOptions(dataset="mnist"))
    Traceback (most recent call last):
    ...
    ValueError: unknown dataset 'mnist': choose glyphs or digits
    """
    _data.check_dataset(options.dataset)
    if options.plot:
        check_plot_target(options.plot)


def run(out: TextIO, options: DemoOptions | None = None) -> int:
    """Tell the story on `out`; return the exit code (0 when all went as told).

    Parameters
    ----------
    out : text stream
        Where the story goes (a progress bar too, when it is a terminal).
    options : DemoOptions, optional
        The full run on the embedded glyphs when omitted.

    Returns
    -------
    int
        0 when the guard stopped the buggy network and the fixed one did
        better than the buggy one; 1 otherwise.

    Raises
    ------
    ValueError
        From `check_options`, before any training.

    Examples
    --------
    >>> import io
    >>> story = io.StringIO()
    >>> run(story, DemoOptions(quick=True))
    0
    >>> print(story.getvalue().splitlines()[0])
    safestride demo: glyphs, 1000 training and 400 test images of 12x12 pixels, ...
    """
    options = options or DemoOptions()
    check_options(options)
    train, test, epochs = options.sizes
    data = _data.load(options.dataset, train, test, options.seed)
    print(
        f"safestride demo: {data.name}, {train} training and {test} test images of "
        f"{data.train_x.shape[-2]}x{data.train_x.shape[-1]} pixels, {data.classes} "
        f"classes, {epochs} epochs, seed {options.seed}\n",
        file=out,
    )
    _story(out)

    print("1. The buggy network (numpy's as_strided, stale channel stride)", file=out)
    _, buggy = _model.train(
        data, _model.stale_strides_bias, epochs, options.seed, "buggy", out
    )
    print(
        f"   trained without a murmur: test accuracy {buggy.test_accuracy[-1]:.1%}, "
        f"final loss {buggy.loss[-1]:.3f}",
        file=out,
    )
    assert buggy.bias_read is not None
    print(
        f"   the bias values the broadcast actually read, channel by channel:\n"
        f"   {np.array2string(buggy.bias_read, precision=3, max_line_width=76)}\n"
        f"   only channel 0 is the bias; the rest is the workspace next to it.\n",
        file=out,
    )

    print("2. The same training under the safestride guard", file=out)
    caught = False
    try:
        with guarded(policy="raise"):
            _model.train(
                data,
                _model.stale_strides_bias,
                epochs,
                options.seed,
                "guarded",
                out,
            )
    except OutOfBoundsError as error:
        caught = True
        print("   stopped at the first step with OutOfBoundsError:", file=out)
        print(_indent(str(error)), file=out)
    if not caught:  # pragma: no cover - would mean the guard is broken
        print("   the guard did NOT stop it", file=out)
    print(file=out)

    print("3. The fixed network (safestride.conv2d + add_bias)", file=out)
    model, fixed = _model.train(
        data, _model.checked_bias, epochs, options.seed, "fixed", out
    )
    print(
        f"   test accuracy {fixed.test_accuracy[-1]:.1%}, final loss "
        f"{fixed.loss[-1]:.3f}\n",
        file=out,
    )
    _table(out, buggy, fixed, caught)
    if options.plot:
        plot(options.plot, buggy, fixed, model)
        print(f"\nplot written to {options.plot}", file=out)
    better = fixed.test_accuracy[-1] > buggy.test_accuracy[-1]
    return 0 if caught and better else 1


def _table(
    out: TextIO,
    buggy: _model.History,
    fixed: _model.History,
    caught: bool,
) -> None:
    rows = [
        ("run", "test accuracy", "final loss", "what happened"),
        (
            "buggy",
            f"{buggy.test_accuracy[-1]:.1%}",
            f"{buggy.loss[-1]:.3f}",
            "read the workspace as bias",
        ),
        ("guarded", "-", "-", "stopped at step 1" if caught else "NOT stopped"),
        (
            "fixed",
            f"{fixed.test_accuracy[-1]:.1%}",
            f"{fixed.loss[-1]:.3f}",
            "as it should",
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for number, row in enumerate(rows):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip(), file=out)
        if number == 0:
            print("  ".join("-" * width for width in widths), file=out)
