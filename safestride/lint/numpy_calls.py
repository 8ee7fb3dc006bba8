"""The numpy calls whose result's shape and dtype the source text tells.

Array constructors (``np.zeros((n, 3))``, ``np.arange(5.0)``, an
``np.array`` literal), copies and reshapes, ``np.pad``; and the integer
helpers (``np.prod``, ``math.floor``) that size computations use.
"""

from __future__ import annotations

import ast
from fractions import Fraction
from typing import TYPE_CHECKING

from safestride.lint.recognition import call_argument
from safestride.lint.symbolic import Poly, Symbol, product
from safestride.lint.values import (
    ArrayModel,
    Item,
    Opaque,
    Seq,
    Spread,
    Value,
    as_poly,
)

if TYPE_CHECKING:
    from safestride.lint.evaluate import Evaluator
    from safestride.lint.scopes import Scope

#: Array methods whose result the evaluator models.
METHODS = frozenset(
    {"reshape", "ravel", "flatten", "astype", "copy", "view", "transpose"}
)
FLOAT64 = Poly.constant(8)
_FILLED = frozenset({"zeros", "ones", "empty"})
_LIKE = frozenset({"zeros_like", "ones_like", "empty_like", "full_like"})
_RANDOM_DIMENSIONS = frozenset({"rand", "randn"})
_RANDOM_SIZE = frozenset({"random", "random_sample", "standard_normal", "sample"})


def _key(call: ast.Call, scope: Scope) -> str:
    return f"new@{scope.number}:{call.lineno}:{call.col_offset}"


def shape_of(value: Value) -> tuple[Poly, ...] | None:
    """A shape argument: an integer, or a tuple of them."""
    poly = as_poly(value)
    if poly is not None and not isinstance(value, Opaque):
        return (poly,)
    if isinstance(value, ArrayModel) and value.elements is not None:
        value = value.elements
    if isinstance(value, Seq) and value.exact:
        sizes = [as_poly(item.value) for item in value.known_items()]
        if all(size is not None for size in sizes):
            return tuple(size for size in sizes if size is not None)
    return None


def new_array(
    call: ast.Call,
    scope: Scope,
    shape: tuple[Poly, ...] | Value,
    itemsize: Poly | None,
    elements: Seq | None = None,
) -> ArrayModel:
    """A fresh C-contiguous array made by `call`; `shape` may be a shape
    argument's value (``x.shape`` gives it the shape of ``x``)."""
    key = _key(call, scope)
    model = ArrayModel.unknown(key, ast.unparse(call))
    shape_key = key
    if not isinstance(shape, tuple):
        sizes = shape_of(shape)
        if sizes is None and _whole_shape(shape) is not None:
            shape_key = _whole_shape(shape) or key
        shape = sizes
    return ArrayModel(
        key,
        key,
        model.label,
        itemsize if itemsize is not None else model.itemsize,
        shape,
        True,
        shape_key,
        elements,
    )


def _whole_shape(value: Value) -> str | None:
    """The array whose whole shape `value` is (``x.shape``), by shape key."""
    if isinstance(value, Seq) and len(value.items) == 1:
        (item,) = value.items
        if isinstance(item, Spread) and item.what == "shape" and not item.start:
            return item.array.shape_key or item.array.key
    return None


