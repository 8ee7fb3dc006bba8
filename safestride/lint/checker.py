"""The AST checker: walks a module, finds ``as_strided`` calls and writes
into their views, and asks the rules about them. Reads source only; never
imports numpy or runs the code."""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Callable, Iterable, Sequence

from safestride.lint.consumption import Place, used_up
from safestride.lint.evaluate import Evaluator
from safestride.lint.findings import Edit, Finding, Fix
from safestride.lint.helpers import (
    bound_to_arguments,
    callee,
    calls_in,
    find_helpers,
)
from safestride.lint.lowest_byte import WORD, lowest_byte_records
from safestride.lint.parsing import SPLIT_FROM_LINES
from safestride.lint.recognition import (
    NUMPY_MODULES,
    NUMPY_TARGETS,
    SAFESTRIDE_TARGETS,
    Recognizer,
    array_modules,
    call_argument,
    collect_aliases,
)
from safestride.lint.rules import RULES_BY_CODE
from safestride.lint.scopes import Scope
from safestride.lint.site_rules import (
    Site,
    foreign_window_counts,
    overlapping,
    site_reports,
)
from safestride.lint.sources import Sources
from safestride.lint.symbolic import Remainders

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
WRITING_METHODS = frozenset({"fill", "sort", "put", "itemset", "partition"})


class Relevance:
    """Which statements can matter: those whose lines mention a watched name.

    Only those are visited, so a large file with one as_strided call costs
    little more than its parse.
    """

    def __init__(self, lines: Sequence[str], names: Iterable[str]) -> None:
        self.lines = lines
        self.found: set[int] = set()
        self.marked: list[int] = []
        for name in names:
            self.watch(name)

    def watch(self, name: str) -> None:
        """Also count statements that mention `name` (a whole word)."""
        word = re.compile(rf"\b{re.escape(name)}\b")
        found = {n for n, line in enumerate(self.lines, 1) if name in line}
        found = {n for n in found if word.search(self.lines[n - 1])}
        if not found <= self.found:
            self.found |= found
            self.marked = sorted(self.found)

    def mentions(self, node: ast.stmt | ast.expr) -> bool:
        first = min([node.lineno, *(d.lineno for d in _decorators(node))])
        last = node.end_lineno or node.lineno
        position = bisect.bisect_left(self.marked, first)
        return position < len(self.marked) and self.marked[position] <= last


def _decorators(node: ast.AST) -> list[ast.expr]:
    return list(getattr(node, "decorator_list", []))


