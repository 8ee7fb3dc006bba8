"""Started in every child process of ``safestride run`` (through PYTHONPATH).

Installs the guard when ``SAFESTRIDE_GUARD`` says so, then hands over to any
other ``sitecustomize`` the environment has, so that one still runs.
"""

import importlib
import os
import sys

if os.environ.get("SAFESTRIDE_GUARD"):
    try:
        from safestride.guard.run import start_child

        start_child()
    except Exception as error:  # never break the child over the guard
        print(f"safestride: guard not installed in child: {error}", file=sys.stderr)


def _chain_to_the_next_sitecustomize() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    saved_path = list(sys.path)
    ours = sys.modules.pop("sitecustomize", None)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    try:
        importlib.import_module("sitecustomize")
    except ImportError:
        pass
    finally:
        sys.path[:] = saved_path
        if ours is not None:
            sys.modules.setdefault("sitecustomize", ours)


_chain_to_the_next_sitecustomize()
