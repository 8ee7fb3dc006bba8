"""Windows counted from one array and laid over another.

A window axis is an axis of the viewed array that two or more of the
view's dimensions step along, each by a step that is not itself a size
(``SH * x.strides[2]`` and ``x.strides[2]``): the window count and the
window. The view stays inside the array along that axis only when the
count fits the array's length. When the sizes of that axis come from
another array's shape, and none from an array the viewed one is made of
(the names, arrays and calls its value is computed from in the function,
its shape included), that fit rests on a relation the code never states: a
backward pass that counts its windows from the forward input's height
and lays them over the padded gradient.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from safestride.lint.evaluate import Evaluator
from safestride.lint.extent import Dimension, along_axes, as_stride_symbols
from safestride.lint.scopes import Scope
from safestride.lint.symbolic import Poly, Symbol
from safestride.lint.values import ArrayModel

#: What follows a key in the keys of arrays made from it (``x[...]``,
#: ``x.T``, ``x.copy()``, ``np.pad(x)``): see `ArrayModel.derived`.
_DERIVED = ("[", ".", "@")
#: How many bindings back the arrays a value is made of are looked for.
MAX_DEPTH = 8
#: numpy functions that make a new array, of a new length, from others.
BUILDERS = frozenset(
    {"pad", "insert", "concatenate", "stack", "hstack", "vstack", "append"}
    | {"repeat", "tile", "kron", "zeros", "empty", "ones", "full"}
)


@dataclass(frozen=True)
class WindowAxis:
    """An axis of the viewed array that the view's windows step along: the
    dimensions that do, and by how many indexes the last window passes the
    array's last index there (``over``; in bounds while it is <= 0)."""

    axis: int
    movers: tuple[int, ...]
    over: Poly


def size_owner(symbol: Symbol) -> str | None:
    """The array whose size `symbol` is (its shape key), if it is one."""
    if symbol.kind in ("shape", "size"):
        return symbol.owner
    if symbol.kind == "free" and symbol.family.startswith("shape:"):
        return symbol.family.removeprefix("shape:")
    return None


def _made_from(key: str, other: str) -> bool:
    """Whether the array `key` is `other`, or made from it."""
    return key == other or (key.startswith(other) and key[len(other)] in _DERIVED)


def akin(first: str, second: str) -> bool:
    """Whether one of two arrays is made from the other."""
    return _made_from(first, second) or _made_from(second, first)


def lineage(array: ArrayModel) -> set[str]:
    """The keys that name `array`, whose shape it has, and the sizes its
    shape is written with."""
    keys = {k for k in (array.key, array.shape_key, array.family) if k}
    for size in array.shape or ():
        for symbol in size.symbols():
            owner = size_owner(symbol)
            if owner is not None:
                keys.add(owner)
    return keys


def built_length(array: ArrayModel, axis: int) -> bool:
    """Whether the function made `array` with a length along `axis` that it
    worked out from another array's size (``np.pad(d, k - 1)``), rather
    than taking the array as it comes, with its own length."""
    if array.shape is None:
        return False
    length = array.shape_at(axis)
    if length is None:
        return False
    if len(length.terms) == 1:
        ((monomial, coefficient),) = length.terms.items()
        if coefficient == 1 and len(monomial) == 1 and monomial[0][1] == 1:
            return False  # the length of an array taken as it comes, or a copy's
    return any(size_owner(symbol) is not None for symbol in length.symbols())


def _is_step(coefficient: Poly) -> bool:
    """A window step: no array size in it (``SH``, ``2``, not ``W * C``)."""
    return not any(size_owner(s) is not None for s in coefficient.symbols())


