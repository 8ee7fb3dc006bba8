"""Whether a view is used up at once: copied, reduced or multiplied before
anything could write through it.

``as_strided(...).copy()``, ``np.einsum("ij,ij->i", view, w)``,
``view @ w``, ``view.max(axis=-1)`` and a reshape that merges window axes
leave no writeable view behind: advising ``writeable=False`` there is noise.
A view kept in a local name is used up at once when it is read, and every
later read of the name uses it up.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

#: Methods that return a new array (or a number), never a view.
READING_METHODS = frozenset(
    {
        "copy", "sum", "max", "min", "mean", "std", "var", "prod", "any", "all",
        "argmax", "argmin", "tolist", "tobytes", "dot", "reshape", "flatten",
        "astype", "cumsum", "cumprod", "round", "clip", "nonzero", "item",
        "ptp", "trace", "argsort",
    }
)  # fmt: skip
#: numpy functions that read their arguments into a new array (or a number).
READING_FUNCTIONS = frozenset(
    {
        "einsum", "tensordot", "dot", "matmul", "inner", "outer", "sum", "max",
        "min", "amax", "amin", "mean", "median", "std", "var", "prod", "average",
        "ascontiguousarray", "array", "copy", "concatenate", "stack", "vstack",
        "hstack", "all", "any", "argmax", "argmin", "nanmax", "nanmin", "nanmean",
        "nansum", "nanmedian", "percentile", "quantile", "nanpercentile",
        "count_nonzero", "sort", "where", "abs", "sqrt", "exp", "log", "multiply",
        "add", "subtract", "divide", "maximum", "minimum", "cumsum", "diff",
        "polyfit", "corrcoef", "cov", "sign", "square", "power", "isnan",
        "isfinite", "allclose", "array_equal", "unique", "histogram", "vdot",
    }
)  # fmt: skip


def _numpy_name(function: ast.expr, numpy_names: frozenset[str]) -> str | None:
    """``np.einsum`` -> ``einsum`` when ``np`` is numpy."""
    if not isinstance(function, ast.Attribute):
        return None
    root = function.value
    while isinstance(root, ast.Attribute):
        root = root.value
    if isinstance(root, ast.Name) and root.id in numpy_names:
        return function.attr
    return None


def used_up(
    node: ast.expr,
    parents: Mapping[ast.AST, ast.AST],
    numpy_names: frozenset[str],
    function: ast.AST | None,
) -> bool:
    """Whether the array `node` evaluates to is used up where it stands, or,
    assigned to a name in `function`, wherever the name is read."""
    parent = parents.get(node)
    if isinstance(parent, ast.Attribute) and parent.value is node:
        call = parents.get(parent)
        return (
            parent.attr in READING_METHODS
            and isinstance(call, ast.Call)
            and call.func is parent
        )
    if isinstance(parent, ast.Call) and node in parent.args:
        name = _numpy_name(parent.func, numpy_names)
        writes = any(k.arg == "out" for k in parent.keywords)
        return name in READING_FUNCTIONS and not writes
    if isinstance(parent, (ast.BinOp, ast.Compare)):
        return True
    if (
        isinstance(parent, ast.Assign)
        and function is not None
        and len(parent.targets) == 1
        and isinstance(parent.targets[0], ast.Name)
    ):
        return _every_read_uses_it_up(
            parent.targets[0].id, parent, parents, numpy_names, function
        )
    return False


def _every_read_uses_it_up(
    name: str,
    assignment: ast.Assign,
    parents: Mapping[ast.AST, ast.AST],
    numpy_names: frozenset[str],
    function: ast.AST,
) -> bool:
    after = (assignment.end_lineno or assignment.lineno, assignment.end_col_offset or 0)
    reads = [
        node
        for node in ast.walk(function)
        if isinstance(node, ast.Name)
        and node.id == name
        and isinstance(node.ctx, ast.Load)
        and (node.lineno, node.col_offset) >= after
    ]
    return bool(reads) and all(
        used_up(node, parents, numpy_names, None) for node in reads
    )