def numpy_function(
    name: str, call: ast.Call, evaluator: Evaluator, scope: Scope
) -> Value:
    """What ``numpy.<name>(...)`` (or ``math.<name>``) returns, if it is known."""
    last = name.rsplit(".", 1)[1]

    def value(position: int, keyword: str) -> Value:
        node = call_argument(call, position, keyword)
        return None if node is None else evaluator.value(node, scope)

    def dtype(position: int) -> Poly | None:
        return evaluator.dtype_itemsize(call_argument(call, position, "dtype"), scope)

    if last in _FILLED:
        return new_array(call, scope, value(0, "shape"), dtype(1) or FLOAT64)
    if last == "full":
        fill = call_argument(call, 1, "fill_value")
        default = (
            FLOAT64
            if isinstance(fill, ast.Constant) and type(fill.value) in (int, float)
            else None
        )
        return new_array(call, scope, value(0, "shape"), dtype(2) or default)
    if last in _LIKE:
        source = evaluator.array(call.args[0], scope) if call.args else None
        if source is None:
            return None
        shape = shape_of(value(99, "shape")) or source.shape
        itemsize = dtype(99 if last != "full_like" else 2) or source.itemsize
        return source.derived(
            f"@{_key(call, scope)}",
            itemsize=itemsize,
            shape=shape,
            contiguous=source.contiguous,
        )
    if last == "arange":
        return _arange(call, evaluator, scope, dtype(99))
    if last == "linspace":
        count = value(2, "num")
        size = as_poly(count) if count is not None else Poly.constant(50)
        return new_array(
            call, scope, None if size is None else (size,), dtype(99) or FLOAT64
        )
    if last in ("eye", "identity"):
        rows = as_poly(value(0, "N" if last == "eye" else "n"))
        columns = (
            as_poly(value(1, "M"))
            if last == "eye" and call_argument(call, 1, "M")
            else rows
        )
        if rows is None or columns is None:
            return None
        return new_array(call, scope, (rows, columns), dtype(99) or FLOAT64)
    if last in ("array", "asarray", "asanyarray", "ascontiguousarray", "copy"):
        return _array(last, call, evaluator, scope, dtype(1))
    if last == "pad":
        return _pad(call, evaluator, scope)
    if last in ("reshape", "ravel") and call.args:
        source = evaluator.array(call.args[0], scope)
        if source is None:
            return None
        shifted = ast.Call(call.func, call.args[1:], call.keywords)
        ast.copy_location(shifted, call)
        return array_method(last, source, shifted, evaluator, scope)
    if last in _RANDOM_DIMENSIONS and ".random." in name:
        sizes = [as_poly(evaluator.value(a, scope)) for a in call.args]
        if any(size is None for size in sizes):
            return None
        return new_array(call, scope, tuple(s for s in sizes if s is not None), FLOAT64)
    if last in _RANDOM_SIZE and ".random." in name:
        shape = shape_of(value(0, "size"))
        return None if shape is None else new_array(call, scope, shape, FLOAT64)
    if last == "prod":
        shape = shape_of(value(0, "a"))
        return None if shape is None else product(shape)
    if last in ("floor", "ceil"):
        from safestride.lint.evaluate import floor

        poly = as_poly(value(0, "x"))
        if poly is None:
            return None
        if last == "floor":
            return floor(poly, evaluator.remainders)
        low = floor(-poly, evaluator.remainders)
        return None if low is None else -low
    if last in ("add", "subtract", "multiply"):
        from safestride.lint.evaluate import elementwise

        operator = {"add": ast.Add(), "subtract": ast.Sub(), "multiply": ast.Mult()}[
            last
        ]
        left, right = value(0, "x1"), value(1, "x2")
        return elementwise(
            operator, _vector(left), _vector(right), evaluator.remainders
        )
    return None


def _vector(value: Value) -> Value:
    if isinstance(value, ArrayModel) and value.elements is not None:
        return value.elements
    if isinstance(value, Seq):
        return Seq(value.items, vector=True)
    return value


