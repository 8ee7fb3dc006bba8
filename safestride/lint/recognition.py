"""Which calls are ``as_strided``: every spelling that ends at numpy's or
safestride's function.

Imports give names their modules (``import numpy as np``, ``from numpy.lib
import stride_tricks``); assignments pass them on (``as_strided =
np.lib.stride_tricks.as_strided``, ``st = np.lib.stride_tricks``); and an
attribute path that ends in ``lib.stride_tricks.as_strided`` is numpy's API
whatever module object it starts from (``xp``, chosen at run time between
numpy and cupy).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Sequence

from safestride.lint.scopes import Position, Scope

NUMPY_MODULES = ("numpy.lib.stride_tricks", "numpy.lib._stride_tricks_impl")
SAFESTRIDE_MODULES = ("safestride", "safestride.stride_tricks")
NUMPY_TARGETS = frozenset(f"{module}.as_strided" for module in NUMPY_MODULES)
SAFESTRIDE_TARGETS = frozenset(
    f"{module}.{name}"
    for module in SAFESTRIDE_MODULES
    for name in ("as_strided", "safe_as_strided")
)
#: Attribute paths that are numpy's API from any array module (numpy, cupy).
NUMPY_SUFFIXES = (
    ".lib.stride_tricks.as_strided",
    ".lib._stride_tricks_impl.as_strided",
)
#: Stands for a module the linter cannot name (a parameter, ``self.xp``).
UNKNOWN_ROOT = "?"
#: Names exported by ``from numpy.lib.stride_tricks import *``.
STAR_EXPORTS = ("as_strided", "sliding_window_view", "broadcast_to")
MAX_DEPTH = 6


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _imports(
    body: Sequence[ast.stmt], relevant: Callable[[ast.stmt], bool]
) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements at module level, in compound statements, and in the
    functions and classes that are `relevant` (the others cannot matter)."""
    for statement in body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            yield statement
        elif isinstance(statement, _DEFINITIONS) and not relevant(statement):
            continue
        for field_name in ("body", "orelse", "finalbody"):
            yield from _imports(getattr(statement, field_name, []), relevant)
        for handler in getattr(statement, "handlers", []):
            yield from _imports(handler.body, relevant)


def collect_aliases(
    tree: ast.Module, relevant: Callable[[ast.stmt], bool] = lambda _: True
) -> dict[str, str]:
    """Every name the module binds by import to numpy, cupy or safestride
    modules and functions, with the dotted path it stands for."""
    roots = ("numpy", "safestride", "cupy")
    aliases: dict[str, str] = {}
    for node in _imports(tree.body, relevant):
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                if root in roots:
                    aliases[alias.asname or root] = alias.name if alias.asname else root
        elif node.module and node.level == 0 and node.module.split(".")[0] in roots:
            for alias in node.names:
                if alias.name == "*":
                    if node.module in NUMPY_MODULES:
                        for name in STAR_EXPORTS:
                            aliases[name] = f"{node.module}.{name}"
                    continue
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def array_modules(lines: Sequence[str]) -> frozenset[str]:
    """Expressions the module uses as numpy (``xp``, ``self.xp``, ``cp``):
    those it takes ``.lib.stride_tricks`` from."""
    found: set[str] = set()
    for line in lines:
        if ".lib.stride_tricks" in line:
            found.update(_ARRAY_MODULE.findall(line))
    return frozenset(found)


_ARRAY_MODULE = re.compile(r"([A-Za-z_][\w.]*)\.lib\.stride_tricks\b")


class Recognizer:
    """Names what an expression refers to, through imports and assignments.

    `modules` holds expressions the code uses as an array module (numpy or
    a look-alike such as cupy): ``xp.zeros`` is then ``numpy.zeros``.
    """

    def __init__(
        self, aliases: dict[str, str], modules: frozenset[str] = frozenset()
    ) -> None:
        self.aliases = aliases
        self.modules = modules

    def qualified(
        self, node: ast.expr, scope: Scope, at: Position, depth: int = 0
    ) -> str | None:
        """The dotted path `node` names: ``np.lib.stride_tricks.as_strided`` ->
        ``numpy.lib.stride_tricks.as_strided``. A path from an object it
        cannot name starts with ``?``; other expressions give None."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, ast.Attribute):
            if ast.unparse(node.value) in self.modules:
                return f"numpy.{node.attr}"
            owner = self.qualified(node.value, scope, at, depth + 1)
            return f"{owner or UNKNOWN_ROOT}.{node.attr}"
        if not isinstance(node, ast.Name):
            return None
        found = scope.lookup(node.id, at)
        binding = found.binding
        if binding is not None and binding.value is not None and not binding.path:
            return self.qualified(
                binding.value, binding.scope, binding.position, depth + 1
            )
        return self.aliases.get(node.id)

    def origin(self, function: ast.expr, scope: Scope, at: Position) -> str | None:
        """``"numpy"`` or ``"safestride"`` when `function` is an as_strided."""
        name = self.qualified(function, scope, at)
        if name is None:
            return None
        if name in SAFESTRIDE_TARGETS:
            return "safestride"
        if name in NUMPY_TARGETS or name.endswith(NUMPY_SUFFIXES):
            return "numpy"
        return None

    def is_numpy(
        self, function: ast.expr, scope: Scope, at: Position, name: str
    ) -> bool:
        """Whether `function` is ``numpy.<name>`` (or ``numpy.random.<name>``...)."""
        found = self.qualified(function, scope, at)
        return (
            found is not None
            and found.startswith("numpy.")
            and (found == f"numpy.{name}" or found.endswith(f".{name}"))
        )


def call_argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    """The expression passed as parameter `name` (at `position`), or None.

    None also when a ``*args`` at or before `position` hides which one it is.

    Examples
    --------
    >>> call = ast.parse("f(x, 2, strides=s)").body[0].value
    >>> ast.unparse(call_argument(call, 1, "shape"))
    '2'
    >>> ast.unparse(call_argument(call, 2, "strides"))
    's'
    >>> print(call_argument(ast.parse("f(*a)").body[0].value, 0, "x"))
    None
    """
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if len(call.args) > position and not any(
        isinstance(a, ast.Starred) for a in call.args[: position + 1]
    ):
        return call.args[position]
    return None
