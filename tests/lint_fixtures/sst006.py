# SST006: a zero-stride broadcast that np.broadcast_to does safely.
from numpy.lib.stride_tricks import as_strided


def repeat_rows(b, n):
    return as_strided(b, shape=(n, b.size), strides=(0, b.strides[0]))  # expect: SST006


def concatenated(b, n):
    return as_strided(b, shape=(n,) + b.shape, strides=(0,) + b.strides)  # expect: SST006


def no_zero(b):
    return as_strided(b, shape=b.shape, strides=b.strides)
