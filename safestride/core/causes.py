"""Recognising the usual mistakes behind a bad strided view.

Each detector looks at what was asked and what exists, and returns one
sentence for the error message, or None. They run only once a view has
already been found bad, so they may be slow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from safestride.core.arguments import c_strides
from safestride.core.extent import Allocation, view_extent


@dataclass(frozen=True)
class Request:
    """A requested view and the array it is made from."""

    shape: tuple[int, ...]
    strides: tuple[int, ...]
    itemsize: int
    x_shape: tuple[int, ...]
    x_strides: tuple[int, ...]
    x_c_contiguous: bool
    allowed: Allocation
    #: The allocation x lives in, where known.
    owner: Allocation | None = None

    def fits(self, shape: tuple[int, ...], strides: tuple[int, ...]) -> bool:
        return self.allowed.holds(view_extent(shape, strides, self.itemsize))


def _moving(request: Request) -> list[int]:
    return [i for i, n in enumerate(request.shape) if n > 1 and request.strides[i] != 0]


def stale_strides(request: Request) -> str | None:
    room = request.allowed.nbytes
    too_long = [i for i in _moving(request) if abs(request.strides[i]) >= room]
    if not too_long:
        return None
    i = too_long[0]
    stride = request.strides[i]
    sentence = (
        f"Stale strides? strides[{i}] = {stride} bytes is at least as large as all "
        f"the memory the view may use ({room} bytes), so already the second element "
        f"along dimension {i} lies outside it. Strides that large belong to a bigger "
        f"array: a variable left over from another array, or strides copied from one."
    )
    fresh = c_strides(request.shape, request.itemsize)
    if stride == fresh[i]:
        sentence += (
            f" {stride} is the stride a fresh C-contiguous array of the requested "
            f"shape {request.shape} would have: strides of the output, not of x."
        )
    return sentence + " Derive strides from x.strides (0 to repeat an element)."


def shape_one_too_large(request: Request) -> str | None:
    for i in _moving(request):
        smaller = (*request.shape[:i], request.shape[i] - 1, *request.shape[i + 1 :])
        if request.fits(smaller, request.strides):
            return (
                f"Off by one? With shape[{i}] = {request.shape[i] - 1} instead of "
                f"{request.shape[i]} the view fits. An axis of length L has "
                f"L - k + 1 windows of length k, not L - k + 2."
            )
    return None


def strides_in_elements(request: Request) -> str | None:
    moving = _moving(request)
    if request.itemsize <= 1 or not moving:
        return None
    if all(request.strides[i] % request.itemsize == 0 for i in moving):
        return None
    scaled = tuple(s * request.itemsize for s in request.strides)
    if not request.fits(request.shape, scaled):
        return None
    return (
        f"Strides in elements? as_strided takes strides in bytes; multiplied by "
        f"the itemsize ({request.itemsize}) they would be {scaled}, which fits."
    )


def strides_scaled_twice(request: Request) -> str | None:
    moving = _moving(request)
    size = request.itemsize
    if (
        size <= 1
        or not moving
        or any(request.strides[i] % (size * size) for i in moving)
    ):
        return None
    scaled = tuple(s // size for s in request.strides)
    if not request.fits(request.shape, scaled):
        return None
    return (
        f"Itemsize applied twice? Divided by the itemsize ({size}) the strides "
        f"would be {scaled}, which fits."
    )


def contiguous_assumption(request: Request) -> str | None:
    if request.x_c_contiguous:
        return None
    moving = _moving(request)
    assumed = set(c_strides(request.x_shape, request.itemsize))
    actual = set(request.x_strides)
    used = {abs(request.strides[i]) for i in moving}
    if not moving or not used <= assumed or used <= actual:
        return None
    return (
        f"C-contiguous assumption? The strides {request.strides} are built as if x "
        f"were a fresh C-contiguous array of shape {request.x_shape} (strides "
        f"{c_strides(request.x_shape, request.itemsize)}), but x has strides "
        f"{request.x_strides}: it is a slice, a transpose or a broadcast. Build the "
        f"strides from x.strides, or view np.ascontiguousarray(x)."
    )


def walking_back_from_a_slice(request: Request) -> str | None:
    extent = view_extent(request.shape, request.strides, request.itemsize)
    owner = request.owner
    if extent is None or owner is None or extent[0] >= request.allowed.low:
        return None
    backwards = [i for i in _moving(request) if request.strides[i] < 0]
    if not backwards or not owner.holds(extent):
        return None
    i = backwards[0]
    return (
        f"Walking back from a slice? strides[{i}] = {request.strides[i]} steps "
        f"backwards past x's first element, into memory x was cut from: the view "
        f"stays inside the allocation that owns x ({owner.owner}), but outside x. "
        f"If that is deliberate (scipy.linalg.toeplitz does it), make the view from "
        f'the parent array, or pass bounds="buffer"; otherwise the slice starts too '
        f"late or the stride's sign is wrong."
    )


DETECTORS: tuple[Callable[[Request], str | None], ...] = (
    walking_back_from_a_slice,
    stale_strides,
    contiguous_assumption,
    shape_one_too_large,
    strides_in_elements,
    strides_scaled_twice,
)


def likely_causes(request: Request) -> tuple[str, ...]:
    """Every recognised cause, most specific first.

    A view walking back from a slice into its own allocation has strides
    that are right for the parent array: "stale strides" would mislead there.
    """
    detectors = DETECTORS
    if walking_back_from_a_slice(request) is not None:
        detectors = tuple(d for d in DETECTORS if d is not stale_strides)
    found = (detect(request) for detect in detectors)
    return tuple(sentence for sentence in found if sentence is not None)
