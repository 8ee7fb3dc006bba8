"""safestride: numpy's stride tricks, checked.

``from safestride import as_strided`` is a drop-in for numpy's function that
refuses, with a precise message, any view reaching outside its memory.
"""

from safestride._diagnose import Diagnosis, diagnose
from safestride._extent import Allocation, DimensionOverrun, Overlap, view_extent
from safestride._report import CallSite, Report, UnsafeView
from safestride.errors import (
    ForeignElementError,
    MisalignedError,
    MisalignedWarning,
    OutOfBoundsError,
    OverlapWarning,
    SafeStrideWarning,
    StrideError,
    UnsafeViewWarning,
    Violation,
)
from safestride.guard import guarded, install, is_installed, uninstall
from safestride.stride_tricks import as_strided, check_view, safe_as_strided

__version__ = "0.1.0"

__all__ = [
    "Allocation",
    "CallSite",
    "Diagnosis",
    "DimensionOverrun",
    "ForeignElementError",
    "MisalignedError",
    "MisalignedWarning",
    "OutOfBoundsError",
    "Overlap",
    "OverlapWarning",
    "Report",
    "SafeStrideWarning",
    "StrideError",
    "UnsafeView",
    "UnsafeViewWarning",
    "Violation",
    "__version__",
    "as_strided",
    "check_view",
    "diagnose",
    "guarded",
    "install",
    "is_installed",
    "safe_as_strided",
    "uninstall",
    "view_extent",
]
