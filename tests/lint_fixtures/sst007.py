# SST007: a window view that sliding_window_view does safely.
from numpy.lib.stride_tricks import as_strided


def repeated_strides(x, k):
    return as_strided(x, shape=(x.shape[0] - k + 1, k), strides=x.strides * 2)  # expect: SST007


def added_strides(x, k):
    return as_strided(x, shape=(3, k), strides=x.strides + x.strides)  # expect: SST007


def the_same_stride_twice(x, k):
    s = x.strides[0]
    return as_strided(x, shape=(4, k), strides=(s, s))  # expect: SST007


def counted_windows(x, k, step):
    return as_strided(x, shape=(len(x) - k + 1, k), strides=(step, x.strides[0]))  # expect: SST007


def a_plain_reshape(x):
    return as_strided(x, shape=(2, 3), strides=(3 * x.strides[0], x.strides[0]))
