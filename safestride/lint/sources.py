"""Where a strides expression's numbers come from: which array's
``.strides`` or ``.itemsize``, shapes, literals.

The advice rules read strides this way, by what the code writes rather than
by value: ``x.itemsize`` is "an itemsize" even where the dtype is known, and
``8`` is "a literal" even where it is right.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from safestride.lint.evaluate import Evaluator
from safestride.lint.scopes import Scope
from safestride.lint.values import ArrayModel

MAX_DEPTH = 6
#: Calls whose result is made of their arguments' values: strides pass through.
TRANSPARENT_CALLS = frozenset(
    {
        "tuple", "list", "abs", "int", "max", "min", "sum", "reversed", "sorted",
        "multiply", "prod", "cumprod", "negative", "array", "asarray",
    }
)  # fmt: skip
#: Attributes that show a name is an ndarray (a layer's ``strides`` is not).
ARRAY_ATTRIBUTES = frozenset(
    {"shape", "dtype", "itemsize", "ndim", "nbytes", "reshape", "T", "astype"}
)


@dataclass(frozen=True)
class Source:
    """One ingredient of a strides expression.

    `kind` is ``strides``, ``itemsize``, ``shape``, ``constant`` or
    ``unknown``; `family` names the array (``strides``, ``itemsize``) and
    `shape` stands for its shape (equal when the code shows they are).
    """

    kind: str
    family: str = ""
    value: int = 0
    text: str = ""
    is_array: bool = False
    shape: object = None


def shape_of(array: ArrayModel) -> object:
    """What stands for an array's shape: its sizes, or whose shape it has."""
    return array.shape if array.shape is not None else array.shape_key or array.key


def _callee(call: ast.Call) -> str:
    function = call.func
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else ""


def _start(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


class Sources:
    """Finds the sources of expressions in one module."""

    def __init__(self, evaluator: Evaluator) -> None:
        self.evaluator = evaluator
        self._arrays: dict[int, frozenset[str]] = {}

    def of(self, node: ast.expr, scope: Scope, depth: int = 0) -> set[Source]:
        if depth > MAX_DEPTH:
            return {Source("unknown")}
        if isinstance(node, ast.Attribute):
            return self._attribute(node, scope, depth)
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return {Source("constant", value=node.value)}
        if isinstance(node, ast.Name):
            found = scope.lookup(node.id, _start(node)).binding
            if found is None or found.value is None:
                return {Source("unknown")}
            return self.of(found.value, found.scope, depth + 1)
        if isinstance(node, ast.Call) and _callee(node) not in TRANSPARENT_CALLS:
            return {Source("unknown")}  # a helper's result: its own business
        found_sources: set[Source] = set()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                found_sources |= self.of(child, scope, depth + 1)
            elif isinstance(child, ast.comprehension):
                found_sources |= self.of(child.iter, scope, depth + 1)
        return found_sources or {Source("unknown")}

    def _attribute(self, node: ast.Attribute, scope: Scope, depth: int) -> set[Source]:
        if node.attr in ("strides", "itemsize"):
            owner = node.value
            if isinstance(owner, ast.Attribute) and owner.attr == "dtype":
                owner = owner.value
            array = self.evaluator.array(owner, scope)
            if array is None:
                return {Source("unknown")}
            return {
                Source(
                    node.attr,
                    array.family,
                    text=ast.unparse(node),
                    is_array=self.is_array(owner, scope),
                    shape=shape_of(array),
                )
            }
        if node.attr in ("shape", "size", "ndim"):
            return {Source("shape")}
        if isinstance(node.value, ast.Name) and node.value.id == scope.self_name:
            found = scope.lookup_attribute(node.attr, _start(node)).binding
            if found is not None and found.value is not None:
                return self.of(found.value, found.scope, depth + 1)
        return {Source("unknown")}

    def is_array(self, owner: ast.expr, scope: Scope) -> bool:
        """Whether the code shows `owner` is an ndarray: numpy made it, or it
        is used as one (``.shape``, ``.dtype``...) in the same function."""
        value = self.evaluator.value(owner, scope)
        if isinstance(value, ArrayModel):
            return True
        if not isinstance(owner, ast.Name):
            return False
        return owner.id in self._used_as_arrays(scope)

    def _used_as_arrays(self, scope: Scope) -> frozenset[str]:
        """Names used with ``.shape``, ``.dtype``... in `scope`'s code."""
        if scope.number not in self._arrays:
            self._arrays[scope.number] = frozenset(
                node.value.id
                for node in ast.walk(scope.node)
                if isinstance(node, ast.Attribute)
                and node.attr in ARRAY_ATTRIBUTES
                and isinstance(node.value, ast.Name)
            )
        return self._arrays[scope.number]
