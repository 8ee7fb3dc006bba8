# SST003: hard-coded numeric strides.
from numpy.lib.stride_tricks import as_strided


def literal(x):
    return as_strided(x, shape=(4, 3), strides=(8, 8))  # expect: SST003


def literal_through_a_name(x):
    steps = (32, 8)
    return as_strided(x, shape=(4, 3), strides=steps)  # expect: SST003


def arithmetic_on_literals(x):
    return as_strided(x, (3,), (4 * 2,))  # expect: SST003


def zero_is_a_broadcast_not_a_literal(x):
    return as_strided(x, (3, 2), (0, x.strides[0]))


def from_the_array_is_fine(x):
    return as_strided(x, (3,), (x.strides[0] * 2,))
