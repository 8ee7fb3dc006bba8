"""Helpers that make views from their caller's arguments (helpers.py)."""

from __future__ import annotations

import ast
import textwrap

from safestride.lint.evaluate import Evaluator
from safestride.lint.helpers import bound_to_arguments, callee, calls_in, find_helpers
from safestride.lint.recognition import Recognizer, collect_aliases
from safestride.lint.scopes import Scope
from safestride.lint.symbolic import Remainders
from safestride.lint.values import as_poly

SOURCE = textwrap.dedent(
    """\
    import numpy as np
    from numpy.lib.stride_tricks import as_strided

    def windows(x, count, k=3, *, step=1):
        def inner():
            return as_strided(x, (1,), (8,))
        return as_strided(x, (count, k), (x.strides[0] * step, x.strides[0]))

    def unrelated(x):
        return x

    class Layer:
        def view(self, x, count):
            return as_strided(x, (count,), x.strides)

        def forward(self, x):
            return self.view(x, len(x)), windows(x, 2, step=2), unrelated(x)

    def shadowed(windows):
        return windows(1, 2)
    """
)


def setup() -> tuple[ast.Module, dict, Scope]:
    tree = ast.parse(SOURCE)
    found = find_helpers(tree, lambda node: "as_strided" in ast.unparse(node))
    return tree, found, Scope.of(tree)


def call(tree: ast.Module, text: str) -> ast.Call:
    """The one call written `text` in `tree`."""
    (found,) = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and ast.unparse(node) == text
    ]
    return found


def test_helpers_are_functions_and_methods_that_mention_as_strided() -> None:
    _, found, _ = setup()
    assert sorted(found) == ["view", "windows"]
    assert [h.method for h in found["view"]] == [True]


def test_a_call_through_self_or_a_module_name_finds_its_helper() -> None:
    tree, found, module = setup()
    layer = Scope.of(tree.body[4], module)
    forward = Scope.of(tree.body[4].body[1], layer)  # type: ignore[attr-defined]
    view = call(tree, "self.view(x, len(x))")
    windows = call(tree, "windows(x, 2, step=2)")
    assert callee(view, forward, found) == (tree.body[4].body[0], layer)  # type: ignore[attr-defined]
    assert callee(windows, forward, found) == (tree.body[2], module)
    assert callee(call(tree, "unrelated(x)"), forward, found) is None


def test_a_parameter_that_shadows_the_helper_is_not_the_helper() -> None:
    tree, found, module = setup()
    shadowed = Scope.of(tree.body[5], module)
    assert callee(call(tree, "windows(1, 2)"), shadowed, found) is None


def test_parameters_hold_the_callers_arguments() -> None:
    tree, _, module = setup()
    layer = Scope.of(tree.body[4], module)
    forward = Scope.of(tree.body[4].body[1], layer)  # type: ignore[attr-defined]
    windows = call(tree, "windows(x, 2, step=2)")
    scope = bound_to_arguments(tree.body[2], module, windows, forward)  # type: ignore[arg-type]
    assert scope is not None
    evaluator = Evaluator(Recognizer(collect_aliases(tree)), Remainders(), True)
    count = ast.parse("count", mode="eval").body
    step = ast.parse("step", mode="eval").body
    k = ast.parse("k", mode="eval").body
    for node in (count, step, k):
        ast.copy_location(node, tree.body[2].body[-1])  # type: ignore[attr-defined]
    assert str(as_poly(evaluator.value(count, scope))) == "2"
    assert str(as_poly(evaluator.value(step, scope))) == "2"
    assert str(as_poly(evaluator.value(k, scope))) == "k"  # a default: not followed


def test_calls_it_cannot_map_are_left_alone() -> None:
    tree, _, module = setup()
    helper = tree.body[2]
    for text in (
        "windows(*a)",
        "windows(**a)",
        "windows(1, 2, 3, 4)",
        "windows(x, z=1)",
    ):
        written = ast.parse(text, mode="eval").body
        assert isinstance(written, ast.Call)
        assert bound_to_arguments(helper, module, written, module) is None  # type: ignore[arg-type]


def test_calls_in_a_helper_skip_functions_nested_in_it() -> None:
    tree, _, _ = setup()
    calls = [ast.unparse(c.func) for c in calls_in(tree.body[2])]  # type: ignore[arg-type]
    assert calls == ["as_strided"]
