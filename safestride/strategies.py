"""The first home of safestride's hypothesis strategies, kept so old imports work.

They live in `safestride.testing.strategies`; this module re-exports the same
objects.

Examples
--------
>>> from safestride import strategies, testing
>>> strategies.parents is testing.strategies.parents
True
"""

from safestride.testing.strategies import (
    DTYPES,
    StridedCase,
    dtypes,
    parents,
    sliced,
    strided_cases,
    view_requests,
)

__all__ = [
    "DTYPES",
    "StridedCase",
    "dtypes",
    "parents",
    "sliced",
    "strided_cases",
    "view_requests",
]
