"""Which binding reaches a use, and whether surely."""

from __future__ import annotations

import ast
import textwrap

from safestride.lint.scopes import Resolution, Scope

SOURCE = textwrap.dedent(
    """
    LIMIT = 3

    def f(x, flag):
        n = x.shape[0]
        if flag:
            n = n + 1
        use_n = n
        m = 1
        for item in x:
            use_m = m
            m = item
        k = LIMIT
        a, (b, c) = 1, (2, 3)
        h, h = x.shape
        head, *rest = x
        with open(x) as handle:
            pass
        try:
            t = 1
        except ValueError as error:
            t = 2
        use_t = t
        return x

    class Layer:
        def __init__(self, x):
            self.steps = x.strides
            self.twice = 1
            self.twice = 2

        def forward(self, x):
            self.local = x
            return self.steps, self.local, self.twice, self.missing
    """
)
TREE = ast.parse(SOURCE)
MODULE = Scope.of(TREE)
FUNCTION = Scope.of(TREE.body[1], MODULE)
CLASS = Scope.of(TREE.body[2], MODULE)
FORWARD = Scope.of(TREE.body[2].body[1], CLASS)  # type: ignore[attr-defined]


def use(name: str, scope: Scope = FUNCTION) -> Resolution:
    """The resolution of `name` where `use_<name> = <name>` reads it."""
    for node in ast.walk(scope.node):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == f"use_{name}"
        ):
            return scope.lookup(name, (node.value.lineno, node.value.col_offset))
    raise AssertionError(name)


def test_a_binding_in_one_branch_is_not_sure() -> None:
    found = use("n")
    assert found.binding is not None
    assert ast.unparse(found.binding.value) == "n + 1"  # type: ignore[arg-type]
    assert not found.sure


def test_a_loop_carries_later_bindings_back() -> None:
    found = use("m")
    assert found.binding is not None
    assert not found.sure


def test_an_except_handler_may_not_run() -> None:
    assert not use("t").sure


def test_straight_line_bindings_and_parameters_are_sure() -> None:
    at = (99, 0)
    assert FUNCTION.lookup("k", at).sure
    parameter = FUNCTION.lookup("x", at)
    assert parameter.binding is not None
    assert parameter.binding.value is None
    assert parameter.sure


def test_module_names_are_found_from_functions() -> None:
    found = FUNCTION.lookup("LIMIT", (99, 0))
    assert found.binding is not None
    assert found.binding.scope is MODULE
    assert found.sure
    assert FUNCTION.lookup("nowhere", (99, 0)) == Resolution(None, False)


def test_unpacking_records_the_path_and_the_widths() -> None:
    (c,) = FUNCTION.bindings["c"]
    assert c.path == (1, 1)
    assert c.width == (2, 2)
    (head,) = FUNCTION.bindings["head"]
    assert head.width == (-1,)
    (rest,) = FUNCTION.bindings["rest"]
    assert rest.value is None
    (handle,) = FUNCTION.bindings["handle"]
    assert handle.value is None
    twice = FUNCTION.lookup("h", (99, 0))
    assert twice.binding is not None
    assert twice.binding.path == (1,)  # the rightmost target is assigned last


def test_self_attributes_come_from_the_methods_that_set_them() -> None:
    at = (99, 0)
    steps = FORWARD.lookup_attribute("steps", at)
    assert steps.binding is not None
    assert ast.unparse(steps.binding.value) == "x.strides"  # type: ignore[arg-type]
    assert steps.sure
    assert FORWARD.lookup_attribute("local", at).sure
    twice = FORWARD.lookup_attribute("twice", at)
    assert twice.binding is not None
    assert not twice.sure
    assert FORWARD.lookup_attribute("missing", at).binding is None
    assert FORWARD.self_name == "self"
    assert FUNCTION.self_name is None
