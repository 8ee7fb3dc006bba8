"""Scratch arrays that outlive one call, so temporaries do not fault in fresh pages.

A multi-megabyte temporary freed at the end of a call is handed back to the
operating system by the C allocator, and the next call pays a page fault for
every 4 KiB it touches again: on the 2-core development machine that was 8 to
13 ms of a 30 ms conv2d backward pass. conv2d therefore draws its temporaries
from a small per-thread pool of buffers, kept between calls up to
`POOL_BYTES`. Nothing drawn from it is ever returned to a caller.
"""

from __future__ import annotations

import math
import threading
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[Any]

#: Bytes of free buffers one thread keeps between calls; the least recently
#: used are dropped beyond it, and a buffer larger than it is never kept.
POOL_BYTES = 64 << 20


class _Pool(threading.local):
    def __init__(self) -> None:
        self.free: list[npt.NDArray[np.uint8]] = []


_pool = _Pool()


class Scratch:
    """Temporaries for one call: taken from this thread's pool, given back on exit.

    Examples
    --------
    >>> import numpy as np
    >>> from safestride.nn.scratch import Scratch
    >>> with Scratch() as scratch:
    ...     temporary = scratch.zeros((2, 3), np.float32)
    ...     temporary.shape, float(temporary.sum())
    ((2, 3), 0.0)
    """

    def __init__(self) -> None:
        self._taken: list[npt.NDArray[np.uint8]] = []

    def __enter__(self) -> Scratch:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        free = _pool.free
        free.extend(buffer for buffer in self._taken if buffer.nbytes <= POOL_BYTES)
        self._taken.clear()
        total = sum(buffer.nbytes for buffer in free)
        while total > POOL_BYTES:
            total -= free.pop(0).nbytes

    def empty(self, shape: tuple[int, ...], dtype: npt.DTypeLike) -> Array:
        """An uninitialised array of `shape` and `dtype`, valid until exit."""
        kind = np.dtype(dtype)
        nbytes = math.prod(shape) * kind.itemsize
        free = _pool.free
        # a much larger buffer is left for a later request that needs it
        fitting = [
            i for i, buffer in enumerate(free) if nbytes <= buffer.nbytes <= 2 * nbytes
        ]
        if fitting:
            buffer = free.pop(min(fitting, key=lambda i: free[i].nbytes))
        else:
            buffer = np.empty(max(nbytes, 1), dtype=np.uint8)
        self._taken.append(buffer)
        array: Array = buffer[:nbytes].view(kind).reshape(shape)
        return array

    def zeros(self, shape: tuple[int, ...], dtype: npt.DTypeLike) -> Array:
        """Like `empty`, filled with zeros."""
        array = self.empty(shape, dtype)
        array.fill(0)
        return array


def pooled_buffers() -> tuple[npt.NDArray[np.uint8], ...]:
    """The buffers this thread keeps between calls, least recently used first.

    Examples
    --------
    >>> from safestride.nn.scratch import pooled_buffers, release
    >>> release()
    >>> pooled_buffers()
    ()
    """
    return tuple(_pool.free)


def release() -> None:
    """Free the buffers this thread keeps for conv2d between calls.

    Examples
    --------
    >>> import numpy as np
    >>> from safestride import conv2d
    >>> from safestride.nn import release_scratch
    >>> _ = conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)))
    >>> release_scratch()
    """
    _pool.free.clear()
