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

#: Methods that return a new array (or a number), never a view.
READING_METHODS = frozenset(
    {
        "copy", "sum", "max", "min", "mean", "std", "var", "prod", "any", "all",
        "argmax", "argmin", "tolist", "tobytes", "dot", "reshape", "flatten",
        "astype", "cumsum", "cumprod", "round", "clip", "nonzero", "item",
        "ptp", "trace", "argsort",
    }
)  # fmt: skip
#: Methods that return another view of the same memory.
VIEWING_METHODS = frozenset({"transpose", "swapaxes", "squeeze", "view"})
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


class Uses:
    """Each node's parent and each name's reads under one node (a
    statement, or a whole function), from one walk."""

    def __init__(self, root: ast.AST) -> None:
        self.parents: dict[ast.AST, ast.AST] = {}
        self.reads: dict[str, list[ast.Name]] = {}
        for parent in ast.walk(root):
            for child in ast.iter_child_nodes(parent):
                self.parents[child] = parent
                if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Load):
                    self.reads.setdefault(child.id, []).append(child)


class Place:
    """Where a call stands: the statement around it (walked at once) and
    the function around that (walked only to follow a name's reads)."""

    def __init__(self, statement: ast.AST, function: ast.AST | None) -> None:
        self.statement = Uses(statement)
        self.function = function
        self._everywhere: Uses | None = None

    def reads(self, name: str) -> list[ast.Name]:
        if self.function is None:
            return []
        if self._everywhere is None:
            self._everywhere = Uses(self.function)
        return self._everywhere.reads.get(name, [])

    def parent(self, node: ast.AST) -> ast.AST | None:
        found = self.statement.parents.get(node)
        if found is None and self._everywhere is not None:
            found = self._everywhere.parents.get(node)
        return found


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
    node: ast.expr, place: Place, numpy_names: frozenset[str], follow_names: bool
) -> bool:
    """Whether the array `node` evaluates to is used up where it stands, or
    (with `follow_names`, in a function) assigned to a name whose every later
    read uses it up, or whose writeable flag is then set."""
    parent = place.parent(node)
    if isinstance(parent, ast.Expr):
        return True  # made and dropped
    if isinstance(parent, ast.Attribute) and parent.value is node:
        call = place.parent(parent)
        if not isinstance(call, ast.Call) or call.func is not parent:
            return False
        if parent.attr in VIEWING_METHODS:  # another view: follow it
            return used_up(call, place, numpy_names, False)
        return parent.attr in READING_METHODS
    if isinstance(parent, ast.Call) and node in parent.args:
        name = _numpy_name(parent.func, numpy_names)
        writes = any(k.arg == "out" for k in parent.keywords)
        return name in READING_FUNCTIONS and not writes
    if isinstance(parent, (ast.BinOp, ast.Compare)):
        return True
    if (
        follow_names
        and isinstance(parent, ast.Assign)
        and len(parent.targets) == 1
        and isinstance(parent.targets[0], ast.Name)
    ):
        after = (parent.end_lineno or parent.lineno, parent.end_col_offset or 0)
        reads = [
            read
            for read in place.reads(parent.targets[0].id)
            if (read.lineno, read.col_offset) >= after
        ]
        if any(_sets_its_flags(read, place) for read in reads):
            return True  # writeable decided by hand
        return bool(reads) and all(
            used_up(read, place, numpy_names, False) for read in reads
        )
    return False


def _sets_its_flags(read: ast.Name, place: Place) -> bool:
    """``view.setflags(write=...)``."""
    parent = place.parent(read)
    return isinstance(parent, ast.Attribute) and parent.attr == "setflags"
