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

from safestride import _demo_data, _demo_model
from safestride.errors import OutOfBoundsError
from safestride.guard import guarded


@dataclass(frozen=True)
class DemoOptions:
    """What the demo trains on and for how long."""

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


def run(out: TextIO, options: DemoOptions | None = None) -> int:
    """Tell the story on `out`; return the exit code (0 when all went as told)."""
    options = options or DemoOptions()
    train, test, epochs = options.sizes
    data = _demo_data.load(options.dataset, train, test, options.seed)
    print(
        f"safestride demo: {data.name}, {train} training and {test} test images of "
        f"{data.train_x.shape[-2]}x{data.train_x.shape[-1]} pixels, {data.classes} "
        f"classes, {epochs} epochs, seed {options.seed}\n",
        file=out,
    )
    _story(out)

    print("1. The buggy network (numpy's as_strided, stale channel stride)", file=out)
    _, buggy = _demo_model.train(
        data, _demo_model.stale_strides_bias, epochs, options.seed, "buggy", out
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
            _demo_model.train(
                data,
                _demo_model.stale_strides_bias,
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
    model, fixed = _demo_model.train(
        data, _demo_model.checked_bias, epochs, options.seed, "fixed", out
    )
    print(
        f"   test accuracy {fixed.test_accuracy[-1]:.1%}, final loss "
        f"{fixed.loss[-1]:.3f}\n",
        file=out,
    )
    _table(out, buggy, fixed, caught)
    if options.plot:
        from safestride._demo_plot import plot

        plot(options.plot, buggy, fixed, model)
        print(f"\nplot written to {options.plot}", file=out)
    better = fixed.test_accuracy[-1] > buggy.test_accuracy[-1]
    return 0 if caught and better else 1


def _table(
    out: TextIO,
    buggy: _demo_model.History,
    fixed: _demo_model.History,
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
