# SST002: strides computed from shape and itemsize (a C-contiguous assumption).
from numpy.lib.stride_tricks import as_strided


def windows(x, k):
    n = x.shape[0]
    return as_strided(x, shape=(n - k + 1, k), strides=(x.itemsize, x.itemsize))  # expect: SST002


def rows(x):
    return as_strided(x, shape=x.shape, strides=(x.shape[1] * x.itemsize, x.itemsize))  # expect: SST002


def through_a_local(x):
    item = x.dtype.itemsize
    return as_strided(x, strides=(4 * item, item))  # expect: SST002


def from_strides_is_fine(x):
    return as_strided(x, strides=(x.strides[0] * 2, x.strides[0]))


def mixed_is_fine(x):
    return as_strided(x, strides=(x.strides[0], x.itemsize))
