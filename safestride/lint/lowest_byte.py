"""SST012: an array's layout recorded as the offset of its lowest byte with
its strides.

``byte_bounds(a)[0]`` is the lowest byte `a` touches. Its first element,
``a[0, ..., 0]``, is there only while no stride is negative: the first
element of a reversed view is its highest byte. An offset taken from the
lowest byte and kept with ``a.strides`` (in one tuple, list, dict or call:
a pickle's reduce value, the arguments of a rebuild) describes a view that
starts at the wrong byte and walks backwards out of its memory.

Each function (and the module's own statements) is read by name, not by
order: a name holds `a`'s lowest byte if any assignment gives it one. The
rule stays quiet where the function shows the strides are not negative: a
sign test on them (``s < 0``), a contiguity flag tested in a branch that
holds the strides or the record (``if a.flags.c_contiguous:``), an
``assert`` of it or an early exit without it, or `a` made contiguous
(``a = np.ascontiguousarray(a)``).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from safestride.lint.recognition import Recognizer
from safestride.lint.scopes import Scope

#: Text a file must hold for the rule to read it.
WORD = "byte_bounds"
#: ``a.flags.<name>`` and ``a.flags["<NAME>"]`` that mean a contiguous array.
_FLAG_ATTRIBUTES = frozenset(
    {"c_contiguous", "f_contiguous", "contiguous", "fortran", "forc", "fnc"}
)
_FLAG_KEYS = frozenset(
    {"C_CONTIGUOUS", "F_CONTIGUOUS", "CONTIGUOUS", "FORTRAN", "C", "F", "FORC", "FNC"}
)
#: Calls whose result is contiguous, so its strides are not negative.
_CONTIGUOUS_MAKERS = frozenset(
    {"ascontiguousarray", "asfortranarray", "copy", "ravel", "flatten"}
)
#: Calls that show values rather than keep them.
_SHOWING = frozenset(
    {"print", "format", "debug", "info", "warning", "warn", "error", "log"}
)
_ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_NEW_SCOPES = (*_DEFINITIONS, ast.Lambda)


@dataclass(frozen=True)
class LowestByteRecord:
    """`call` (``byte_bounds(array)``) gives the lowest byte of `array`,
    kept with ``array.strides`` in `record`."""

    call: ast.Call
    array: str
    record: ast.expr


def lowest_byte_records(
    tree: ast.Module,
    module: Scope,
    recognizer: Recognizer,
    relevant: Callable[[ast.stmt | ast.expr], bool],
) -> list[LowestByteRecord]:
    """Every lowest-byte offset kept with the same array's strides, in the
    module's own statements and the functions and classes `relevant` to it
    (those that mention ``byte_bounds`` or a name for it)."""
    found: list[LowestByteRecord] = []
    _Unit(tree.body, module, recognizer).collect(found)
    read = list(_scopes(tree.body, module, relevant))
    for node, scope in read:
        _Unit(node.body, scope, recognizer).collect(found)
    for _, scope in read:
        scope.release()
    return found


def _scopes(
    body: Sequence[ast.stmt],
    parent: Scope,
    relevant: Callable[[ast.stmt | ast.expr], bool],
) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, Scope]]:
    """The functions and classes (nested too) whose text mentions the word."""
    for statement in _statements(body):
        if isinstance(statement, _DEFINITIONS) and relevant(statement):
            scope = Scope.of(statement, parent)
            yield statement, scope
            yield from _scopes(statement.body, scope, relevant)


def _statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of one scope, compound ones' insides included."""
    for statement in body:
        yield statement
        if isinstance(statement, _DEFINITIONS):
            continue
        for field_name in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(statement, field_name, []))
        for handler in getattr(statement, "handlers", []):
            yield from _statements(handler.body)
        for case in getattr(statement, "cases", []):
            yield from _statements(case.body)


