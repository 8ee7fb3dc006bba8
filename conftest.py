"""What pytest collects outside tests/: the package's and the docs' doctests.

safestride.dask and its docs page need the ``dask`` extra; without it their
doctests are left out (tests/dask skips itself), so the default run stays green.
"""

from __future__ import annotations

import importlib.util

collect_ignore = (
    []
    if importlib.util.find_spec("distributed") is not None
    else ["safestride/dask", "docs/dask.rst"]
)