def window_axes(array: ArrayModel, view: list[Dimension]) -> list[WindowAxis]:
    """The axes of `array` that two or more of `view`'s dimensions step
    along by window steps."""
    movers: dict[int, list[int]] = {}
    reach: dict[int, Poly] = {}
    reshaping: set[int] = set()
    for number, dimension in enumerate(view):
        if dimension.size.value is not None:
            continue  # a number is a decision, not a count
        parts = along_axes(_in_strides(dimension.stride, array), array)
        for axis, coefficient in (parts or {}).items():
            movers.setdefault(axis, []).append(number)
            step = coefficient * (dimension.size - Poly.constant(1))
            reach[axis] = reach.get(axis, Poly.constant(0)) + step
            if not _is_step(coefficient):
                reshaping.add(axis)
    found = []
    for axis, numbers in sorted(movers.items()):
        length = array.shape_at(axis)
        if len(numbers) < 2 or axis in reshaping or length is None:
            continue
        over = reach[axis] - (length - Poly.constant(1))
        found.append(WindowAxis(axis, tuple(numbers), over))
    return found


def _owners(poly: Poly, positive: bool | None = None) -> set[str]:
    """The arrays whose sizes `poly` holds (in terms of that sign)."""
    found = set()
    for monomial, coefficient in poly.terms.items():
        if positive is not None and (coefficient > 0) != positive:
            continue
        for symbol, _ in monomial:
            owner = size_owner(symbol)
            if owner is not None:
                found.add(owner)
    return found


def _unrelated(owners: set[str]) -> bool:
    """Whether two of `owners` are arrays neither of which is made from
    the other."""
    ordered = sorted(owners)
    return any(
        not akin(first, second)
        for index, first in enumerate(ordered)
        for second in ordered[index + 1 :]
    )


