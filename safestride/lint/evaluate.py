"""What an expression is worth, as far as the source text tells.

`Evaluator.value` turns an expression into a `Value`: a `Poly` for an
integer (``x.shape[2] - k + 1``), a `Seq` for a tuple, an `ArrayModel` for
an array, an `Opaque` for what it does not follow. Names are followed to
their bindings (`Scope`); ``self.attr`` to the method that set it. A strict
evaluator follows only bindings that surely reach the use, for rules that
prove things; a lenient one takes the latest, for rules that advise.
"""

from __future__ import annotations

import ast
import math
from dataclasses import replace
from fractions import Fraction

from safestride.lint import numpy_calls
from safestride.lint.recognition import Recognizer
from safestride.lint.scopes import Binding, Position, Scope
from safestride.lint.symbolic import Poly, Remainders, Symbol, TooComplexError
from safestride.lint.values import (
    ArrayModel,
    Item,
    Opaque,
    Seq,
    Spread,
    Value,
    as_poly,
)

MAX_DEPTH = 40
NOT_ARRAYS = frozenset({"self", "cls"})
_BUILTINS = frozenset({"int", "len", "tuple", "list", "max", "min", "abs", "round"})


def _start(node: ast.AST) -> Position:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


class Evaluator:
    """Evaluates expressions of one module; remembers what it worked out."""

    def __init__(
        self, recognizer: Recognizer, remainders: Remainders, strict: bool
    ) -> None:
        self.recognizer = recognizer
        self.remainders = remainders
        self.strict = strict
        self._memo: dict[tuple[int, int], Value] = {}
        self._bindings: dict[str, Value] = {}
        self._dimensions: dict[int, dict[str, int]] = {}
        self._active: set[str] = set()  # bindings being worked out
        self._depth = 0

    def forget(self) -> None:
        """Drop what was worked out (the module has been checked)."""
        self._memo.clear()
        self._bindings.clear()
        self._dimensions.clear()

    # --------------------------------------------------------------- entry

    def value(self, node: ast.expr, scope: Scope) -> Value:
        key = (id(node), scope.number)
        if key in self._memo:
            return self._memo[key]
        if self._depth > MAX_DEPTH:
            return None
        self._depth += 1
        try:
            result = self._value(node, scope)
        except (TooComplexError, ZeroDivisionError, OverflowError):
            result = None
        finally:
            self._depth -= 1
        self._memo[key] = result
        return result

    def poly(self, node: ast.expr, scope: Scope) -> Poly | None:
        return as_poly(self.value(node, scope))

    def array(self, node: ast.expr, scope: Scope) -> ArrayModel | None:
        return self.as_array(self.value(node, scope), scope)

    def written(self, node: ast.expr, scope: Scope) -> ast.expr:
        """The expression a name was last bound to (the name itself if none)."""
        for _ in range(MAX_DEPTH):
            if not isinstance(node, ast.Name):
                break
            binding = scope.lookup(node.id, _start(node)).binding
            if binding is None or binding.value is None or binding.path:
                break
            if binding.mutation:
                break
            node, scope = binding.value, binding.scope
        return node

    def viewed(self, node: ast.expr, scope: Scope) -> ArrayModel:
        """The array an ``as_strided`` call views: an array whatever the
        expression looked like (``b + 1`` is a new array of unknown shape)."""
        found = self.array(node, scope)
        if found is not None:
            return found
        key = f"expression@{scope.number}:{_start(node)}"
        return ArrayModel.unknown(key, ast.unparse(node))

    def as_array(self, value: Value, scope: Scope) -> ArrayModel | None:
        if isinstance(value, ArrayModel):
            return value
        if isinstance(value, Opaque) and value.arrayish:
            ndim = self._dimensions_of(scope).get(value.key)
            return ArrayModel.unknown(value.key, value.label, ndim, value.family)
        return None

    # ------------------------------------------------------------ dispatch

    def _value(self, node: ast.expr, scope: Scope) -> Value:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                return None
            return Poly.constant(Fraction(node.value))
        if isinstance(node, ast.Name):
            return self._name(node, scope)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, scope)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, scope)
        if isinstance(node, ast.BinOp):
            return self._binary(node, scope)
        if isinstance(node, ast.UnaryOp):
            operand = self.value(node.operand, scope)
            if isinstance(node.op, ast.USub):
                return _negate(operand)
            return operand if isinstance(node.op, ast.UAdd) else None
        if isinstance(node, (ast.Tuple, ast.List)):
            return self._sequence(node.elts, scope)
        if isinstance(node, ast.Call):
            return self._call(node, scope)
        if isinstance(node, ast.NamedExpr):
            return self.value(node.value, scope)
        if isinstance(node, ast.IfExp):
            body, orelse = self.value(node.body, scope), self.value(node.orelse, scope)
            return body if body == orelse else None
        return None

    # ---------------------------------------------------------------- names

    def _name(self, node: ast.Name, scope: Scope) -> Value:
        found = scope.lookup(node.id, _start(node))
        binding = found.binding
        arrayish = node.id not in NOT_ARRAYS and node.id != scope.self_name
        if binding is None:
            return Opaque(f"global:{node.id}", node.id, arrayish)
        if self.strict and not found.sure:
            return Opaque(f"merge:{found.merge}", node.id, arrayish)
        if binding.value is None:
            return Opaque(binding.key, node.id, arrayish)
        return self._bound(binding, node.id)

    def _bound(self, binding: Binding, label: str) -> Value:
        """A binding's value (the element it unpacks), once per binding."""
        key = f"{binding.key}#{label}"
        if key in self._bindings:
            return self._bindings[key]
        self._bindings[key] = None  # a cycle reads as unknown
        assert binding.value is not None
        self._active.add(binding.key)
        try:
            value = self.value(binding.value, binding.scope)
        finally:
            self._active.discard(binding.key)
        if binding.mutation and not (
            binding.mutation == "items"
            and isinstance(value, ArrayModel)
            and value.elements is None
        ):
            value = None  # changed in place: no longer what was worked out
        for index, width in zip(binding.path, binding.width, strict=True):
            value = self._element(value, index, width, binding.scope)
        if isinstance(value, ArrayModel) and not binding.path:
            value = replace(value, label=label)
        if isinstance(value, Poly) and label.isidentifier():
            value = value.relabeled(label)
        if value is None:  # one symbol for the name, wherever it is read
            value = Opaque(binding.key, label, True)
        self._bindings[key] = value
        return value

    def _element(self, value: Value, index: int, width: int, scope: Scope) -> Value:
        """Element `index` of `value` unpacked into `width` names (-1: starred)."""
        if isinstance(value, Opaque):  # the same as value[index]
            label = f"{value.label}[{index}]"
            return Opaque(
                f"{value.key}[{index}]", label, True, value.family or value.key
            )
        if isinstance(value, Seq):
            items = value.expanded(width if width >= 0 else None)
            if items is not None and (width < 0 or len(items) == width):
                return items[index].value if index < len(items) else None
        return None

    def _dimensions_of(self, scope: Scope) -> dict[str, int]:
        """Arrays whose dimensions unpacking tells: ``n, c, h, w = x.shape``."""
        if scope.number not in self._dimensions:
            found: dict[str, int] = {}
            self._dimensions[scope.number] = found
            for bindings in scope.bindings.values():
                for binding in bindings:
                    value = binding.value
                    if (
                        len(binding.width) == 1
                        and binding.width[0] > 0
                        and isinstance(value, ast.Attribute)
                        and value.attr in ("shape", "strides")
                    ):
                        if self._being_worked_out(value.value, binding.scope):
                            continue  # its value is not known yet: not reading it
                        owner = self.value(value.value, binding.scope)
                        if isinstance(owner, Opaque):
                            found[owner.key] = binding.width[0]
        return self._dimensions[scope.number]

    def _being_worked_out(self, node: ast.expr, scope: Scope) -> bool:
        """Whether `node` names a binding whose value is being worked out
        (``padded = np.pad(x, ...)`` asks how many dimensions ``x`` has,
        and ``s0, s1 = padded.strides`` would ask for ``padded``)."""
        if not isinstance(node, ast.Name):
            return False
        binding = scope.lookup(node.id, _start(node)).binding
        return binding is not None and binding.key in self._active

    # ------------------------------------------------------------ attributes

    def _attribute(self, node: ast.Attribute, scope: Scope) -> Value:
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id == scope.self_name:
            return self._self_attribute(node, scope)
        if node.attr == "itemsize" and _is_dtype_of_an_array(owner):
            array = self.array(owner.value, scope)  # type: ignore[attr-defined]
            return None if array is None else array.itemsize
        if node.attr == "itemsize" and isinstance(owner, ast.Call):
            return self.dtype_itemsize(owner, scope)
        if isinstance(owner, ast.Attribute) and owner.attr == "shape":
            array = self.array(owner.value, scope)
            if array is not None:  # a framework's Shape object: ``t.shape.axis``
                text = ast.unparse(node)
                family = f"shape:{array.shape_key or array.key}"
                return Opaque(f"attribute:{text}", text, False, family)
        if node.attr in ("shape", "strides", "itemsize", "size", "ndim", "nbytes", "T"):
            array = self.array(owner, scope)
            if array is None:
                return Opaque(
                    f"attribute:{ast.unparse(node)}", ast.unparse(node), False
                )
            return _array_attribute(array, node.attr)
        return Opaque(f"attribute:{ast.unparse(node)}", ast.unparse(node))

    def _self_attribute(self, node: ast.Attribute, scope: Scope) -> Value:
        found = scope.lookup_attribute(node.attr, _start(node))
        label = ast.unparse(node)
        binding = found.binding
        if binding is None or binding.value is None or (self.strict and not found.sure):
            return Opaque(
                f"{scope.parent and scope.parent.number}:{label}", label, True
            )
        return self._bound(binding, label)

    # ------------------------------------------------------------- indexing

    def _subscript(self, node: ast.Subscript, scope: Scope) -> Value:
        base = self.value(node.value, scope)
        index = node.slice
        if isinstance(base, Seq):
            return _index(base, index, self, scope)
        if isinstance(base, ArrayModel) or (
            isinstance(base, Opaque) and base.arrayish and _whole(index)
        ):
            array = self.as_array(base, scope)
            if array is not None and _whole(index):
                return array
            if array is not None:
                contiguous = array.contiguous and _keeps_c_order(index)
                suffix = f"[{_start(node)}]"
                return array.derived(suffix, same_shape=False, contiguous=contiguous)
        if isinstance(base, Opaque):
            family = base.family or base.key
            key = f"{base.key}[{ast.unparse(index)}]"
            return Opaque(key, ast.unparse(node), base.arrayish, family)
        return None

    # ----------------------------------------------------------- arithmetic

    def _binary(self, node: ast.BinOp, scope: Scope) -> Value:
        left, right = self.value(node.left, scope), self.value(node.right, scope)
        op = node.op
        if isinstance(left, Seq) or isinstance(right, Seq):
            return _sequence_arithmetic(op, left, right, self.remainders)
        return arithmetic(op, as_poly(left), as_poly(right), self.remainders)

    def _sequence(self, elements: list[ast.expr], scope: Scope) -> Value:
        items: list[Item | Spread] = []
        for element in elements:
            if isinstance(element, ast.Starred):
                inner = self.value(element.value, scope)
                if not isinstance(inner, Seq):
                    return None
                items.extend(inner.items)
            else:
                items.append(Item(self.value(element, scope), element, scope))
        return Seq(tuple(items))

    # ---------------------------------------------------------------- calls

    def _call(self, node: ast.Call, scope: Scope) -> Value:
        function = node.func
        fallback = Opaque(
            f"call@{scope.number}:{_start(node)}", ast.unparse(function) + "(...)"
        )
        found: Value = None
        name = self.recognizer.qualified(function, scope, _start(node))
        if isinstance(function, ast.Name) and function.id in _BUILTINS:
            if scope.lookup(function.id, _start(node)).binding is None:
                return self._builtin(function.id, node, scope)
        elif isinstance(function, ast.Attribute) and _is_math(function):
            found = numpy_calls.numpy_function(
                f"math.{function.attr}", node, self, scope
            )
        elif name is not None and name.startswith("numpy."):
            found = numpy_calls.numpy_function(name, node, self, scope)
        elif (
            isinstance(function, ast.Attribute) and function.attr in numpy_calls.METHODS
        ):
            array = self.as_array(self.value(function.value, scope), scope)
            if array is not None:
                found = numpy_calls.array_method(
                    function.attr, array, node, self, scope
                )
        return fallback if found is None else found

    def _builtin(self, name: str, node: ast.Call, scope: Scope) -> Value:
        arguments = [self.value(a, scope) for a in node.args]
        if name in ("max", "min") and len(arguments) > 1 and not node.keywords:
            numbers = [as_poly(a) for a in arguments]
            values = [n.value for n in numbers if n is not None and n.value is not None]
            if len(values) < len(arguments):
                return None
            return Poly.constant(max(values) if name == "max" else min(values))
        if len(arguments) != 1 or node.keywords:
            return None
        (argument,) = arguments
        if name == "int":
            return floor(as_poly(argument), self.remainders)
        if name == "abs":
            poly = as_poly(argument)
            sign = None if poly is None else poly.sign()
            return (
                None if sign is None or poly is None else (poly if sign >= 0 else -poly)
            )
        if name in ("tuple", "list"):
            return Seq(argument.items) if isinstance(argument, Seq) else None
        if name == "len":
            if isinstance(argument, Seq) and argument.exact:
                return Poly.constant(len(argument.items))
            array = self.as_array(argument, scope)
            return None if array is None else array.shape_at(0)
        return None

    # ----------------------------------------------------------------- dtype

    def dtype_itemsize(self, node: ast.expr | None, scope: Scope) -> Poly | None:
        """Bytes per element of a dtype argument (None when not known)."""
        from safestride.lint.values import itemsize_of_name

        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            size = itemsize_of_name(node.value)
            return None if size is None else Poly.constant(size)
        if isinstance(node, ast.Name) and node.id in (
            "float",
            "int",
            "complex",
            "bool",
        ):
            size = itemsize_of_name(node.id)
            return None if size is None else Poly.constant(size)
        if isinstance(node, ast.Attribute) and node.attr == "dtype":
            array = self.array(node.value, scope)
            return None if array is None else array.itemsize
        if isinstance(node, ast.Call) and node.args:
            if self.recognizer.is_numpy(node.func, scope, _start(node), "dtype"):
                return self.dtype_itemsize(node.args[0], scope)
            return None
        name = self.recognizer.qualified(node, scope, _start(node))
        if name is not None and name.startswith("numpy."):
            size = itemsize_of_name(name.rsplit(".", 1)[1])
            return None if size is None else Poly.constant(size)
        return None


