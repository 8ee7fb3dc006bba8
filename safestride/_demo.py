"""The 1e300 story, told by running it: ``safestride demo``."""

from __future__ import annotations

from typing import TextIO

import numpy as np
from numpy.lib.stride_tricks import as_strided as numpy_as_strided

from safestride.errors import OutOfBoundsError
from safestride.stride_tricks import as_strided

BATCH, CHANNELS, SIDE = 4, 3, 4


def _parameters() -> tuple[np.ndarray, np.ndarray]:
    """A parameter arena: a 3-value bias followed by uninitialised-looking memory."""
    arena = np.full(256, 1e300)
    bias = arena[:CHANNELS]
    bias[:] = (0.1, 0.2, 0.3)
    return arena, bias


def run(out: TextIO) -> int:
    """Tell the story on `out`; return the exit code (0 when safestride caught it)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, CHANNELS, SIDE, SIDE))
    _, bias = _parameters()
    stale = x.strides[1]  # the bug: a stride left over from x, not from bias
    shape = x.shape

    def say(text: str = "") -> None:
        print(text, file=out)

    say("1. The bug, with numpy's as_strided")
    say(f"   bias = {bias}, broadcast to {shape} with strides (0, {stale}, 0, 0)")
    broadcast = numpy_as_strided(bias, shape=shape, strides=(0, stale, 0, 0))
    activations = x + broadcast
    say(f"   largest activation: {np.abs(activations).max():.3g}   (should be ~3)")
    say(f"   bias values actually read: {np.unique(broadcast)}")
    say("   nothing crashed; training would just go a little worse.")
    say()
    say("2. The same line with safestride's as_strided")
    try:
        as_strided(bias, shape=shape, strides=(0, stale, 0, 0))
    except OutOfBoundsError as error:
        say("   OutOfBoundsError:")
        for line in str(error).splitlines():
            say(f"   | {line}")
    else:  # pragma: no cover - would mean the check is broken
        say("   safestride did NOT catch it")
        return 1
    say()
    say("3. The fix: strides from the array being viewed")
    fixed = as_strided(
        bias, shape=shape, strides=(0, bias.strides[0], 0, 0), writeable=False
    )
    activations = x + fixed
    say(
        f"   strides (0, {bias.strides[0]}, 0, 0); largest activation: "
        f"{np.abs(activations).max():.3g}"
    )
    say(
        f"   same as np.broadcast_to: "
        f"{np.array_equal(fixed, np.broadcast_to(bias[:, None, None], shape))}"
    )
    return 0