def _start(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


class Checker(ast.NodeVisitor):
    """Walks one module and collects findings."""

    def __init__(
        self,
        filename: str,
        lines: Sequence[str],
        tree: ast.Module,
        wants: Callable[[str], bool] = lambda code: True,
    ) -> None:
        """`wants` tells which rules run (the selection's ``wants``): the
        others cost nothing."""
        self.filename = filename
        self.wants = wants
        self.lines = lines
        self.relevant = Relevance(lines, ["as_strided"])
        self.aliases = collect_aliases(tree, self.relevant.mentions)
        self.recognizer = Recognizer(self.aliases, array_modules(lines))
        for name, target in self.aliases.items():
            if target in NUMPY_TARGETS | SAFESTRIDE_TARGETS and name != "as_strided":
                self.relevant.watch(name)
        walrus = any(":=" in line for line in lines)
        self.module = Scope.of(tree, walrus=walrus)
        self.module.unsure = _rebound_elsewhere(lines)
        self._watch_assigned_aliases()
        self.helpers = {}
        if wants("SST011"):  # calls of helpers that make views matter too
            self.helpers = find_helpers(tree, self.relevant.mentions)
            for name in self.helpers:
                self.relevant.watch(name)
        remainders = Remainders()
        self.strict = Evaluator(self.recognizer, remainders, strict=True)
        self.lenient = Evaluator(self.recognizer, remainders, strict=False)
        self.sources = Sources(self.lenient)
        self.numpy_names = frozenset(
            name for name, target in self.aliases.items() if target == "numpy"
        )
        self.scopes = [self.module]
        self.views: list[dict[str, bool]] = [{}]  # name -> writeable, overlapping
        self.places: dict[int, Place] = {}
        self.statement: ast.AST = tree
        self.entered: list[Scope] = []
        self.findings: list[Finding] = []

    def _watch_assigned_aliases(self) -> None:
        """``strided = np.lib.stride_tricks.as_strided`` at module level: calls
        of ``strided`` in any function matter."""
        for name, bindings in self.module.bindings.items():
            for binding in bindings:
                if binding.value is not None and self.recognizer.origin(
                    binding.value, self.module, binding.position
                ):
                    self.relevant.watch(name)

    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

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
        """Visit what can matter: statements that mention a watched name."""
        for statement in node.body:
            if self.relevant.mentions(statement) or isinstance(
                statement, (ast.Import, ast.ImportFrom)
            ):
                self.statement = statement
                self.visit(statement)
        if self.wants("SST012") and any(WORD in line for line in self.lines):
            self._check_lowest_bytes(node)
        self._release()

    def _check_lowest_bytes(self, tree: ast.Module) -> None:
        """SST012 over the statements that mention ``byte_bounds`` or a name
        bound to it."""
        relevance = Relevance(self.lines, [WORD])
        aliases = collect_aliases(tree, relevance.mentions)
        for name, target in aliases.items():
            if target.endswith(f".{WORD}"):
                relevance.watch(name)
        for name, bindings in self.module.bindings.items():
            if any(_names_byte_bounds(b.value) for b in bindings):
                relevance.watch(name)
        recognizer = Recognizer(aliases, self.recognizer.modules)
        for record in lowest_byte_records(
            tree, self.module, recognizer, relevance.mentions
        ):
            self.report(
                "SST012", record.call, array=record.array, line=record.record.lineno
            )

    def _release(self) -> None:
        """Scopes and bindings point at each other: break the cycles now, or
        the garbage collector pays for them while the next file is parsed."""
        for scope in self.entered:
            scope.release()
        self.module.release()
        self.entered.clear()
        self.places.clear()
        for evaluator in (self.strict, self.lenient):
            evaluator.forget()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if not self.relevant.mentions(node):
            return
        self._enter(Scope.of(node, self.scope), node.body)
        for decorator in node.decorator_list:
            self.visit(decorator)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if not self.relevant.mentions(node):
            return
        self._enter(Scope.of(node, self.scope), node.body)
        for decorator in node.decorator_list:
            self.visit(decorator)

    def _enter(self, scope: Scope, body: Iterable[ast.AST]) -> None:
        self.entered.append(scope)
        self.scopes.append(scope)
        self.views.append({})
        for statement in body:
            self.visit(statement)
        self.views.pop()
        self.scopes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._enter(Scope.of(node, self.scope), [node.body])

    def _view(self, name: str) -> bool:
        """Whether `name` is a writeable, overlapping as_strided view here."""
        return self.views[-1].get(name, False)

    # --------------------------------------------------------- statements

    def visit_If(self, node: ast.If) -> None:
        """A view made in one branch is not a view in the other."""
        self.visit(node.test)
        views = self.views[-1]
        before = dict(views)
        for statement in node.body:
            self.visit(statement)
        after_body = dict(views)
        views.clear()
        views.update(before)
        for statement in node.orelse:
            self.visit(statement)
        for name, writeable in after_body.items():
            views[name] = views.get(name, False) or writeable

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self._check_write_target(target)
            self.visit(target)
            self._bind_view(target, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
            self._bind_view(node.target, node.value)

    def _bind_view(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            site = None
            if isinstance(value, ast.Call) and self.wants("SST005"):
                site = self._site(value)
            writeable = site is not None and not _passes_writeable_false(site.call)
            self.views[-1][target.id] = (
                writeable and site is not None and overlapping(site)
            )
            if len(self.scopes) == 1 and self.views[-1][target.id]:
                self.relevant.watch(target.id)  # writes may be anywhere in the module
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                if isinstance(element, ast.Name):
                    self.views[-1].pop(element.id, None)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        root = _root_name(node.target)
        if root is not None and self._view(root):
            self.report("SST005", node, view=root)

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

    def _site(self, call: ast.Call) -> Site | None:
        """The call as an as_strided site, or None for other calls."""
        if self.recognizer.origin(call.func, self.scope, _start(call)) is None:
            return None
        return Site(
            call,
            self.scope,
            call_argument(call, 0, "x"),
            call_argument(call, 1, "shape"),
            call_argument(call, 2, "strides"),
            self.strict,
            self.lenient,
            self.sources,
        )

    def visit_Call(self, node: ast.Call) -> None:
        self.generic_visit(node)
        self._check_writes_through_calls(node)
        site = self._site(node)
        if site is None:
            if self.helpers:
                self._check_helper_call(node)
            return
        origin = self.recognizer.origin(node.func, self.scope, _start(node))
        if origin == "numpy" and isinstance(node.func, ast.Attribute):
            self.report("SST008", node.func)
        if (
            self.wants("SST004")
            and call_argument(node, 4, "writeable") is None
            and not used_up(
                node, self._place(node), self.numpy_names, self.scope.is_function
            )
        ):
            self.report("SST004", node)
        for found in site_reports(site, self.wants):
            self.report(found.code, found.node, None, **found.details)

    def _check_helper_call(self, call: ast.Call) -> None:
        """SST011 on the views a same-module helper makes from this call's
        arguments, reported at the call."""
        found = callee(call, self.scope, self.helpers)
        if found is None:
            return
        function, parent = found
        scope = bound_to_arguments(function, parent, call, self.scope)
        if scope is None:
            return
        self.entered.append(scope)
        for inner in calls_in(function):
            if self.recognizer.origin(inner.func, scope, _start(inner)) is None:
                continue
            site = Site(
                inner,
                scope,
                call_argument(inner, 0, "x"),
                call_argument(inner, 1, "shape"),
                call_argument(inner, 2, "strides"),
                self.strict,
                self.lenient,
                self.sources,
            )
            for report in foreign_window_counts(site, function.name):
                self.report(report.code, call, None, **report.details)
                return

    def _place(self, call: ast.Call) -> Place:
        """The statement of the current function (or the module's statement)
        that holds `call`, for the call's parents and later reads."""
        function = self.scope.node if self.scope.is_function else None
        statement: ast.AST = self.statement
        body = getattr(function, "body", None)
        if isinstance(body, list) and body:
            starts = [s.lineno for s in body]
            statement = body[max(0, bisect.bisect_right(starts, call.lineno) - 1)]
        elif function is not None:
            statement = function  # a lambda
        if id(statement) not in self.places:
            self.places[id(statement)] = Place(statement, function)
        return self.places[id(statement)]

    def _check_writes_through_calls(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg == "out":
                for written in _names_in(keyword.value):
                    if self._view(written):
                        self.report("SST005", keyword.value, view=written)
        function = node.func
        if self.recognizer.is_numpy(function, self.scope, _start(node), "copyto"):
            root = _root_name(node.args[0]) if node.args else None
            if root is not None and self._view(root):
                self.report("SST005", node.args[0], view=root)
        if isinstance(function, ast.Attribute) and function.attr in WRITING_METHODS:
            root = _root_name(function.value)
            if root is not None and self._view(root):
                self.report("SST005", node, view=root)

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


_GLOBAL = re.compile(r"^\s*global\s+([\w\s,]+)")


def _rebound_elsewhere(lines: Sequence[str]) -> frozenset[str]:
    """Module names a function may rebind (``global n``); every name (``*``)
    when the module is parsed in parts, some of its statements unseen."""
    if len(lines) >= SPLIT_FROM_LINES:
        return frozenset({"*"})
    names: set[str] = set()
    for line in lines:
        if "global" in line:
            match = _GLOBAL.match(line)
            if match:
                names.update(n.strip() for n in match.group(1).split(","))
    return frozenset(names)


def _names_byte_bounds(value: ast.expr | None) -> bool:
    """Whether `value` is a name or attribute path ending in ``byte_bounds``."""
    return isinstance(value, (ast.Name, ast.Attribute)) and ast.unparse(value).endswith(
        WORD
    )


def _character_column(line: str, byte_offset: int) -> int:
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))


def _passes_writeable_false(call: ast.Call) -> bool:
    value = call_argument(call, 4, "writeable")
    return isinstance(value, ast.Constant) and value.value is False


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _names_in(node: ast.expr) -> Iterable[str]:
    if isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            yield from _names_in(element)
    else:
        root = _root_name(node)
        if root is not None:
            yield root