def _is_dtype_of_an_array(node: ast.expr) -> bool:
    """``x.dtype`` (not ``np.dtype``)."""
    return isinstance(node, ast.Attribute) and node.attr == "dtype"


def _is_math(function: ast.Attribute) -> bool:
    """``math.floor``, ``math.ceil``, ``math.prod``."""
    return (
        isinstance(function.value, ast.Name)
        and function.value.id == "math"
        and function.attr in ("floor", "ceil", "prod")
    )


def _keeps_c_order(index: ast.expr) -> bool:
    """``x[a:b]``, ``x[i]``, ``x[i, j]``: a C-contiguous array stays so."""
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    for number, part in enumerate(parts):
        if isinstance(part, ast.Slice):
            return number == len(parts) - 1 and part.step is None
        if isinstance(part, ast.Starred) or (
            isinstance(part, ast.Constant) and part.value in (None, Ellipsis)
        ):
            return False
    return True


def _array_attribute(array: ArrayModel, attribute: str) -> Value:
    if attribute in ("shape", "strides"):
        return array.sequence(attribute)
    if attribute == "itemsize":
        return array.itemsize
    if attribute == "size":
        return array.size()
    if attribute == "nbytes":
        return array.size() * array.itemsize
    if attribute == "ndim":
        ndim = array.ndim
        return None if ndim is None else Poly.constant(ndim)
    shape = None if array.shape is None else tuple(reversed(array.shape))
    return array.derived(".T", shape=shape, shape_key=f"{array.key}.T")


