"""Giving numpy's ``as_strided`` function object a checked body, and back.

Swapping the code of the one function object covers every reference to it,
however old: ``numpy.lib.stride_tricks.as_strided``, names bound earlier by
``from numpy.lib.stride_tricks import as_strided`` in any module, and numpy's
internal callers such as ``sliding_window_view``.
"""

from __future__ import annotations

import contextlib
import functools
import types
from collections.abc import Callable
from typing import Any

from numpy.lib import stride_tricks as _numpy_stride_tricks

#: The file name tracebacks show for the checked body.
TRAMPOLINE_FILENAME = "<safestride guard: as_strided>"
#: numpy's parameters, in order (numpy 2.5 adds keyword-only check_bounds).
NUMPY_PARAMETERS = ("x", "shape", "strides", "subok", "writeable")

Hook = Callable[..., Any]


class GuardInstallError(RuntimeError):
    """numpy's ``as_strided`` cannot be found in a form the guard can check."""


def _is_numpys(function: object) -> bool:
    """A plain function with numpy's own parameters (not a wrapper's)."""
    if not isinstance(function, types.FunctionType):
        return False
    code = function.__code__
    return code.co_varnames[: code.co_argcount] == NUMPY_PARAMETERS


def _unwrap(candidate: object, where: str) -> types.FunctionType:
    """numpy's function behind `candidate`, through ``__wrapped__`` chains
    (functools.wraps, profilers) and ``unittest.mock``'s ``wraps=``."""
    seen: list[object] = []
    node = candidate
    while not _is_numpys(node):
        seen.append(node)
        inner = getattr(node, "__wrapped__", None)
        if inner is None:
            inner = getattr(node, "_mock_wraps", None)
        if inner is None or any(inner is other for other in seen):
            raise GuardInstallError(
                f"safestride cannot guard as_strided: {where} is "
                f"{type(candidate).__name__} {candidate!r}, not numpy's function, "
                f"and nothing leads from it to numpy's (no __wrapped__). Something "
                f"replaced it before the guard was installed. Install the guard "
                f"first, or have the replacement set __wrapped__ (functools.wraps)."
            )
        node = inner
    assert isinstance(node, types.FunctionType)
    return node


def targets() -> list[types.FunctionType]:
    """numpy's as_strided function objects (one in every numpy we support).

    Raises `GuardInstallError` when one of the names numpy's callers use no
    longer leads to numpy's function: checking nothing silently is worse.
    """
    named = [("numpy.lib.stride_tricks.as_strided", _numpy_stride_tricks.as_strided)]
    with contextlib.suppress(ImportError):
        from numpy.lib import _stride_tricks_impl

        named.append(
            ("numpy.lib._stride_tricks_impl.as_strided", _stride_tricks_impl.as_strided)
        )
    found: list[types.FunctionType] = []
    for where, candidate in named:
        function = _unwrap(candidate, where)
        if not any(function is other for other in found):
            found.append(function)
    return found


def _trampoline_code(function: types.FunctionType, hook_name: str) -> types.CodeType:
    """The body `function` gets while guarded: a call of the hook by name.

    Generated with the function's own parameters, so calls bind as before
    (the function object keeps its defaults) and forward without packing
    ``*args``. The hook lives in the function's module globals, since the
    body can have no closure of its own.
    """
    code = function.__code__
    positional = code.co_varnames[: code.co_argcount]
    keyword_only = code.co_varnames[
        code.co_argcount : code.co_argcount + code.co_kwonlyargcount
    ]
    return compiled_trampoline(function.__name__, positional, keyword_only, hook_name)


@functools.lru_cache(maxsize=16)
def compiled_trampoline(
    name: str,
    positional: tuple[str, ...],
    keyword_only: tuple[str, ...],
    hook_name: str,
) -> types.CodeType:
    """The trampoline's code for one signature, compiled once per process:
    compiling it took most of the time of entering a `guarded` block."""
    star = ["*", *keyword_only] if keyword_only else []
    parameters = ", ".join([*positional, *star])
    arguments = ", ".join([*positional, *(f"{k}={k}" for k in keyword_only)])
    source = (
        f"def {name}({parameters}):\n"
        "    __tracebackhide__ = True\n"
        f"    return {hook_name}({arguments})\n"
    )
    module = compile(source, TRAMPOLINE_FILENAME, "exec")
    return next(c for c in module.co_consts if isinstance(c, types.CodeType))


def original_copy(function: types.FunctionType) -> types.FunctionType:
    """A function running `function`'s current code, whatever later happens
    to `function` itself."""
    copy = types.FunctionType(
        function.__code__,
        function.__globals__,
        function.__name__,
        function.__defaults__,
        function.__closure__,
    )
    copy.__kwdefaults__ = function.__kwdefaults__
    return copy


_patched: list[tuple[types.FunctionType, types.CodeType, str]] = []


def patch(make_hook: Callable[[types.FunctionType], Hook]) -> None:
    """Give every target the checked body; `make_hook(original)` makes the
    function each one calls, given a copy of its original code."""
    if _patched:
        return
    chosen = targets()
    for function in chosen:
        hook_name = f"_safestride_guard_{id(function):x}"
        function.__globals__[hook_name] = make_hook(original_copy(function))
        _patched.append((function, function.__code__, hook_name))
        function.__code__ = _trampoline_code(function, hook_name)


def unpatch() -> None:
    """Give every patched function its own body back."""
    while _patched:
        function, code, hook_name = _patched.pop()
        function.__code__ = code
        function.__globals__.pop(hook_name, None)


def is_patched() -> bool:
    """Whether numpy's function runs the checked body now."""
    return bool(_patched)
