"""safestride: numpy's stride tricks, checked.

``from safestride import as_strided`` is a drop-in for numpy's function that
refuses, with a precise message, any view reaching outside its memory.
"""

from safestride._diagnose import Diagnosis, diagnose
from safestride._extent import Allocation, DimensionOverrun, Overlap, view_extent
from safestride.errors import (
    ForeignElementError,
    MisalignedError,
    MisalignedWarning,
    OutOfBoundsError,
    OverlapWarning,
    SafeStrideWarning,
    StrideError,
    Violation,
)
from safestride.stride_tricks import as_strided, check_view, safe_as_strided

__version__ = "0.1.0"

__all__ = [
    "Allocation",
    "Diagnosis",
    "DimensionOverrun",
    "ForeignElementError",
    "MisalignedError",
    "MisalignedWarning",
    "OutOfBoundsError",
    "Overlap",
    "OverlapWarning",
    "SafeStrideWarning",
    "StrideError",
    "Violation",
    "__version__",
    "as_strided",
    "check_view",
    "diagnose",
    "safe_as_strided",
    "view_extent",
]
