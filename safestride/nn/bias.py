"""A bias along one axis, and its gradient."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from safestride.nn.validate import axis_index

Array = npt.NDArray[Any]


def add_bias(y: npt.ArrayLike, b: npt.ArrayLike, axis: int = 1) -> Array:
    """Add a bias along one axis, broadcast safely (never through raw strides).

    Parameters
    ----------
    y : array_like
        Activations, e.g. (N, C, H, W).
    b : array_like, shape (y.shape[axis],)
        One value per position along `axis` (per channel for NCHW).
    axis : int, optional
        The axis the bias runs along (1: channels of NCHW).

    Returns
    -------
    ndarray
        ``y + b`` along `axis`, a new array.

    Examples
    --------
    >>> import numpy as np
    >>> from safestride import add_bias
    >>> add_bias(np.zeros((2, 3, 1, 1)), [1.0, 2.0, 3.0])[:, :, 0, 0]
    array([[1., 2., 3.],
           [1., 2., 3.]])
    >>> add_bias(np.zeros((2, 3, 4, 4)), [1.0, 2.0])
    Traceback (most recent call last):
    ...
    ValueError: b has 2 values but y has 3 along axis 1 (y.shape = (2, 3, 4, 4), ...
    """
    ya = np.asarray(y)
    ba = np.asarray(b)
    axis = axis_index(axis, ndim=ya.ndim)
    if ba.ndim != 1 or ba.shape[0] != ya.shape[axis]:
        others = [i for i, n in enumerate(ya.shape) if n == ba.size and i != axis]
        hint = f" Did you mean axis={others[0]}?" if others and ba.ndim == 1 else ""
        raise ValueError(
            f"b has {ba.size} values but y has {ya.shape[axis]} along axis {axis} "
            f"(y.shape = {ya.shape}, b.shape = {ba.shape}). A bias needs exactly one "
            f"value per position along its axis.{hint}"
        )
    shape = [1] * ya.ndim
    shape[axis] = ba.shape[0]
    result: Array = ya + ba.reshape(shape)
    return result


def bias_grad(grad_y: npt.ArrayLike, axis: int = 1) -> Array:
    """The gradient of `add_bias` for its bias: `grad_y` summed over the other axes.

    Examples
    --------
    >>> import numpy as np
    >>> from safestride import bias_grad
    >>> bias_grad(np.ones((2, 3, 4, 4)))
    array([32., 32., 32.])
    """
    ga = np.asarray(grad_y)
    axis = axis_index(axis, ndim=ga.ndim)
    others = tuple(i for i in range(ga.ndim) if i != axis)
    result: Array = ga.sum(axis=others)
    return result
