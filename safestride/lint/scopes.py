"""Which value a name has at a given place: bindings per scope, in order.

A `Scope` records every binding of a function (or module, or class body)
with where it takes effect and which conditional blocks hold it. A lookup
answers with the binding that reaches a use, and whether it surely does: a
binding inside an ``if`` branch, a loop or an ``except`` that does not also
hold the use may not have run, and a loop may carry a later binding back to
an earlier use. Rules that prove things only use sure answers.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

Position = tuple[int, int]

_counter = itertools.count()

#: Statement fields whose statements may not run, or may run again.
_CONDITIONAL = {
    ast.If: ("body", "orelse"),
    ast.For: ("body", "orelse"),
    ast.AsyncFor: ("body", "orelse"),
    ast.While: ("body", "orelse"),
    ast.Try: ("handlers", "orelse"),
}
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
#: Attributes whose assignment changes an array's layout.
_LAYOUT = frozenset({"shape", "strides", "dtype"})
#: Methods that change a list or array in place.
_MUTATING_METHODS = frozenset(
    {"append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear"}
    | {"fill", "put", "itemset", "setfield", "resize", "byteswap"}
)
_LAYOUT_METHODS = frozenset({"resize"})
_NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


@dataclass(frozen=True)
class Binding:
    """`name` bound at `position` to element `path` of `value` (None: bound in
    a way the linter does not follow, such as a parameter or a loop target).

    `width` holds the length of each unpacking target along `path`: in
    ``n, c, h, w = x.shape`` it tells that ``x`` has four dimensions.

    A `mutation` changes the value in place: ``"items"`` (``s[0] *= 2``,
    ``s.append(k)``) or ``"layout"`` (``x.shape = ...``); its `value` is
    the name as read just before.
    """

    name: str
    value: ast.expr | None
    position: Position
    scope: Scope
    path: tuple[int, ...] = ()
    width: tuple[int, ...] = ()
    mutation: str = ""

    @property
    def key(self) -> str:
        """Tells this binding from every other, for symbols made from it."""
        return f"{self.scope.number}:{self.name}@{self.position[0]}:{self.position[1]}"


@dataclass(frozen=True)
class Block:
    """Statements that may not run (or may run again, for a loop body)."""

    number: int
    first: Position
    last: Position
    loop: bool

    def holds(self, position: Position) -> bool:
        return self.first <= position <= self.last


@dataclass(frozen=True)
class Resolution:
    """What a name refers to at a use: its binding, and whether surely.

    `merge` names the bindings that may reach the use: two uses with the
    same `merge` read the same value even when it is not sure which.
    """

    binding: Binding | None
    sure: bool
    merge: str = ""


@dataclass(eq=False)
class Scope:
    """The bindings of one function, class body or module.

    `attributes` holds a method's ``self.x = ...`` bindings, by attribute.
    `walrus`: whether to look for ``:=`` (a module without any need not).
    `unsure`: names whose bindings here may not all be seen (``global x`` in
    a function; ``*`` for every name of a module parsed in parts).
    """

    node: ast.AST
    parent: Scope | None = None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    attributes: dict[str, list[Binding]] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    number: int = field(default_factory=lambda: next(_counter))
    methods: dict[int, Scope] = field(default_factory=dict)
    method_attributes: dict[str, list[Binding]] | None = None
    walrus: bool = True
    unsure: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, node: ast.AST, parent: Scope | None = None, walrus: bool = True
    ) -> Scope:
        """The scope of a module, class or function node, its bindings read.

        A method's scope is made once and kept by its class's scope, which
        reads every method's ``self.x = ...`` from it.
        """
        if parent is not None and isinstance(parent.node, ast.ClassDef):
            if id(node) not in parent.methods:
                parent.methods[id(node)] = cls._read(node, parent, parent.walrus)
            return parent.methods[id(node)]
        return cls._read(node, parent, walrus if parent is None else parent.walrus)

    @classmethod
    def fresh(cls, node: ast.AST, parent: Scope) -> Scope:
        """Another reading of a function's bindings, apart from the one its
        class keeps: for binding its parameters to one call's arguments."""
        return cls._read(node, parent, parent.walrus)

    @classmethod
    def _read(cls, node: ast.AST, parent: Scope | None, walrus: bool) -> Scope:
        scope = cls(node, parent, walrus=walrus)
        _Recorder(scope).record(node)
        return scope

    @property
    def is_function(self) -> bool:
        return isinstance(
            self.node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
        )

    @property
    def self_name(self) -> str | None:
        """The first parameter's name in a method (usually ``self``)."""
        if self.parent is None or not isinstance(self.parent.node, ast.ClassDef):
            return None
        if not isinstance(self.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        first = [*self.node.args.posonlyargs, *self.node.args.args]
        return first[0].arg if first else None

    def _blocks_at(self, position: Position) -> list[Block]:
        return [block for block in self.blocks if block.holds(position)]

    def _resolve(self, bindings: Sequence[Binding], use: Position) -> Resolution:
        before = [b for b in bindings if b.position <= use]
        if not before:
            return Resolution(None, False)
        last = _latest(before)
        merge = f"{self.number}:{last.name}<{len(before)}"
        around = {block.number for block in self._blocks_at(use)}
        sure = all(block.number in around for block in self._blocks_at(last.position))
        for block in self._blocks_at(use):
            if block.loop and any(
                b.position > use and block.holds(b.position) for b in bindings
            ):
                sure = False
        return Resolution(last, sure, merge)

    def lookup(self, name: str, use: Position) -> Resolution:
        """The binding of `name` that reaches `use`, searching enclosing
        function scopes and the module the way Python does."""
        if name in self.bindings:
            found = self._resolve(self.bindings[name], use)
            if self._unsure(name):
                return Resolution(found.binding, False, found.merge)
            return found
        scope = self.parent
        while scope is not None:
            if not isinstance(scope.node, ast.ClassDef) and name in scope.bindings:
                bindings = scope.bindings[name]
                merge = f"{scope.number}:{name}<all"
                sure = len(bindings) == 1 and not scope._unsure(name)
                return Resolution(_latest(bindings), sure, merge)
            scope = scope.parent
        return Resolution(None, False)

    def _unsure(self, name: str) -> bool:
        return name in self.unsure or "*" in self.unsure

    def lookup_attribute(self, name: str, use: Position) -> Resolution:
        """``self.name`` in a method: set earlier in this method, or set once
        in the class (in ``__init__`` or any other method)."""
        if name in self.attributes:
            found = self._resolve(self.attributes[name], use)
            if found.binding is not None:
                return found
        if self.self_name is None or self.parent is None:
            return Resolution(None, False)
        everywhere = self.parent.class_attributes().get(name, [])
        if len(everywhere) == 1:
            return Resolution(everywhere[0], True)
        return Resolution(everywhere[-1] if everywhere else None, False)

    def release(self) -> None:
        """Drop the bindings (which point back here) and the methods' scopes,
        so the memory goes back at once rather than at the next collection."""
        for method in self.methods.values():
            method.release()
        self.bindings.clear()
        self.attributes.clear()
        self.methods.clear()
        self.method_attributes = None
        self.parent = None

    def class_attributes(self) -> dict[str, list[Binding]]:
        """In a class body's scope: every method's ``self.x = ...``."""
        if self.method_attributes is None:
            table: dict[str, list[Binding]] = {}
            for statement in getattr(self.node, "body", []):
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    method = Scope.of(statement, self)
                    for name, bindings in method.attributes.items():
                        table.setdefault(name, []).extend(bindings)
            self.method_attributes = table
        return self.method_attributes


def _latest(bindings: Sequence[Binding]) -> Binding:
    """The binding made last; of one statement's (``n, h, h = ...``), the
    rightmost, as Python assigns from left to right."""
    return max(enumerate(bindings), key=lambda pair: (pair[1].position, pair[0]))[1]


def _end(node: ast.AST) -> Position:
    return (
        getattr(node, "end_lineno", None) or node.lineno,  # type: ignore[attr-defined]
        getattr(node, "end_col_offset", None) or 0,
    )


def _start(node: ast.AST) -> Position:
    return (node.lineno, node.col_offset)  # type: ignore[attr-defined]


class _Recorder:
    """Reads one scope's bindings (not those of scopes nested in it)."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def record(self, node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            arguments = node.args
            everything = [
                *arguments.posonlyargs,
                *arguments.args,
                *arguments.kwonlyargs,
                *(a for a in (arguments.vararg, arguments.kwarg) if a is not None),
            ]
            for argument in everything:
                self._opaque(argument.arg, (0, 0))
        if isinstance(node, ast.Lambda):
            return
        self._statements(getattr(node, "body", []))

    def _statements(self, statements: Sequence[ast.stmt]) -> None:
        for statement in statements:
            self._statement(statement)

    def _block(self, statements: Sequence[ast.AST], loop: bool) -> None:
        if not statements:
            return
        self.scope.blocks.append(
            Block(next(_counter), _start(statements[0]), _end(statements[-1]), loop)
        )

    def _statement(self, statement: ast.stmt) -> None:
        if isinstance(statement, _NEW_SCOPES):
            self._opaque(statement.name, _end(statement))
            return
        if isinstance(statement, ast.Assign):
            for target in statement.targets:
                self._target(target, statement.value, _end(statement), ())
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            self._target(statement.target, statement.value, _end(statement), ())
        elif isinstance(statement, ast.AugAssign):
            if isinstance(statement.target, ast.Subscript):
                self._mutated(statement.target, "items", _end(statement))
            if isinstance(statement.target, (ast.Name, ast.Attribute)):
                read = ast.Load()
                current = (
                    ast.Name(statement.target.id, read)
                    if isinstance(statement.target, ast.Name)
                    else ast.Attribute(
                        statement.target.value, statement.target.attr, read
                    )
                )
                combined = ast.BinOp(current, statement.op, statement.value)
                ast.copy_location(combined, statement)
                ast.copy_location(current, statement.target)
                self._target(statement.target, combined, _end(statement), ())
        elif isinstance(statement, (ast.For, ast.AsyncFor)):
            self._unfollowed(statement.target, _end(statement.target))
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            for item in statement.items:
                if item.optional_vars is not None:
                    self._unfollowed(item.optional_vars, _end(item.optional_vars))
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            for alias in statement.names:
                name = alias.asname or alias.name.split(".")[0]
                self._opaque(name, _end(statement))
        elif isinstance(statement, ast.Try):
            for handler in statement.handlers:
                if handler.name:
                    self._opaque(handler.name, _start(handler))
        elif isinstance(statement, ast.Expr):
            self._mutating_call(statement.value, _end(statement))
        elif isinstance(statement, ast.Delete):
            for target in statement.targets:
                if isinstance(target, ast.Subscript):
                    self._mutated(target, "items", _end(statement))
        if self.scope.walrus:
            self._walrus(statement)
        conditional = _CONDITIONAL.get(type(statement), ())
        for field_name in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(statement, field_name, None)
            if not children:
                continue
            if field_name == "handlers":
                for handler in children:
                    self._block(handler.body, False)
                    self._statements(handler.body)
            elif field_name == "cases":
                for case in children:
                    self._block(case.body, False)
                    self._statements(case.body)
            else:
                if field_name in conditional:
                    self._block(children, isinstance(statement, _LOOPS))
                self._statements(children)

    def _walrus(self, statement: ast.stmt) -> None:
        for node in _expressions(statement):
            if isinstance(node, ast.NamedExpr):
                self._target(node.target, node.value, _end(node), ())

    def _target(
        self,
        target: ast.expr,
        value: ast.expr,
        at: Position,
        path: tuple[int, ...],
        width: tuple[int, ...] = (),
    ) -> None:
        if isinstance(target, ast.Name):
            binding = Binding(target.id, value, at, self.scope, path, width)
            self.scope.bindings.setdefault(target.id, []).append(binding)
        elif isinstance(target, (ast.Tuple, ast.List)):
            starred = False
            for index, element in enumerate(target.elts):
                if isinstance(element, ast.Starred):
                    starred = True
                    self._unfollowed(element.value, at)
                elif starred:
                    self._unfollowed(element, at)
                else:
                    size = -1 if _has_starred(target) else len(target.elts)
                    self._target(element, value, at, (*path, index), (*width, size))
        elif isinstance(target, ast.Subscript):
            self._mutated(target, "items", at)
        elif isinstance(target, ast.Attribute):
            owner = target.value
            if isinstance(owner, ast.Name) and owner.id == self.scope.self_name:
                binding = Binding(target.attr, value, at, self.scope, path, width)
                self.scope.attributes.setdefault(target.attr, []).append(binding)
            elif target.attr in _LAYOUT and isinstance(owner, ast.Name):
                self._mutated(target, "layout", at)
        elif isinstance(target, ast.Starred):
            self._unfollowed(target.value, at)

    def _mutated(self, target: ast.expr, kind: str, at: Position) -> None:
        """``name[...] = ...``, ``name.shape = ...``: `name` changes in place."""
        root = target
        while isinstance(root, (ast.Subscript, ast.Attribute)):
            root = root.value
        if isinstance(root, ast.Name):
            reading = ast.Name(root.id, ast.Load())
            ast.copy_location(reading, root)
            binding = Binding(root.id, reading, at, self.scope, mutation=kind)
            self.scope.bindings.setdefault(root.id, []).append(binding)

    def _mutating_call(self, call: ast.expr, at: Position) -> None:
        """``name.append(...)``, ``name.resize(...)`` as a statement."""
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
            method = call.func.attr
            if method in _MUTATING_METHODS:
                kind = "layout" if method in _LAYOUT_METHODS else "items"
                self._mutated(call.func, kind, at)

    def _unfollowed(self, target: ast.expr, at: Position) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self._opaque(node.id, at)

    def _opaque(self, name: str, at: Position) -> None:
        binding = Binding(name, None, at, self.scope)
        self.scope.bindings.setdefault(name, []).append(binding)


def _expressions(statement: ast.stmt) -> Iterator[ast.AST]:
    """The expression nodes of one statement, not of statements nested in it."""
    for name, value in ast.iter_fields(statement):
        if name in ("body", "orelse", "finalbody", "handlers", "cases"):
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, ast.expr):
                yield from ast.walk(item)


def _has_starred(target: ast.Tuple | ast.List) -> bool:
    return any(isinstance(element, ast.Starred) for element in target.elts)
