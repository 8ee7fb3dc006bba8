"""The AST checker: finds ``as_strided`` calls and judges where their strides
come from. Reads source only; never imports numpy or runs the code."""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from safestride.lint.findings import Edit, Finding, Fix
from safestride.lint.rules import RULES_BY_CODE

NUMPY_MODULES = ("numpy.lib.stride_tricks", "numpy.lib._stride_tricks_impl")
SAFESTRIDE_MODULES = ("safestride", "safestride.stride_tricks")
NUMPY_TARGETS = frozenset(f"{module}.as_strided" for module in NUMPY_MODULES)
SAFESTRIDE_TARGETS = frozenset(
    f"{module}.{name}"
    for module in SAFESTRIDE_MODULES
    for name in ("as_strided", "safe_as_strided")
)
#: Names safestride.stride_tricks offers under numpy's names.
MIRRORED = frozenset(
    {
        "as_strided",
        "sliding_window_view",
        "broadcast_to",
        "broadcast_arrays",
        "broadcast_shapes",
    }
)
#: Calls whose result has the same memory layout as their first argument.
SAME_LAYOUT_CALLS = frozenset({"asarray", "asanyarray", "view"})
WRITING_METHODS = frozenset({"fill", "sort", "put", "itemset", "partition"})
#: Calls whose result is made of their arguments' values: strides pass through.
TRANSPARENT_CALLS = frozenset(
    {
        "tuple",
        "list",
        "abs",
        "int",
        "max",
        "min",
        "sum",
        "reversed",
        "sorted",
        "multiply",
        "prod",
        "cumprod",
        "negative",
        "array",
        "asarray",
    }
)
MAX_DEPTH = 6


@dataclass(frozen=True)
class Source:
    """One ingredient of a strides expression."""

    kind: str  # "strides", "itemsize", "shape", "constant", "unknown"
    array: str = ""
    value: int = 0
    text: str = ""


@dataclass
class Scope:
    """Assignments and strided views seen so far in one function (or module)."""

    assignments: dict[str, list[tuple[int, ast.expr]]] = field(default_factory=dict)
    views: dict[str, bool] = field(default_factory=dict)  # name -> writeable