def _whole(index: ast.expr) -> bool:
    """``[...]`` or ``[:]``: the whole array."""
    if isinstance(index, ast.Constant) and index.value is Ellipsis:
        return True
    return (
        isinstance(index, ast.Slice)
        and index.lower is None
        and index.upper is None
        and index.step is None
    )


def _index(sequence: Seq, index: ast.expr, evaluator: Evaluator, scope: Scope) -> Value:
    if isinstance(index, ast.Slice):
        bounds: list[int | None] = []
        for part in (index.lower, index.upper, index.step):
            number = None if part is None else _integer(evaluator.value(part, scope))
            if part is not None and number is None:
                return None
            bounds.append(number)
        return _slice(sequence, bounds[0], bounds[1], bounds[2])
    position = _integer(evaluator.value(index, scope))
    if position is None:
        return None
    if sequence.exact:
        items = sequence.known_items()
        if -len(items) <= position < len(items):
            return items[position].value
        return None
    if len(sequence.items) == 1 and isinstance(sequence.items[0], Spread):
        spread = sequence.items[0]
        at = spread.array.shape_at if spread.what == "shape" else spread.array.stride_at
        return at(position + spread.start if position >= 0 else position)
    return None


def _integer(value: Value) -> int | None:
    number = as_poly(value)
    if number is None or number.value is None or number.value.denominator != 1:
        return None
    return int(number.value)


