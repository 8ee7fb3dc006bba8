# SST001: strides taken from another array than the one being viewed.
import numpy
import numpy as np
import numpy.lib.stride_tricks as st
from numpy.lib import stride_tricks
from numpy.lib.stride_tricks import as_strided
from numpy.lib.stride_tricks import as_strided as view_of

import safestride
from safestride import as_strided as checked


def bias_broadcast(b, x):
    bad = as_strided(b, shape=x.shape, strides=(0, x.strides[1], 0, 0))  # expect: SST001
    good = as_strided(b, shape=x.shape, strides=(0, b.strides[0], 0, 0))
    return bad, good


def through_locals(b, x):
    channel = x.strides[1]
    strides = (0, channel, 0, 0)
    return as_strided(b, shape=x.shape, strides=strides)  # expect: SST001


def through_unpacking(b, x):
    _, step = x.strides
    return view_of(b, (3, 3), (step, 8))  # expect: SST001


def itemsize_of_another(b, x):
    return as_strided(b, (4,), (x.itemsize,))  # expect: SST001


def dtype_itemsize_of_another(b, x):
    return as_strided(b, (4,), (x.dtype.itemsize,))  # expect: SST001


def every_route(b, x):
    np.lib.stride_tricks.as_strided(b, strides=x.strides)  # expect: SST001
    numpy.lib.stride_tricks.as_strided(b, strides=x.strides)  # expect: SST001
    st.as_strided(b, strides=x.strides)  # expect: SST001
    stride_tricks.as_strided(b, strides=x.strides)  # expect: SST001
    safestride.as_strided(b, strides=x.strides)  # expect: SST001
    checked(b, strides=x.strides)  # expect: SST001


def aliases_are_the_same_array(x):
    y = np.asarray(x)
    z = x[1:]
    w = x.view(np.int64)
    as_strided(y, strides=x.strides)
    as_strided(z, strides=x.strides)
    as_strided(w, strides=x.strides)
    as_strided(x[::2], strides=x.strides)


def strides_of_self_in_a_comprehension(x):
    return as_strided(x, shape=(2, 2), strides=tuple(s * 2 for s in x.strides))


def a_stale_variable_from_an_earlier_array(b, images):
    stride = images.strides[1]
    for _ in range(3):
        b = b + 1
    return as_strided(b, shape=(4, 3), strides=(0, stride))  # expect: SST001


def rebinding_the_same_name_is_not_another_array(arr):
    new_strides = arr.strides + (1,)
    arr = arr[..., None].view(np.uint8)
    arr = arr[..., 2:]
    return as_strided(arr, arr.shape, new_strides)


def a_helper_computes_the_stride(arr, dtype):
    step = _common_stride(arr.dtype.itemsize, np.dtype(dtype).itemsize)
    return as_strided(arr, arr.shape, arr.strides + (step,))