def _qualified(node: ast.expr, aliases: dict[str, str]) -> str | None:
    """``np.lib.stride_tricks.as_strided`` -> ``numpy.lib.stride_tricks.as_strided``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in aliases:
        return None
    return ".".join([aliases[node.id], *reversed(parts)])


def _imports(body: Sequence[ast.stmt], relevant: Relevance) -> Iterator[ast.stmt]:
    """Import statements at module level, in compound statements, and in the
    functions and classes that mention as_strided (the others cannot matter)."""
    for statement in body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            yield statement
        elif isinstance(
            statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        ):
            if relevant.mentions(statement):
                yield from _imports(statement.body, relevant)
        else:
            for field_name in ("body", "orelse", "finalbody"):
                yield from _imports(getattr(statement, field_name, []), relevant)
            for handler in getattr(statement, "handlers", []):
                yield from _imports(handler.body, relevant)


def collect_aliases(tree: ast.Module, relevant: Relevance) -> dict[str, str]:
    """Every name the module binds to numpy or safestride modules and functions."""
    aliases: dict[str, str] = {}
    for node in _imports(tree.body, relevant):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] not in ("numpy", "safestride"):
                    continue
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    aliases[root] = root
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in ("numpy", "safestride"):
                continue
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


class Relevance:
    """Which statements can matter: those whose lines mention a watched name.

    Only those are visited, so a large file with one as_strided call costs
    little more than its parse.
    """

    def __init__(self, lines: Sequence[str], names: Iterable[str]) -> None:
        self.lines = lines
        self.marked: list[int] = []
        for name in names:
            self.watch(name)

    def watch(self, name: str) -> None:
        """Also count statements that mention `name` (a whole word)."""
        word = re.compile(rf"\b{re.escape(name)}\b")
        found = {n for n, line in enumerate(self.lines, 1) if name in line}
        found = {n for n in found if word.search(self.lines[n - 1])}
        self.marked = sorted(set(self.marked) | found)

    def mentions(self, node: ast.stmt) -> bool:
        first = min([node.lineno, *(d.lineno for d in _decorators(node))])
        last = node.end_lineno or node.lineno
        position = bisect.bisect_left(self.marked, first)
        return position < len(self.marked) and self.marked[position] <= last


def _decorators(node: ast.stmt) -> list[ast.expr]:
    return list(getattr(node, "decorator_list", []))


class Checker(ast.NodeVisitor):
    """Walks one module and collects findings."""

    def __init__(self, filename: str, lines: Sequence[str], tree: ast.Module) -> None:
        self.filename = filename
        self.lines = lines
        self.relevant = Relevance(lines, ["as_strided"])
        self.aliases = collect_aliases(tree, self.relevant)
        for name, target in self.aliases.items():
            if target in NUMPY_TARGETS | SAFESTRIDE_TARGETS and name != "as_strided":
                self.relevant.watch(name)
        self.scopes = [Scope()]
        self.findings: list[Finding] = []
        self.bindings = 0  # numbers bindings in order: a name's value refers to
        # the bindings made before it (`arr = arr[1:]` is not a cycle)

    # ----------------------------------------------------------- reporting

    def report(
        self,
        code: str,
        node: ast.AST,
        fix: Fix | None = None,
        **details: object,
    ) -> None:
        rule = RULES_BY_CODE[code]
        self.findings.append(
            Finding(
                code=code,
                message=rule.message.format(**details),
                filename=self.filename,
                line=node.lineno,  # type: ignore[attr-defined]
                column=node.col_offset + 1,  # type: ignore[attr-defined]
                end_line=node.end_lineno or node.lineno,  # type: ignore[attr-defined]
                end_column=(node.end_col_offset or 0) + 1,  # type: ignore[attr-defined]
                fix=fix,
            )
        )

    # -------------------------------------------------------------- scopes

    def visit_Module(self, node: ast.Module) -> None:
        """Visit what can matter; only record the module's other bindings."""
        for statement in node.body:
            if self.relevant.mentions(statement) or isinstance(
                statement, (ast.Import, ast.ImportFrom)
            ):
                self.visit(statement)
            elif isinstance(statement, ast.Assign):
                for target in statement.targets:
                    self._bind(target, statement.value)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if self.relevant.mentions(node):
            self.generic_visit(node)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if not self.relevant.mentions(node):
            return
        self.scopes.append(Scope())
        for statement in node.body:
            self.visit(statement)
        self.scopes.pop()
        for decorator in node.decorator_list:
            self.visit(decorator)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def _bind(self, target: ast.expr, value: ast.expr) -> None:
        scope = self.scopes[-1]
        if isinstance(target, ast.Name):
            self.bindings += 1
            scope.assignments.setdefault(target.id, []).append((self.bindings, value))
            scope.views.pop(target.id, None)
            if isinstance(value, ast.Call) and self._as_strided_origin(value):
                scope.views[target.id] = not _passes_writeable_false(value)
                if len(self.scopes) == 1:  # writes may be anywhere in the module
                    self.relevant.watch(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            values = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
            for position, element in enumerate(target.elts):
                if values is not None and len(values) == len(target.elts):
                    self._bind(element, values[position])
                else:
                    self._bind(element, value)  # one of its elements

    def _lookup(self, name: str, before: int) -> tuple[ast.expr, int] | None:
        """The value `name` was last bound to before binding number `before`."""
        for scope in reversed(self.scopes):
            for number, value in reversed(scope.assignments.get(name, [])):
                if number < before:
                    return value, number
        return None

    def _view(self, name: str) -> bool:
        """Whether `name` is a writeable as_strided view in this scope."""
        return self.scopes[-1].views.get(name, False)

    # --------------------------------------------------------- statements

    def visit_If(self, node: ast.If) -> None:
        """A view made in one branch is not a view in the other."""
        self.visit(node.test)
        scope = self.scopes[-1]
        before = dict(scope.views)
        for statement in node.body:
            self.visit(statement)
        after_body, scope.views = scope.views, dict(before)
        for statement in node.orelse:
            self.visit(statement)
        for name, writeable in after_body.items():
            scope.views[name] = scope.views.get(name, False) or writeable

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self._check_write_target(target)
            self.visit(target)
            self._bind(target, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            self._bind(node.target, node.value)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        root = _root_name(node.target)
        if root is not None and self._view(root):
            self.report("SST005", node, view=root)
        if isinstance(node.target, ast.Name):
            combined = ast.BinOp(ast.Name(node.target.id), node.op, node.value)
            self.bindings += 1
            self.scopes[-1].assignments.setdefault(node.target.id, []).append(
                (self.bindings, combined)
            )

    def _check_write_target(self, target: ast.expr) -> None:
        if isinstance(target, ast.Subscript):
            root = _root_name(target)
            if root is not None and self._view(root):
                self.report("SST005", target, view=root)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._check_write_target(element)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        imports_it = any(alias.name == "as_strided" for alias in node.names)
        if node.module in NUMPY_MODULES and node.level == 0 and imports_it:
            self.report("SST008", node, fix=self._import_fix(node))

    # ----------------------------------------------------------- calls

    def _as_strided_origin(self, call: ast.Call) -> str | None:
        """ "numpy" or "safestride" when `call` calls an as_strided, else None."""
        name = _qualified(call.func, self.aliases)
        if name in NUMPY_TARGETS:
            return "numpy"
        if name in SAFESTRIDE_TARGETS:
            return "safestride"
        return None

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        self._check_writes_through_calls(node)
        origin = self._as_strided_origin(node)
        if origin is None:
            return
        if origin == "numpy" and isinstance(node.func, ast.Attribute):
            self.report("SST008", node.func)
        self._check_as_strided(node)

    def _check_writes_through_calls(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg == "out":
                for written in _names_in(keyword.value):
                    if self._view(written):
                        self.report("SST005", keyword.value, view=written)
        name = _qualified(node.func, self.aliases)
        if name == "numpy.copyto" and node.args:
            root = _root_name(node.args[0])
            if root is not None and self._view(root):
                self.report("SST005", node.args[0], view=root)
        if isinstance(node.func, ast.Attribute) and node.func.attr in WRITING_METHODS:
            root = _root_name(node.func.value)
            if root is not None and self._view(root):
                self.report("SST005", node, view=root)

    def _check_as_strided(self, call: ast.Call) -> None:
        x = _argument(call, 0, "x")
        shape = _argument(call, 1, "shape")
        strides = _argument(call, 2, "strides")
        if _argument(call, 4, "writeable") is None:
            self.report("SST004", call)
        if x is None or strides is None:
            return
        now = self.bindings + 1
        array = self._family(x, now)
        label = ast.unparse(x)
        sources = self._sources(strides, now)
        foreign = [
            s
            for s in sources
            if s.kind in ("strides", "itemsize") and s.array and s.array != array
        ]
        if foreign:
            self.report("SST001", strides, array=label, source=foreign[0].text)
        elif any(s.kind == "itemsize" for s in sources) and not any(
            s.kind == "strides" for s in sources
        ):
            self.report("SST002", strides, array=label)
        elements = self._elements(strides, now)
        if elements is not None:
            self._check_literals(strides, elements, label, now)
        zero = self._zero_stride(strides, now)
        if zero is not None:
            self.report("SST006", _within(zero, strides), array=label)
        if self._is_window(strides, shape, elements):
            self.report("SST007", call, array=label)

    def _check_literals(
        self, strides: ast.expr, elements: list[ast.expr], label: str, now: int
    ) -> None:
        for element in elements:
            sources = self._sources(element, now)
            constants = [s for s in sources if s.kind == "constant"]
            if len(constants) == len(sources) and any(s.value for s in constants):
                place = _within(element, strides)
                self.report("SST003", place, array=label, value=ast.unparse(element))
                return

    def _zero_stride(
        self, node: ast.expr, before: int, depth: int = 0
    ) -> ast.expr | None:
        """A literal 0 inside a tuple of strides, following local names."""
        if depth > MAX_DEPTH:
            return None
        for child in ast.walk(node):
            if isinstance(child, (ast.Tuple, ast.List)):
                zero = next((e for e in child.elts if _is_zero(e)), None)
                if zero is not None:
                    return zero
            elif isinstance(child, ast.Name):
                bound = self._lookup(child.id, before)
                if bound is not None:
                    found = self._zero_stride(bound[0], bound[1], depth + 1)
                    if found is not None:
                        return found
        return None

    def _is_window(
        self,
        strides: ast.expr,
        shape: ast.expr | None,
        elements: list[ast.expr] | None,
    ) -> bool:
        if isinstance(strides, ast.BinOp) and isinstance(strides.op, ast.Mult):
            repeat = strides.right if _is_strides(strides.left) else strides.left
            if isinstance(repeat, ast.Constant) and repeat.value in range(2, 64):
                return True
        if isinstance(strides, ast.BinOp) and isinstance(strides.op, ast.Add):
            left = {ast.unparse(n) for n in ast.walk(strides.left) if _is_strides(n)}
            right = {ast.unparse(n) for n in ast.walk(strides.right) if _is_strides(n)}
            if left & right:
                return True
        if elements is not None:
            moving = [ast.unparse(e) for e in elements if not _is_zero(e)]
            moving = [text for text in moving if not text.isdigit()]
            if len(moving) != len(set(moving)):
                return True
        return shape is not None and _counts_windows(shape)

    # -------------------------------------------------- where strides come from

    def _family(self, node: ast.expr, before: int, depth: int = 0) -> str:
        """A name for the array `node` is, the same for its aliases and slices."""
        if depth > MAX_DEPTH:
            return ast.unparse(node)
        if isinstance(node, ast.Subscript):
            return self._family(node.value, before, depth + 1)
        if isinstance(node, ast.Call) and node.args:
            function = node.func
            called = function.attr if isinstance(function, ast.Attribute) else ""
            if isinstance(function, ast.Name):
                called = function.id
            if called in SAME_LAYOUT_CALLS:
                if isinstance(function, ast.Attribute) and called == "view":
                    return self._family(function.value, before, depth + 1)
                return self._family(node.args[0], before, depth + 1)
        if isinstance(node, ast.Name):
            bound = self._lookup(node.id, before)
            if bound is not None and isinstance(
                bound[0], (ast.Name, ast.Subscript, ast.Call)
            ):
                return self._family(bound[0], bound[1], depth + 1)
            return node.id
        return ast.unparse(node)

    def _sources(self, node: ast.expr, before: int, depth: int = 0) -> set[Source]:
        if depth > MAX_DEPTH:
            return {Source("unknown")}
        if isinstance(node, ast.Attribute):
            if node.attr == "strides":
                family = self._family(node.value, before)
                return {Source("strides", family, text=ast.unparse(node))}
            if node.attr == "itemsize":
                owner = node.value
                if isinstance(owner, ast.Attribute) and owner.attr == "dtype":
                    owner = owner.value
                family = self._family(owner, before)
                return {Source("itemsize", family, text=ast.unparse(node))}
            if node.attr in ("shape", "size", "ndim"):
                return {Source("shape", self._family(node.value, before))}
            return {Source("unknown")}
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return {Source("constant", value=node.value)}
        if isinstance(node, ast.Name):
            bound = self._lookup(node.id, before)
            if bound is None:
                return {Source("unknown")}
            return self._sources(bound[0], bound[1], depth + 1)
        if isinstance(node, ast.Call) and _callee(node) not in TRANSPARENT_CALLS:
            return {Source("unknown")}  # a helper's result: its own business
        found: set[Source] = set()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                found |= self._sources(child, before, depth + 1)
            elif isinstance(child, ast.comprehension):
                found |= self._sources(child.iter, before, depth + 1)
        return found or {Source("unknown")}

    def _elements(
        self, node: ast.expr, before: int, depth: int = 0
    ) -> list[ast.expr] | None:
        """The elements of a strides tuple written out in the code, if it is."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, (ast.Tuple, ast.List)):
            if any(isinstance(e, ast.Starred) for e in node.elts):
                return None
            return list(node.elts)
        if isinstance(node, ast.Name):
            bound = self._lookup(node.id, before)
            return None if bound is None else self._elements(*bound, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left = self._elements(node.left, before, depth + 1)
            right = self._elements(node.right, before, depth + 1)
            return None if left is None or right is None else left + right
        return None

    # ---------------------------------------------------------------- fixes

    def _import_fix(self, node: ast.ImportFrom) -> Fix | None:
        names = [alias.name for alias in node.names]
        if "*" in names:
            return None
        indent = " " * node.col_offset
        if set(names) <= MIRRORED:
            text = ast.unparse(
                ast.ImportFrom(
                    module="safestride.stride_tricks", names=node.names, level=0
                )
            )
        else:
            ours = [alias for alias in node.names if alias.name == "as_strided"]
            rest = [alias for alias in node.names if alias.name != "as_strided"]
            text = (
                ast.unparse(ast.ImportFrom(module=node.module, names=rest, level=0))
                + "\n"
                + indent
                + ast.unparse(ast.ImportFrom(module="safestride", names=ours, level=0))
            )
        edit = self._edit(node, text)
        if edit is None:
            return None
        return Fix("Import as_strided from safestride", (edit,))

    def _edit(self, node: ast.stmt, text: str) -> Edit | None:
        """An edit replacing `node`'s source, in character (not byte) columns."""
        end_line = node.end_lineno
        end_byte = node.end_col_offset
        if end_line is None or end_byte is None:
            return None
        start = _character_column(self.lines[node.lineno - 1], node.col_offset)
        end = _character_column(self.lines[end_line - 1], end_byte)
        return Edit(node.lineno, start + 1, end_line, end + 1, text)


def _within(node: ast.expr, container: ast.expr) -> ast.expr:
    """`node` if it is written inside `container`, else `container` itself.

    A literal reached through a local variable is reported at the call.
    """
    return node if any(child is node for child in ast.walk(container)) else container


def _character_column(line: str, byte_offset: int) -> int:
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if len(call.args) > position and not any(
        isinstance(a, ast.Starred) for a in call.args[: position + 1]
    ):
        return call.args[position]
    return None


def _passes_writeable_false(call: ast.Call) -> bool:
    value = _argument(call, 4, "writeable")
    return isinstance(value, ast.Constant) and value.value is False


def _callee(call: ast.Call) -> str:
    function = call.func
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else ""


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _names_in(node: ast.expr) -> Iterator[str]:
    if isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            yield from _names_in(element)
    else:
        root = _root_name(node)
        if root is not None:
            yield root


def _is_zero(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Constant) and type(node.value) is int and node.value == 0
    )


def _is_strides(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "strides"


def _counts_windows(shape: ast.expr) -> bool:
    """Whether a shape element reads like ``n - k + 1`` (a window count)."""
    for node in ast.walk(shape):
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Add)
            and isinstance(node.right, ast.Constant)
            and node.right.value == 1
            and isinstance(node.left, ast.BinOp)
            and isinstance(node.left.op, ast.Sub)
        ):
            return True
    return False
