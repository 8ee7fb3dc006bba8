"""Started in every process of ``safestride run`` (through PYTHONPATH).

Installs the guard when ``SAFESTRIDE_GUARD`` says so, hands over to any
other ``sitecustomize`` the environment has, so that one still runs, and
leaves ``sys.path`` as python would have made it: the program sees no trace
of this directory except in PYTHONPATH, which its own children need.
"""

import importlib
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _is_here(entry: str) -> bool:
    return os.path.abspath(entry or ".") == _HERE


if os.environ.get("SAFESTRIDE_GUARD"):
    try:
        from safestride.guard.run import start_child

        start_child()
    except Exception as error:  # never break the program over the guard
        print(
            f"safestride: guard not installed in this process: {error}", file=sys.stderr
        )


def _chain_to_the_next_sitecustomize() -> None:
    ours = sys.modules.pop("sitecustomize", None)
    sys.path[:] = [entry for entry in sys.path if not _is_here(entry)]
    try:
        importlib.import_module("sitecustomize")
    except ImportError as error:
        if error.name != "sitecustomize":
            raise  # site reports it, as it would without safestride
        if ours is not None:
            sys.modules["sitecustomize"] = ours


_chain_to_the_next_sitecustomize()