def _nodes(body: Sequence[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of one scope, nested functions and classes left out."""
    stack: list[ast.AST] = [s for s in reversed(body) if not isinstance(s, _NEW_SCOPES)]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, _NEW_SCOPES):
                stack.append(child)


def _key(node: ast.expr) -> str:
    return ast.unparse(node)


def _flag_owner(node: ast.AST) -> str | None:
    """``a`` for ``a.flags.c_contiguous`` or ``a.flags["C_CONTIGUOUS"]``."""
    keyed = (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Constant)
        and str(node.slice.value).upper() in _FLAG_KEYS
    )
    named = isinstance(node, ast.Attribute) and node.attr in _FLAG_ATTRIBUTES
    if not (keyed or named):
        return None
    flags = node.value  # type: ignore[attr-defined]
    if isinstance(flags, ast.Attribute) and flags.attr == "flags":
        return _key(flags.value)
    return None


def _contiguity(test: ast.expr, negated: bool = False) -> tuple[set[str], set[str]]:
    """Arrays `test` says are contiguous when true, and when false."""
    when_true: set[str] = set()
    when_false: set[str] = set()
    stack: list[tuple[ast.AST, bool]] = [(test, negated)]
    while stack:
        node, flipped = stack.pop()
        owner = _flag_owner(node)
        if owner is not None:
            (when_false if flipped else when_true).add(owner)
            continue
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            stack.append((node.operand, not flipped))
            continue
        stack.extend((child, flipped) for child in ast.iter_child_nodes(node))
    return when_true, when_false


def _exits(body: Sequence[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Raise, ast.Return))


def _span(body: Sequence[ast.stmt]) -> tuple[int, int]:
    return body[0].lineno, body[-1].end_lineno or body[-1].lineno


class _Unit:
    """One function's (or the module's own) statements, read by name."""

    def __init__(
        self, body: Sequence[ast.stmt], scope: Scope, recognizer: Recognizer
    ) -> None:
        self.scope = scope
        self.recognizer = recognizer
        self.nodes = list(_nodes(body))
        self.statements = list(_statements(body))
        self.values: dict[str, list[tuple[ast.expr, int | None]]] = {}
        for node in self.nodes:
            self._assignment(node)
        self.guarded: dict[str, list[tuple[int, int]]] = {}
        self.contiguous: set[str] = set()
        self._read_guards()

    # ------------------------------------------------------------ reading

    def _assignment(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self._bind(target, node.value)
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value:
            self._bind(node.target, node.value)
        elif (
            isinstance(node, ast.AugAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(node.op, (ast.Add, ast.Sub))
        ):
            self.values.setdefault(node.target.id, []).append((node.value, None))

    def _bind(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.values.setdefault(target.id, []).append((value, None))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Name):
                    self.values.setdefault(element.id, []).append((value, index))

    def _read_guards(self) -> None:
        for statement in self.statements:
            if isinstance(statement, ast.If):
                when_true, when_false = _contiguity(statement.test)
                for array in when_true:
                    self._guard(array, statement.body)
                for array in when_false:
                    self._guard(array, statement.orelse)
                    if _exits(statement.body):
                        self.contiguous.add(array)
            elif isinstance(statement, ast.Assert):
                self.contiguous |= _contiguity(statement.test)[0]
            elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
                value = statement.value
                if isinstance(value, ast.Call) and self._makes_contiguous(value):
                    targets = (
                        statement.targets
                        if isinstance(statement, ast.Assign)
                        else [statement.target]
                    )
                    self.contiguous.update(_key(t) for t in targets)

    def _guard(self, array: str, body: Sequence[ast.stmt]) -> None:
        if body:
            self.guarded.setdefault(array, []).append(_span(body))

    def _makes_contiguous(self, call: ast.Call) -> bool:
        function = call.func
        name = function.attr if isinstance(function, ast.Attribute) else None
        if isinstance(function, ast.Name):
            name = function.id
        return name in _CONTIGUOUS_MAKERS

    def _is_guarded(self, array: str, node: ast.AST) -> bool:
        line = getattr(node, "lineno", 0)
        return any(first <= line <= last for first, last in self.guarded.get(array, []))

    # --------------------------------------------------------- what values hold

    def _byte_bounds(self, node: ast.expr) -> ast.Call | None:
        """`node` as a call of numpy's ``byte_bounds`` with one argument."""
        if not isinstance(node, ast.Call) or len(node.args) != 1:
            return None
        name = self.recognizer.qualified(
            node.func, self.scope, (node.lineno, node.col_offset)
        )
        if name is None or not name.endswith(".byte_bounds"):
            return None
        if name.startswith("numpy.") or name.endswith(".array_utils.byte_bounds"):
            return node
        return None

    def _bounds(self, node: ast.expr, seen: frozenset[str]) -> list[ast.Call]:
        """The ``byte_bounds`` calls whose pair `node` is (``bounds =
        byte_bounds(a)`` makes ``bounds`` one)."""
        call = self._byte_bounds(node)
        if call is not None:
            return [call]
        if not isinstance(node, ast.Name) or node.id in seen:
            return []
        return [
            found
            for value, index in self.values.get(node.id, [])
            if index is None
            for found in self._bounds(value, seen | {node.id})
        ]

    def lowest(
        self, node: ast.expr, seen: frozenset[str] = frozenset()
    ) -> dict[str, ast.Call]:
        """Arrays whose lowest byte `node` counts from, with the call giving it."""
        if isinstance(node, ast.Subscript) and _is_zero(node.slice):
            return {_key(c.args[0]): c for c in self._bounds(node.value, seen)}
        if isinstance(node, ast.Name) and node.id not in seen:
            found: dict[str, ast.Call] = {}
            for value, index in self.values.get(node.id, []):
                if index is None:
                    found.update(self.lowest(value, seen | {node.id}))
                elif index == 0:
                    call = self._byte_bounds(value)
                    if call is not None:
                        found[_key(call.args[0])] = call
            return found
        if isinstance(node, ast.BinOp):
            found = self.lowest(node.left, seen)
            if isinstance(node.op, ast.Add):
                found.update(self.lowest(node.right, seen))
            elif not isinstance(node.op, (ast.Sub, ast.Mult, ast.FloorDiv)):
                return {}
            return found
        if isinstance(node, ast.IfExp):
            return {**self.lowest(node.body, seen), **self.lowest(node.orelse, seen)}
        if _is_call_of(node, "int") and len(node.args) == 1:  # type: ignore[attr-defined]
            return self.lowest(node.args[0], seen)  # type: ignore[attr-defined]
        return {}

    def strides(self, node: ast.expr, seen: frozenset[str] = frozenset()) -> set[str]:
        """Arrays whose whole ``.strides`` `node` is."""
        if isinstance(node, ast.Attribute) and node.attr == "strides":
            array = _key(node.value)
            return set() if self._is_guarded(array, node) else {array}
        if isinstance(node, ast.Name) and node.id not in seen:
            found: set[str] = set()
            for value, index in self.values.get(node.id, []):
                if index is None:
                    found |= self.strides(value, seen | {node.id})
            return found
        if isinstance(node, ast.IfExp):
            return self.strides(node.body, seen) | self.strides(node.orelse, seen)
        if (_is_call_of(node, "tuple") or _is_call_of(node, "list")) and len(
            node.args  # type: ignore[attr-defined]
        ) == 1:
            return self.strides(node.args[0], seen)  # type: ignore[attr-defined]
        return set()

    # ----------------------------------------------------------- the rule

    def _sign_tested(self) -> set[str]:
        """Arrays whose strides the unit compares with zero."""
        stride_names: dict[str, set[str]] = {}
        for name in self.values:
            for array in self.strides(ast.Name(name, ast.Load())):
                stride_names.setdefault(array, set()).add(name)
        for node in self.nodes:
            if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                for array in self._strides_mentioned(node.iter, stride_names):
                    targets = {
                        n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)
                    }
                    stride_names.setdefault(array, set()).update(targets)
        tested: set[str] = set()
        for node in self.nodes:
            if isinstance(node, ast.Compare) and _against_zero(node):
                tested |= self._strides_mentioned(node, stride_names)
        return tested

    def _strides_mentioned(
        self, node: ast.AST, stride_names: dict[str, set[str]]
    ) -> set[str]:
        found: set[str] = set()
        for inner in ast.walk(node):
            if isinstance(inner, ast.Attribute) and inner.attr == "strides":
                found.add(_key(inner.value))
            elif isinstance(inner, ast.Name):
                found |= {a for a, names in stride_names.items() if inner.id in names}
        return found

    def collect(self, found: list[LowestByteRecord]) -> None:
        """Add this unit's records to `found`, one per ``byte_bounds`` call."""
        reported: set[int] = set()
        tested: set[str] | None = None
        for record, parts in self._records():
            lowest: dict[str, ast.Call] = {}
            strides: set[str] = set()
            for part in parts:
                lowest.update(self.lowest(part))
                strides |= self.strides(part)
            for array, call in lowest.items():
                if array not in strides or id(call) in reported:
                    continue
                if array in self.contiguous or self._is_guarded(array, record):
                    continue
                if tested is None:
                    tested = self._sign_tested()
                if array in tested:
                    continue
                reported.add(id(call))
                found.append(LowestByteRecord(call, array, record))

    def _records(self) -> Iterator[tuple[ast.expr, list[ast.expr]]]:
        """Tuples, lists, dicts and calls, with the values each keeps."""
        for node in self.nodes:
            if isinstance(node, (ast.Tuple, ast.List)):
                yield node, [e for e in node.elts if not isinstance(e, ast.Starred)]
            elif isinstance(node, ast.Dict):
                yield node, list(node.values)
            elif isinstance(node, ast.Call) and not _shows(node):
                values = [a for a in node.args if not isinstance(a, ast.Starred)]
                yield node, [*values, *(k.value for k in node.keywords)]


def _is_zero(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant) and node.value == 0 and node.value is not False
    )


def _is_call_of(node: ast.AST, name: str) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == name
    )


def _against_zero(node: ast.Compare) -> bool:
    operands = [node.left, *node.comparators]
    return any(isinstance(op, _ORDERING) for op in node.ops) and any(
        _is_zero(operand) for operand in operands
    )


def _shows(call: ast.Call) -> bool:
    function = call.func
    if isinstance(function, ast.Name):
        return function.id in _SHOWING
    return isinstance(function, ast.Attribute) and function.attr in _SHOWING
