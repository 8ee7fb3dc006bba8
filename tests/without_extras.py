"""A pytest plugin (``-p tests.without_extras``) that hides the optional extras.

It makes the interpreter act as if ``safestride[notebook]`` and
``safestride[dask]`` were not installed: importing any of their packages
raises ImportError and ``importlib.util.find_spec`` finds nothing, as on a
machine where only ``pip install safestride`` ran.
"""

from __future__ import annotations

import sys

#: The top-level packages of the notebook and dask extras.
HIDDEN = (
    "IPython",
    "ipykernel",
    "jupyter_client",
    "nbclient",
    "nbformat",
    "dask",
    "distributed",
)

for name in HIDDEN:
    sys.modules[name] = None  # type: ignore[assignment]
