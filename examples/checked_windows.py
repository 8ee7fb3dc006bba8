"""The drop-in: safestride's as_strided where numpy's was.

Run: python examples/checked_windows.py
"""

import numpy as np

from safestride import OutOfBoundsError, as_strided

signal = np.arange(10.0)
width = 4

# Frames of `width` samples, one per start position: n - width + 1 of them.
frames = as_strided(  # noqa: SST007  this example shows as_strided itself
    signal,
    shape=(signal.size - width + 1, width),
    strides=(signal.strides[0], signal.strides[0]),
    writeable=False,
)
print("frames:\n", frames)

# The classic off-by-one: one frame too many reads past the end of `signal`.
try:
    as_strided(signal, shape=(signal.size - width + 2, width), strides=frames.strides)  # noqa: SST001,SST004  refused on purpose
except OutOfBoundsError as error:
    print("\nrefused:", str(error).splitlines()[0])
    print("likely cause:", error.causes[0].split(" With")[0])
