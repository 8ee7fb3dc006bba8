# SST008: numpy's as_strided where safestride's drop-in would do.
import numpy as np
from numpy.lib.stride_tricks import as_strided  # expect: SST008
from numpy.lib.stride_tricks import as_strided as ast_view, sliding_window_view  # expect: SST008
from numpy.lib._stride_tricks_impl import as_strided as impl  # expect: SST008
from numpy.lib.stride_tricks import sliding_window_view as windows

from safestride import as_strided as checked


def attribute_calls(x):
    return np.lib.stride_tricks.as_strided(x, writeable=False)  # expect: SST008


def safestride_is_fine(x):
    return checked(x, writeable=False)