def _arange(
    call: ast.Call, evaluator: Evaluator, scope: Scope, itemsize: Poly | None
) -> Value:
    numbers = [as_poly(evaluator.value(a, scope)) for a in call.args[:3]]
    values = [n for n in numbers if n is not None]
    if not values or len(values) != len(numbers):
        return _vector_of_unknown_length(call, scope, itemsize)
    start, stop, step = Poly.constant(0), values[0], Poly.constant(1)
    if len(values) >= 2:
        start, stop = values[0], values[1]
    if len(values) == 3:
        step = values[2]
    constants = [v.value for v in (start, stop, step)]
    if all(c is not None for c in constants):
        first, last, by = (Fraction(c) for c in constants if c is not None)
        if by == 0:
            return None
        count = max(0, -((first - last) // by))
        size = Poly.constant(int(count))
    elif step.value == 1:
        size = stop - start
    else:
        return _vector_of_unknown_length(call, scope, itemsize)
    return new_array(call, scope, (size,), itemsize or FLOAT64)


def _vector_of_unknown_length(
    call: ast.Call, scope: Scope, itemsize: Poly | None
) -> ArrayModel:
    """``np.arange(0, n, step)``: one dimension, its length a symbol."""
    label = f"len({ast.unparse(call)})"
    length = Poly.symbol(Symbol("shape", _key(call, scope), 0, label))
    return new_array(call, scope, (length,), itemsize or FLOAT64)


def _literal(node: ast.expr) -> tuple[tuple[int, ...], int, list[Fraction]] | None:
    """Shape, itemsize and flat values of a nested list of number literals."""
    if isinstance(node, (ast.List, ast.Tuple)):
        parts = [_literal(element) for element in node.elts]
        if not parts or any(part is None for part in parts):
            return None
        shapes = {part[0] for part in parts if part is not None}
        if len(shapes) != 1:
            return None
        itemsize = max(part[1] for part in parts if part is not None)
        flat = [v for part in parts if part is not None for v in part[2]]
        return (len(parts), *shapes.pop()), itemsize, flat
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _literal(node.operand)
        return None if inner is None else (inner[0], inner[1], [-v for v in inner[2]])
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        itemsize = 1 if isinstance(node.value, bool) else 8
        return (), itemsize, [Fraction(node.value)]
    return None


def _array(
    name: str, call: ast.Call, evaluator: Evaluator, scope: Scope, itemsize: Poly | None
) -> Value:
    if not call.args:
        return None
    written = evaluator.written(call.args[0], scope)
    if isinstance(written, (ast.ListComp, ast.GeneratorExp)):
        return new_array(call, scope, None, itemsize)  # a fresh C array
    literal = _literal(written)
    if literal is not None:
        shape, size, flat = literal
        elements = None
        if len(shape) == 1:
            elements = Seq(
                tuple(Item(Poly.constant(v), None) for v in flat), vector=True
            )
        sizes = tuple(Poly.constant(n) for n in shape)
        return new_array(call, scope, sizes, itemsize or Poly.constant(size), elements)
    source = evaluator.value(call.args[0], scope)
    if isinstance(source, Seq):
        return Seq(source.items, vector=True)
    array = evaluator.as_array(source, scope)
    if array is None:
        return None
    if name in ("asarray", "asanyarray") and itemsize is None:
        return array
    contiguous = array.contiguous or name == "ascontiguousarray"
    if name in ("array", "copy") and not evaluator.strict:
        contiguous = True  # a copy in C order unless the source is in F order
    return array.derived(
        f"@{_key(call, scope)}",
        itemsize=itemsize or array.itemsize,
        contiguous=contiguous,
    )


def _pad(call: ast.Call, evaluator: Evaluator, scope: Scope) -> Value:
    source = evaluator.array(call.args[0], scope) if call.args else None
    width = call_argument(call, 1, "pad_width")
    if source is None or width is None:
        return None
    widths = evaluator.value(width, scope)
    ndim = source.ndim
    pairs: list[tuple[Poly, Poly]] | None = None
    single = as_poly(widths)
    if single is not None and not isinstance(widths, Opaque) and ndim is not None:
        pairs = [(single, single)] * ndim
    elif isinstance(widths, Seq) and widths.exact:
        pairs = _pairs(widths, ndim)
    key = _key(call, scope)
    if pairs is None:
        return source.derived(f"@{key}", same_shape=False, contiguous=True, family=key)
    sizes = []
    for axis, (before, after) in enumerate(pairs):
        size = source.shape_at(axis)
        if size is None:
            return None
        sizes.append(size + before + after)
    return source.derived(f"@{key}", shape=tuple(sizes), contiguous=True, family=key)


def _pairs(widths: Seq, ndim: int | None) -> list[tuple[Poly, Poly]] | None:
    items = [item.value for item in widths.known_items()]
    numbers = [v for v in items if isinstance(v, Poly)]
    if len(numbers) == len(items) == 2 and ndim is not None:
        return [(numbers[0], numbers[1])] * ndim
    pairs: list[tuple[Poly, Poly]] = []
    for item in items:
        if not isinstance(item, Seq) or not item.exact:
            return None
        inner = [as_poly(i.value) for i in item.known_items()]
        if len(inner) == 1 and inner[0] is not None:
            pairs.append((inner[0], inner[0]))
        elif len(inner) == 2 and inner[0] is not None and inner[1] is not None:
            pairs.append((inner[0], inner[1]))
        else:
            return None
    if len(pairs) == 1 and ndim is not None:
        return pairs * ndim
    return pairs


def array_method(
    name: str, array: ArrayModel, call: ast.Call, evaluator: Evaluator, scope: Scope
) -> Value:
    """What ``array.<name>(...)`` returns, if it is known."""
    suffix = f".{name}@{_key(call, scope)}"
    if name in ("ravel", "flatten"):
        return array.derived(suffix, shape=(array.size(),), contiguous=True)
    if name == "copy":
        return array.derived(suffix, contiguous=True)
    if name == "astype":
        itemsize = evaluator.dtype_itemsize(call_argument(call, 0, "dtype"), scope)
        return array.derived(
            suffix, itemsize=itemsize or array.derived(suffix).itemsize
        )
    if name == "view":
        if not call.args and not call.keywords:
            return array
        itemsize = evaluator.dtype_itemsize(call_argument(call, 0, "dtype"), scope)
        fresh = array.derived(suffix, same_shape=False)
        return array.derived(
            suffix, same_shape=False, itemsize=itemsize or fresh.itemsize
        )
    if name == "transpose":
        if call.args or call.keywords or array.shape is None:
            return array.derived(suffix, same_shape=False)
        return array.derived(suffix, shape=tuple(reversed(array.shape)))
    if name == "reshape":
        if len(call.args) == 1:
            requested = shape_of(evaluator.value(call.args[0], scope))
        else:
            sizes = [as_poly(evaluator.value(a, scope)) for a in call.args]
            requested = (
                None
                if any(s is None for s in sizes)
                else tuple(s for s in sizes if s is not None)
            )
        order = call_argument(call, 99, "order")
        contiguous = array.contiguous and order is None
        shape = None if requested is None else _fill_in(requested, array.size())
        if shape is None:
            return array.derived(suffix, same_shape=False, contiguous=contiguous)
        return array.derived(suffix, shape=shape, contiguous=contiguous)
    return None


def _fill_in(shape: tuple[Poly, ...], size: Poly) -> tuple[Poly, ...] | None:
    """A reshape's ``-1`` worked out from the size."""
    unknown = [i for i, s in enumerate(shape) if s.value == -1]
    if not unknown:
        return shape
    if len(unknown) > 1:
        return None
    known = product(s for i, s in enumerate(shape) if i != unknown[0])
    missing = size.divided_by(known)
    if missing is None or not missing.is_integral:
        return None
    return tuple(missing if i == unknown[0] else s for i, s in enumerate(shape))
