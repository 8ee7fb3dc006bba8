"""safestride: numpy's stride tricks, checked.

``from safestride import as_strided`` is a drop-in for numpy's function that
refuses, with a precise message, any view reaching outside its memory.

Names are imported on first use, so ``safestride lint`` and the inactive
pytest plugin never load numpy.

PYTEST_DONT_REWRITE: ``safestride run -m pytest`` imports this package before
pytest starts, and pytest would otherwise warn that it cannot rewrite the
asserts of its plugin's package (an error under ``filterwarnings = error``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from safestride.core.diagnose import (
        Diagnosis as Diagnosis,
        diagnose as diagnose,
    )
    from safestride.core.extent import (
        Allocation as Allocation,
        DimensionOverrun as DimensionOverrun,
        Overlap as Overlap,
        view_extent as view_extent,
    )
    from safestride.core.violation import (
        Violation as Violation,
    )
    from safestride.errors import (
        ForeignElementError as ForeignElementError,
        MisalignedError as MisalignedError,
        MisalignedWarning as MisalignedWarning,
        OutOfBoundsError as OutOfBoundsError,
        OverlapWarning as OverlapWarning,
        SafeStrideWarning as SafeStrideWarning,
        StrideError as StrideError,
        UnsafeViewWarning as UnsafeViewWarning,
    )
    from safestride.guard import (
        guarded as guarded,
        install as install,
        is_installed as is_installed,
        uninstall as uninstall,
    )
    from safestride.guard.callsite import (
        CallSite as CallSite,
    )
    from safestride.guard.report import (
        Report as Report,
        UnsafeView as UnsafeView,
    )
    from safestride.nn import (
        add_bias as add_bias,
        bias_grad as bias_grad,
        conv2d as conv2d,
        conv2d_backward as conv2d_backward,
        windows as windows,
    )
    from safestride.stride_tricks import (
        as_strided as as_strided,
        check_view as check_view,
        safe_as_strided as safe_as_strided,
    )


__version__ = "0.1.0"

_HOMES: dict[str, str] = {
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
    "Violation": "safestride.core.violation",
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

#: Every public name drives ``__all__``. Type checkers read the explicit
#: re-exports above instead; a test checks they name the same homes.
__all__ = ["__version__", *_HOMES]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext safestride``: guard the kernel, add ``%safestride``, and
    show unsafe views as pictures (see ``docs/notebooks.rst``)."""
    from safestride.notebook.extension import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext safestride``: take back all that loading it added."""
    from safestride.notebook.extension import unload

    unload(ipython)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'safestride' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
