"""Whose code made a view: the user's own, or an installed library's.

The guard holds the user's own code to the level it was asked for, and
installed libraries (site-packages, the standard library, numpy itself) to
the owning buffer: libraries reach into their own allocation on purpose
(``scipy.linalg.toeplitz`` walks back from a slice of its own array), while
a user's view that leaves its array is the silent bug. Which code is which
is told by where its file lives, never by its name.
"""

from __future__ import annotations

import functools
import os
import site
import sysconfig
import types

from safestride.guard.callsite import DEMO, frame_filename, in_package

_INSTALLED_MARKERS = (
    f"{os.sep}site-packages{os.sep}",
    f"{os.sep}dist-packages{os.sep}",
)


@functools.lru_cache(maxsize=1)
def _installed_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    roots.update(getattr(site, "getsitepackages", list)())
    user = getattr(site, "getusersitepackages", lambda: None)()
    if isinstance(user, str):
        roots.add(user)
    return tuple(os.path.join(os.path.realpath(root), "") for root in roots if root)


@functools.lru_cache(maxsize=4096)
def is_installed_file(filename: str) -> bool:
    """Whether `filename` belongs to installed code rather than the user's own.

    Installed: anything under a ``site-packages`` or ``dist-packages``
    folder, the standard library, or the interpreter's install prefixes.
    Frozen and generated code (``<frozen ...>``, ``<string>``) counts as the
    user's: safestride cannot tell, and the strict level is the safe side.

    Examples
    --------
    >>> import numpy
    >>> is_installed_file(numpy.__file__), is_installed_file("/home/me/train.py")
    (True, False)
    """
    if filename.startswith("<"):
        return False
    if any(marker in filename for marker in _INSTALLED_MARKERS):
        return True
    path = os.path.realpath(filename)
    return any(path.startswith(root) for root in _installed_roots())


_STRIDE_TRICKS = ("numpy.lib._stride_tricks_impl", "numpy.lib.stride_tricks")
#: Modules whose frames only pass a call through (mock's ``wraps=`` spies,
#: functools' wrappers): the caller is whoever called them.
_PASS_THROUGH = ("unittest.mock", "functools")


def _module(frame: types.FrameType) -> str:
    module = frame.f_globals.get("__name__")
    return module if isinstance(module, str) else "<unknown>"


def asking_frame(frame: types.FrameType | None) -> types.FrameType | None:
    """The frame that called ``as_strided``: the first one outward from
    `frame` that is neither safestride's machinery, nor numpy's stride-tricks
    module, nor the guard's generated body, nor a pass-through wrapper."""
    while frame is not None:
        module = _module(frame)
        machinery = in_package(module, "safestride") and not in_package(module, DEMO)
        if not (
            machinery
            or module in _STRIDE_TRICKS
            or module in _PASS_THROUGH
            or frame.f_code.co_filename.startswith("<safestride guard")
        ):
            return frame
        frame = frame.f_back
    return None


def module_and_function(frame: types.FrameType | None) -> tuple[str, str]:
    """``(module, function)`` of `frame`, for suppression rules."""
    if frame is None:
        return "<unknown>", "<unknown>"
    return _module(frame), frame.f_code.co_name


def caller_is_library(frame: types.FrameType | None) -> bool:
    """Whether the frame that called ``as_strided`` is installed code; the
    demo's model plays the user's code wherever safestride is installed."""
    if frame is None or in_package(_module(frame), DEMO):
        return False
    return is_installed_file(frame_filename(frame))