def _slice(
    sequence: Seq, lower: int | None, upper: int | None, step: int | None
) -> Value:
    if sequence.exact:
        items = sequence.known_items()[lower:upper:step]
        return Seq(tuple(items), sequence.vector)
    if len(sequence.items) != 1 or not isinstance(sequence.items[0], Spread):
        return None
    if step not in (None, 1) or sequence.items[0].start:
        return None
    spread = sequence.items[0]
    if lower is not None and lower > 0 and upper is None:  # x.shape[2:]
        return Seq((Spread(spread.array, spread.what, lower),))
    at = spread.array.shape_at if spread.what == "shape" else spread.array.stride_at
    if lower is not None and upper is not None and (lower < 0) == (upper < 0):
        indexes = range(lower, upper)
    elif lower is not None and lower < 0 and upper is None:
        indexes = range(lower, 0)
    elif lower in (None, 0) and upper is not None and upper >= 0:
        indexes = range(0, upper)
    else:
        return None
    return Seq(tuple(Item(at(i), None) for i in indexes))


def _negate(value: Value) -> Value:
    poly = as_poly(value)
    if poly is not None:
        return -poly
    if isinstance(value, Seq) and value.vector and value.exact:
        return Seq(
            tuple(Item(_negate(i.value), None) for i in value.known_items()), True
        )
    return None


