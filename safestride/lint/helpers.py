"""Helpers that make an ``as_strided`` view from what their caller passes.

``self.get_windows(dz, out_shape=x.shape)`` hands a helper a window count
from one array and the array to lay it over: the helper alone cannot tell
they do not belong together. A call of a helper defined in the same module
(a function, or a method of the caller's class called through ``self``) is
read as if the helper's body were written at the call: the helper's
parameters hold the caller's arguments, evaluated where the caller wrote
them.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from safestride.lint.scopes import Binding, Scope

Function = ast.FunctionDef | ast.AsyncFunctionDef

_calls = itertools.count(1)


@dataclass(frozen=True)
class Helper:
    """A function or method whose body mentions ``as_strided``."""

    node: Function
    method: bool


def find_helpers(
    tree: ast.Module, mentions: Callable[[ast.stmt], bool]
) -> dict[str, list[Helper]]:
    """Module functions and methods that mention ``as_strided``, by name."""
    found: dict[str, list[Helper]] = {}

    def add(node: ast.stmt, method: bool) -> None:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return
        dunder = node.name.startswith("__") and node.name.endswith("__")
        if mentions(node) and not dunder:
            found.setdefault(node.name, []).append(Helper(node, method))

    for statement in tree.body:
        add(statement, method=False)
        if isinstance(statement, ast.ClassDef) and mentions(statement):
            for inner in statement.body:
                add(inner, method=True)
    return found


def callee(
    call: ast.Call, scope: Scope, found: dict[str, list[Helper]]
) -> tuple[Function, Scope] | None:
    """The helper `call` runs and the scope its body is read in: a method
    of the caller's own class called through ``self``, or a module function
    defined once that the call's name refers to."""
    function = call.func
    if isinstance(function, ast.Attribute):
        owner = function.value
        if not (isinstance(owner, ast.Name) and owner.id == scope.self_name):
            return None
        assert scope.parent is not None  # a method's scope is its class's child
        body = getattr(scope.parent.node, "body", [])
        methods = [h for h in found.get(function.attr, []) if h.method]
        chosen = [h for h in methods if any(h.node is node for node in body)]
        return (chosen[0].node, scope.parent) if len(chosen) == 1 else None
    if not isinstance(function, ast.Name):
        return None
    module = scope
    while module.parent is not None:
        module = module.parent
    binding = scope.lookup(function.id, (call.lineno, call.col_offset)).binding
    if binding is None or binding.scope is not module:
        return None
    functions = [h for h in found.get(function.id, []) if not h.method]
    if len(functions) != 1 or len(module.bindings.get(function.id, [])) != 1:
        return None
    return functions[0].node, module


def bound_to_arguments(
    function: Function, parent: Scope, call: ast.Call, caller: Scope
) -> Scope | None:
    """A fresh scope of `function` whose parameters hold `call`'s arguments
    (evaluated in `caller`); None for a call it cannot map (``*args``)."""
    if any(isinstance(a, ast.Starred) for a in call.args) or any(
        k.arg is None for k in call.keywords
    ):
        return None
    arguments = function.args
    positional = [a.arg for a in (*arguments.posonlyargs, *arguments.args)]
    if isinstance(parent.node, ast.ClassDef):
        positional = positional[1:]  # self
    names = {*positional, *(a.arg for a in arguments.kwonlyargs)}
    if len(call.args) > len(positional):
        return None
    passed = dict(zip(positional, call.args, strict=False))
    for keyword in call.keywords:
        if keyword.arg not in names:
            return None
        passed[str(keyword.arg)] = keyword.value
    scope = Scope.fresh(function, parent)
    number = next(_calls)
    for name, value in passed.items():
        bindings = scope.bindings.get(name, [])
        for index, binding in enumerate(bindings):
            if binding.position == (0, 0) and binding.value is None:
                bindings[index] = _argument(binding, value, caller, number)
    return scope


def _argument(binding: Binding, value: ast.expr, caller: Scope, number: int) -> Binding:
    # A position of its own, before the body, keeps this call's values
    # apart from other calls' (bindings are told apart by scope and position).
    return replace(binding, value=value, scope=caller, position=(0, -number))


def calls_in(function: Function) -> Iterator[ast.Call]:
    """The calls in `function`'s own body (not in functions nested in it)."""
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(
            node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
        ):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))