def _start(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


@dataclass
class Ancestry:
    """The arrays a value is computed from, and whether a numpy call that
    makes a new array of a new length (`BUILDERS`) is among its steps."""

    keys: set[str]
    built: bool


def made_of(evaluator: Evaluator, node: ast.expr, scope: Scope) -> Ancestry:
    """The keys of the arrays `node`'s value is computed from in its
    function: every array its expression (and the bindings of the names in
    it, a few steps back) reads."""
    keys: set[str] = set()
    built = False
    seen: set[int] = set()
    stack: list[tuple[ast.expr, Scope, int]] = [(node, scope, 0)]
    while stack:
        expression, where, depth = stack.pop()
        if id(expression) in seen or depth > MAX_DEPTH:
            continue
        seen.add(id(expression))
        array = evaluator.as_array(evaluator.value(expression, where), where)
        if array is not None:
            keys |= lineage(array)
        if isinstance(expression, ast.Call) and not built:
            name = evaluator.recognizer.qualified(
                expression.func, where, _start(expression)
            )
            built = name is not None and name.rsplit(".", 1)[-1] in BUILDERS
        stack.extend(_inputs(expression, where, depth))
    return Ancestry(keys, built)


def _inputs(
    expression: ast.expr, scope: Scope, depth: int
) -> Iterator[tuple[ast.expr, Scope, int]]:
    """What `expression` is computed from: a name's bound value, a
    ``self.x``'s, else its parts."""
    if isinstance(expression, ast.Name):
        binding = scope.lookup(expression.id, _start(expression)).binding
        if binding is not None and binding.value is not None:
            yield binding.value, binding.scope, depth + 1
        return
    if (
        isinstance(expression, ast.Attribute)
        and isinstance(expression.value, ast.Name)
        and expression.value.id == scope.self_name
    ):
        binding = scope.lookup_attribute(expression.attr, _start(expression)).binding
        if binding is not None and binding.value is not None:
            yield binding.value, binding.scope, depth + 1
        return
    for child in ast.iter_child_nodes(expression):
        if isinstance(child, ast.expr):
            yield child, scope, depth + 1
        elif isinstance(child, ast.comprehension):
            yield child.iter, scope, depth + 1


def foreign_axes(
    array: ArrayModel,
    view: list[Dimension],
    evaluator: Evaluator,
    node: ast.expr,
    scope: Scope,
    through_helper: bool = False,
) -> list[WindowAxis]:
    """Window axes of `array` (written `node`) whose length the function
    worked out, and that the view fits only through a relation between
    two arrays' sizes that nothing in the function states, the windows
    counted from an array `array` is not made of.

    `through_helper`: the view is made by a helper whose parameters hold a
    caller's arguments; its array's length may be unknown, when a numpy
    call that makes an array of a new length is among the steps that made
    it (in the helper or the caller)."""
    candidates = []
    own = lineage(array)
    for found in window_axes(array, view):
        counted = _owners(found.over, positive=True)
        if (
            not counted
            or not (through_helper or built_length(array, found.axis))
            or not _unrelated(_owners(found.over))
            or all(any(akin(owner, key) for key in own) for owner in counted)
        ):
            continue
        candidates.append((found, counted))
    if not candidates:
        return []
    ancestry = made_of(evaluator, node, scope)
    if through_helper and not ancestry.built:
        return []
    return [
        found
        for found, counted in candidates
        if any(not any(akin(owner, key) for key in ancestry.keys) for owner in counted)
    ]


def describe(
    array: ArrayModel,
    label: str,
    view: list[Dimension],
    found: WindowAxis,
    helper: str = "",
) -> str:
    """What a finding says: which dimensions, the length they must fit, and
    the relation that would keep them inside it; `helper` names the function
    that makes the view, called where the finding is."""
    length = array.shape_at(found.axis)
    assert length is not None
    names = _names(view, length, code_names=not helper)
    over = found.over
    counted = [
        names.get(symbol, symbol.label)
        for monomial, coefficient in sorted(over.terms.items())
        if coefficient > 0
        for symbol, _ in monomial
        if size_owner(symbol) is not None
    ]
    numbers = [str(n) for n in found.movers]
    which = ", ".join(numbers[:-1]) + f" and {numbers[-1]}"
    sizes = ", ".join(view[n].size_text for n in found.movers)
    if helper:
        where = (
            f"{helper}() called here lays dimensions {which} (sizes {sizes}) "
            f"along axis {found.axis} of {label}, an array made with a new "
            "length from the arguments"
        )
    else:
        where = (
            f"dimensions {which} (sizes {sizes}) step along axis {found.axis} "
            f"of {label}, whose length {length.render(names)} this function "
            "works out from other sizes"
        )
    if helper:
        counted = [f"{name} (in {helper}())" for name in counted]
    return (
        f"{where}; {', '.join(dict.fromkeys(counted))} is another array's "
        "size, and nothing here ties it to that length: the view stays in "
        f"bounds only while {_inequality(over, names)} (count the windows "
        f"from {label}.shape[{found.axis}])"
    )


def _in_strides(stride: Poly, array: ArrayModel) -> Poly:
    if array.contiguous and stride.value is not None:
        return as_stride_symbols(stride, array) or stride
    return stride


def _names(
    view: list[Dimension], length: Poly, code_names: bool = True
) -> dict[Symbol, str]:
    """How to write each symbol: the names code gives sizes (``in_H`` for
    a shape) when `code_names`, else what they stand for (a helper's
    parameter names mean nothing at its call)."""
    names: dict[Symbol, str] = {}
    polys = [length, *(d.size for d in view), *(d.stride for d in view)]
    for poly in polys:
        for symbol in poly.symbols():
            if symbol.label.isidentifier() or symbol not in names:
                names[symbol] = symbol.label
    for dimension in view if code_names else ():
        symbols = dimension.size.symbols()
        if len(symbols) == 1 and dimension.size_text.isidentifier():
            (symbol,) = symbols
            if dimension.size == Poly.symbol(symbol):
                names[symbol] = dimension.size_text
    return names


def _inequality(over: Poly, names: dict[Symbol, str]) -> str:
    """``over <= 0`` with the terms on the side where they are positive."""
    left = Poly({m: c for m, c in over.terms.items() if m and c > 0})
    right = left - over
    return f"{left.render(names)} <= {right.render(names)}"
