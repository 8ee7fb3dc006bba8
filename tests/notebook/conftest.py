"""An IPython shell in this process, for the extension's tests without a kernel."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def shell() -> Iterator[Any]:
    """A fresh InteractiveShell (no history file), and the guard left as found.

    IPython puts its own namespace in ``sys.modules["__main__"]``, which
    multiprocessing reads in later tests of this worker: it is put back.
    """
    interactive = pytest.importorskip("IPython.core.interactiveshell")
    config = pytest.importorskip("traitlets.config").Config()
    config.HistoryManager.enabled = False
    main = sys.modules["__main__"]
    made = interactive.InteractiveShell.instance(config=config)
    try:
        yield made
    finally:
        made.run_line_magic("unload_ext", "safestride")
        interactive.InteractiveShell.clear_instance()
        sys.modules["__main__"] = main
        import safestride

        assert not safestride.is_installed(), "a test left the guard on"
