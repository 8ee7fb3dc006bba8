"""Sphinx configuration for the safestride docs."""

from __future__ import annotations

import safestride

project = "safestride"
author = "safestride developers"
copyright = "2026, safestride developers"
release = safestride.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "numpydoc",
]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
autodoc_typehints = "none"
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path: list[str] = []
doctest_global_setup = "import numpy as np"

try:  # the API page documents safestride.dask, which needs the dask extra
    import distributed  # noqa: F401
except ImportError:
    autodoc_mock_imports = ["dask", "distributed"]
