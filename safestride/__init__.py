"""safestride: numpy's stride tricks, checked.

``from safestride import as_strided`` is a drop-in for numpy's function that
refuses, with a precise message, any view reaching outside its memory.

Names are imported on first use, so ``safestride lint`` and the inactive
pytest plugin never load numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from safestride.core.diagnose import Diagnosis, diagnose
    from safestride.core.extent import (
        Allocation,
        DimensionOverrun,
        Overlap,
        view_extent,
    )
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
    from safestride.guard.callsite import CallSite
    from safestride.guard.report import Report, UnsafeView
    from safestride.nn import add_bias, bias_grad, conv2d, conv2d_backward, windows
    from safestride.stride_tricks import as_strided, check_view, safe_as_strided

__version__ = "0.1.0"

_HOMES = {
    "Diagnosis": "safestride.core.diagnose",
    "diagnose": "safestride.core.diagnose",
    "Allocation": "safestride.core.extent",
    "DimensionOverrun": "safestride.core.extent",
    "Overlap": "safestride.core.extent",
    "view_extent": "safestride.core.extent",
    "CallSite": "safestride.guard.callsite",
    "Report": "safestride.guard.report",
    "UnsafeView": "safestride.guard.report",
    "ForeignElementError": "safestride.errors",
    "MisalignedError": "safestride.errors",
    "MisalignedWarning": "safestride.errors",
    "OutOfBoundsError": "safestride.errors",
    "OverlapWarning": "safestride.errors",
    "SafeStrideWarning": "safestride.errors",
    "StrideError": "safestride.errors",
    "UnsafeViewWarning": "safestride.errors",
    "Violation": "safestride.errors",
    "guarded": "safestride.guard",
    "install": "safestride.guard",
    "is_installed": "safestride.guard",
    "uninstall": "safestride.guard",
    "add_bias": "safestride.nn",
    "bias_grad": "safestride.nn",
    "conv2d": "safestride.nn",
    "conv2d_backward": "safestride.nn",
    "windows": "safestride.nn",
    "as_strided": "safestride.stride_tricks",
    "check_view": "safestride.stride_tricks",
    "safe_as_strided": "safestride.stride_tricks",
}

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
    "add_bias",
    "as_strided",
    "bias_grad",
    "check_view",
    "conv2d",
    "conv2d_backward",
    "diagnose",
    "guarded",
    "install",
    "is_installed",
    "safe_as_strided",
    "uninstall",
    "view_extent",
    "windows",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'safestride' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
