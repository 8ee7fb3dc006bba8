# SST005: in-place writes into a view made without writeable=False.
import numpy as np
from numpy.lib.stride_tricks import as_strided


def writes(x):
    v = as_strided(x, shape=(4, 3), strides=(x.strides[0],) * 2)
    v[0] = 1  # expect: SST005
    v += 1  # expect: SST005
    v[1:] *= 2  # expect: SST005
    np.add(x[:4, None], 1, out=v)  # expect: SST005
    np.copyto(v, 0)  # expect: SST005
    v.fill(3)  # expect: SST005
    return v


def read_only_views_are_not_writes(x):
    v = as_strided(x, shape=(4, 3), strides=(x.strides[0],) * 2, writeable=False)
    total = v + 1
    return total


def rebinding_ends_it(x):
    v = as_strided(x, shape=(4, 3), strides=(x.strides[0],) * 2)
    v = v.copy()
    v[0] = 1
    return v


def other_functions_are_other_scopes(x):
    v = np.zeros(3)
    v[0] = 1
    return v


def a_view_in_one_branch_is_not_one_in_the_other(x, mode):
    response = np.zeros((4, 4))
    if mode == "strided":
        response = as_strided(response, strides=(8, 32))
        response[0] = 1  # expect: SST005
    elif mode == "plain":
        response[0] = 2
    response[1] = 3  # expect: SST005
    return response