def floor(poly: Poly | None, remainders: Remainders) -> Poly | None:
    """``int(poly)`` for a non-negative `poly`, through a floor division."""
    if poly is None:
        return None
    if poly.is_integral:
        return poly
    number = math.lcm(*(c.denominator for c in poly.terms.values()))
    powers: dict[Symbol, int] = {}
    for monomial in poly.terms:
        for symbol, power in monomial:
            powers[symbol] = max(powers.get(symbol, 0), -power)
    monomial = tuple(sorted((s, p) for s, p in powers.items() if p > 0))
    denominator = Poly({monomial: Fraction(number)})
    numerator = poly * denominator
    if not numerator.is_integral:
        return None
    return remainders.floordiv(numerator, denominator)


def arithmetic(
    op: ast.operator, left: Poly | None, right: Poly | None, remainders: Remainders
) -> Poly | None:
    """``left op right`` on integers, None when it cannot be followed."""
    if left is None or right is None:
        return None
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Sub):
        return left - right
    if isinstance(op, ast.Mult):
        return left * right
    if isinstance(op, ast.FloorDiv):
        return remainders.floordiv(left, right)
    if isinstance(op, ast.Div):
        return left.divided_by(right)
    if isinstance(op, ast.Mod):
        a, b = left.value, right.value
        if a is not None and b is not None and b:
            return Poly.constant(a % b)
        if remainders.floordiv(left, right) is None:
            return None
        return Poly.symbol(remainders.remainder(left, right))
    if isinstance(op, ast.Pow):
        exponent = right.value
        if exponent is None or exponent.denominator != 1 or not 0 <= exponent <= 8:
            return None
        result = Poly.constant(1)
        for _ in range(int(exponent)):
            result = result * left
        return result
    return None


def _sequence_arithmetic(
    op: ast.operator, left: Value, right: Value, remainders: Remainders
) -> Value:
    """Tuple concatenation and repetition; element-wise numpy arithmetic."""
    vector = (isinstance(left, Seq) and left.vector) or (
        isinstance(right, Seq) and right.vector
    )
    if not vector:
        if isinstance(op, ast.Add) and isinstance(left, Seq) and isinstance(right, Seq):
            return Seq(left.items + right.items)
        if isinstance(op, ast.Mult):
            sequence, count = (left, right) if isinstance(left, Seq) else (right, left)
            times = _integer(count)
            if isinstance(sequence, Seq) and times is not None and 0 <= times <= 64:
                return Seq(sequence.items * times)
        return None
    return elementwise(op, left, right, remainders)


def elementwise(
    op: ast.operator, left: Value, right: Value, remainders: Remainders
) -> Value:
    """``a op b`` for numpy arrays of known small length (and scalars)."""

    def parts(value: Value) -> list[Poly | None] | Poly | None:
        if isinstance(value, Seq):
            if not value.exact:
                return None
            return [as_poly(item.value) for item in value.known_items()]
        return as_poly(value)

    a, b = parts(left), parts(right)
    if a is None or b is None:
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return None
        pairs = list(zip(a, b, strict=True))
    elif isinstance(a, list):
        pairs = [(x, b) for x in a]  # type: ignore[misc]
    elif isinstance(b, list):
        pairs = [(a, y) for y in b]
    else:
        return arithmetic(op, a, b, remainders)
    results = [arithmetic(op, x, y, remainders) for x, y in pairs]
    return Seq(tuple(Item(r, None) for r in results), vector=True)
