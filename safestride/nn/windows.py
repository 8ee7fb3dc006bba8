"""A checked, read-only view of every kernel window of an NCHW batch."""

from __future__ import annotations

from typing import Any

import numpy.typing as npt

from safestride.nn.columns import pad, window_view
from safestride.nn.geometry import geometry_of
from safestride.nn.validate import pair, real_array

Array = npt.NDArray[Any]


def windows(
    x: npt.ArrayLike,
    kernel_size: int | tuple[int, int],
    *,
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
) -> Array:
    """A read-only, checked view of every kernel window of an NCHW batch.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
        The batch.
    kernel_size : int or (int, int)
        Window height and width.
    stride, dilation : int or (int, int), optional
        Step between windows, and between the elements of one window.
    padding : int, (int, int), "same" or "valid", optional
        Zeros added around each image (this copies `x`).

    Returns
    -------
    ndarray, shape (N, C, H_out, W_out, kh, kw)
        ``view[n, c, i, j]`` is the window at output position ``(i, j)``.

    Examples
    --------
    >>> import numpy as np
    >>> from safestride import windows
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> view = windows(x, 3)
    >>> view.shape
    (1, 1, 2, 2, 3, 3)
    >>> view[0, 0, 1, 1]
    array([[ 5.,  6.,  7.],
           [ 9., 10., 11.],
           [13., 14., 15.]])
    >>> view.flags.writeable
    False
    """
    array = real_array(x, "x", ndim=4, layout="(N, C, H, W)")
    kernel = pair(kernel_size, "kernel_size", minimum=1)
    geometry = geometry_of(
        array,
        (1, array.shape[1], *kernel),
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=1,
    )
    return window_view(pad(array, geometry, array.dtype), geometry)
