# SST004: writeable=False missing.
from numpy.lib.stride_tricks import as_strided


def missing(x):
    return as_strided(x, shape=(2,), strides=x.strides)  # expect: SST004


def given_false(x):
    return as_strided(x, shape=(2,), strides=x.strides, writeable=False)


def given_positionally(x):
    return as_strided(x, (2,), x.strides, False, False)


def passed_through(x, writeable):
    return as_strided(x, shape=(2,), strides=x.strides, writeable=writeable)
