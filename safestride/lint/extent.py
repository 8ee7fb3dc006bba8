"""Does a view stay inside its array? Proven from the source, or not said.

Two ways to know. When the array's shape and dtype are numbers and so are
the view's, the byte extent is computed as the runtime check does. Else the
view's strides are written as multiples of the array's own strides
(``SH * x.strides[2]``), and each axis of the array is checked in index
space: the view's dimensions that step along axis ``i`` reach index
``sum((n_j - 1) * c_j)``, to compare with ``x.shape[i] - 1``. Floor
divisions leave remainders; a finding needs sizes for which the view is
out of bounds, so remainders are taken as 0 (sizes that divide evenly) and
axes the view does not step along as length 1. When the overrun shows for
every large enough array once one other size passes a bound (``n - 2``
windows of ``k`` items: ``k > 3``), the finding states that bound.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from safestride.lint.symbolic import Poly, Symbol, product
from safestride.lint.values import ArrayModel, Item, as_poly


@dataclass(frozen=True)
class Dimension:
    """One dimension of the view: its size and stride, and how code spells them."""

    size: Poly
    stride: Poly
    size_text: str
    stride_text: str

    def describe(self, number: int) -> str:
        return f"dimension {number} (size {self.size_text}, stride {self.stride_text})"


def dimensions(
    shape: list[Item], strides: list[Item], texts: tuple[list[str], list[str]]
) -> list[Dimension] | None:
    """The view's dimensions, when every size and stride is a number or a
    polynomial."""
    if len(shape) != len(strides):
        return None
    found = []
    for size_item, stride_item, size_text, stride_text in zip(
        shape, strides, texts[0], texts[1], strict=True
    ):
        size, stride = as_poly(size_item.value), as_poly(stride_item.value)
        if size is None or stride is None:
            return None
        found.append(Dimension(size, stride, size_text, stride_text))
    return found


def overrun(array: ArrayModel, label: str, view: list[Dimension]) -> str | None:
    """What reaches out of `array`, in words; None when in bounds or unknown."""
    if any(d.size.value == 0 for d in view):
        return None  # an empty view reads nothing
    if array.concrete and all(
        d.size.value is not None and d.stride.value is not None for d in view
    ):
        return _bytes(array, label, view)
    return _indexes(array, label, view)


def _bytes(array: ArrayModel, label: str, view: list[Dimension]) -> str | None:
    assert array.shape is not None
    itemsize = int(_number(array.itemsize))
    nbytes = int(_number(product(array.shape))) * itemsize
    reaches = [(int(_number(d.size)) - 1) * int(_number(d.stride)) for d in view]
    high = sum(r for r in reaches if r > 0) + itemsize
    low = sum(r for r in reaches if r < 0)
    moving = [
        d.describe(n) for n, (d, r) in enumerate(zip(view, reaches, strict=True)) if r
    ]
    shape = tuple(int(_number(s)) for s in array.shape)
    what = f"{label} (shape {shape}, {itemsize}-byte items, {nbytes} bytes)"
    if high > nbytes:
        return (
            f"reads {_amount(high - nbytes, itemsize)} past the end of {what}: "
            f"{' + '.join(moving)} end at byte {high} of {nbytes}"
        )
    if low < 0:
        return (
            f"reads {_amount(-low, itemsize)} before the start of {what}: "
            f"{' + '.join(moving)} start at byte {low}"
        )
    return None


def _amount(count: int, itemsize: int) -> str:
    if count % itemsize:
        return f"{count} bytes"
    items = count // itemsize
    return f"{count} bytes ({items} item{'s' if items != 1 else ''})"


def _number(poly: Poly) -> Fraction:
    value = poly.value
    assert value is not None
    return value


def along_axes(stride: Poly, array: ArrayModel) -> dict[int, Poly] | None:
    """`stride` as ``sum(c_i * array.strides[i])``: the c_i by axis."""
    found: dict[int, Poly] = {}
    for monomial, coefficient in stride.terms.items():
        byte = [(s, p) for s, p in monomial if s.is_byte]
        if len(byte) != 1 or byte[0][1] != 1:
            return None
        symbol = byte[0][0]
        rest = Poly({tuple(m for m in monomial if m[0] != symbol): coefficient})
        axis, factor = _axis_of(symbol, array, rest)
        if axis is None or factor is None:
            return None
        found[axis] = found.get(axis, Poly.constant(0)) + factor
    return {axis: c for axis, c in found.items() if c.terms}


def _axis_of(
    symbol: Symbol, array: ArrayModel, rest: Poly
) -> tuple[int | None, Poly | None]:
    if symbol.kind == "stride" and symbol.owner == array.key:
        return symbol.index, rest
    if symbol.kind != "itemsize" or Poly.symbol(symbol) != array.itemsize:
        return None, None
    if not array.contiguous or array.shape is None:
        return None, None
    for axis in range(len(array.shape)):
        unit = product(array.shape[axis + 1 :])
        factor = rest.divided_by(unit)
        if factor is not None and factor.is_integral:
            return axis, factor
    return None, None


_NONE = Symbol("free", "")


@dataclass
class _Axis:
    """What the view does along one axis of the array."""

    length: Poly
    high: Poly
    low: Poly
    movers: list[int]


def _indexes(array: ArrayModel, label: str, view: list[Dimension]) -> str | None:
    axes: dict[int, _Axis] = {}
    for number, dimension in enumerate(view):
        if dimension.size.value == 1:
            continue
        stride: Poly | None = dimension.stride
        if array.contiguous and dimension.stride.value is not None:
            stride = as_stride_symbols(dimension.stride, array)
        parts = None if stride is None else along_axes(stride, array)
        if parts is None:
            return None
        for axis, factor in parts.items():
            sign = factor.sign()
            length = array.shape_at(axis)
            if sign is None or length is None:
                return None
            entry = axes.setdefault(
                axis, _Axis(length, Poly.constant(0), Poly.constant(0), [])
            )
            reach = factor * (dimension.size - Poly.constant(1))
            if sign > 0:
                entry.high = entry.high + reach
            else:
                entry.low = entry.low + reach
            entry.movers.append(number)
    if not axes:
        return None
    witness = _witness(array, axes)
    names = _names(view)
    return _past_the_end(array, label, view, axes, witness, names) or (
        _before_the_start(label, view, axes, witness, names)
    )


def _names(view: list[Dimension]) -> dict[Symbol, str]:
    """The names code gives symbols (``H`` for ``x.shape[2]``), for messages."""
    names: dict[Symbol, str] = {}
    for dimension in view:
        for poly in (dimension.size, dimension.stride):
            for symbol in poly.symbols():
                if symbol.label.isidentifier() or symbol not in names:
                    names[symbol] = symbol.label
    return names


def as_stride_symbols(stride: Poly, array: ArrayModel) -> Poly | None:
    """A byte count on a C-contiguous array, as a multiple of one of its
    strides (the outermost whose size in bytes is known and divides it)."""
    if array.shape is None:
        return None
    value = _number(stride)
    for axis in range(len(array.shape)):
        unit = (array.itemsize * product(array.shape[axis + 1 :])).value
        if unit and value % unit == 0:
            symbol = Symbol("stride", array.key, axis, f"{array.label}.strides[{axis}]")
            return Poly.constant(value / unit) * Poly.symbol(symbol)
    return None


def _witness(array: ArrayModel, axes: dict[int, _Axis]) -> dict[Symbol, int]:
    """Sizes for which an overrun shows: remainders 0, other axes length 1."""
    chosen: dict[Symbol, int] = {}
    for axis, length in enumerate(array.shape or ()):
        symbols = length.symbols()
        if axis not in axes and length == Poly.symbol(min(symbols, default=_NONE)):
            chosen[min(symbols)] = 1
    for entry in axes.values():
        for poly in (entry.high, entry.low, entry.length):
            for symbol in poly.symbols():
                if symbol.kind == "remainder":
                    chosen[symbol] = 0
                elif (
                    symbol.kind == "shape"
                    and symbol.owner == (array.shape_key or array.key)
                    and symbol.index not in axes
                ):
                    chosen[symbol] = 1
    return chosen


def _past_the_end(
    array: ArrayModel,
    label: str,
    view: list[Dimension],
    axes: dict[int, _Axis],
    witness: dict[Symbol, int],
    names: dict[Symbol, str],
) -> str | None:
    excess: dict[int, tuple[Poly, Fraction]] = {}
    for axis, entry in axes.items():
        over = entry.high - (entry.length - Poly.constant(1))
        least = over.at(witness).minimum()
        if least is None or least < 0:
            return _past_the_end_unless(array, label, view, axes, witness, names)
        excess[axis] = (over, least)
    axis, (over, least) = max(excess.items(), key=lambda item: item[1][1])
    if least <= 0:
        return _past_the_end_unless(array, label, view, axes, witness, names)
    entry = axes[axis]
    exact = over.at(witness)
    amount = exact.render(names) if exact.value is not None else f"at least {least}"
    unit = "item" if array.ndim == 1 else "row"
    last = (entry.length - Poly.constant(1)).at(witness).render(names)
    return (
        f"reads {amount} {_plural(unit, exact)} past the end of {label} "
        f"along axis {axis}: {_movers(view, entry)} reach {unit} "
        f"{entry.high.at(witness).render(names)} "
        f"of {unit}s 0 to {last}{_condition(over, names)}"
    )


def _before_the_start(
    label: str,
    view: list[Dimension],
    axes: dict[int, _Axis],
    witness: dict[Symbol, int],
    names: dict[Symbol, str],
) -> str | None:
    for axis, entry in axes.items():
        under = -entry.low
        least = under.at(witness).minimum()
        if least is not None and least > 0:
            exact = under.at(witness)
            amount = (
                exact.render(names) if exact.value is not None else f"at least {least}"
            )
            return (
                f"reads {amount} {_plural('row', exact)} before the start of "
                f"{label} along axis {axis}: {_movers(view, entry)} reach row "
                f"{entry.low.at(witness).render(names)}{_condition(under, names)}"
            )
    return None


def _plural(unit: str, count: Poly) -> str:
    return unit if count.value == 1 else f"{unit}s"


def _movers(view: list[Dimension], entry: _Axis) -> str:
    return " + ".join(view[n].describe(n) for n in entry.movers)


def _condition(poly: Poly, names: dict[Symbol, str]) -> str:
    """The remainders a finding takes as 0, as a condition on the sizes."""
    remainders = sorted(s for s in poly.symbols() if s.kind == "remainder")
    parts = [f"{s.label} == 0" for s in remainders]
    return f" (when {' and '.join(parts)})" if parts else ""


def _past_the_end_unless(
    array: ArrayModel,
    label: str,
    view: list[Dimension],
    axes: dict[int, _Axis],
    witness: dict[Symbol, int],
    names: dict[Symbol, str],
) -> str | None:
    """An overrun that shows for every large enough array once some other
    size passes a bound: a window count that fits one kernel size only
    (``H - 2`` windows of ``f_K`` rows) or ignores a step (``H - K + 1``
    windows stepping ``S`` rows). None unless every axis agrees."""
    sizes = set()
    for entry in axes.values():
        sizes |= entry.length.at(witness).symbols()
    signs: dict[int, tuple[int, Poly]] = {}
    for axis, entry in axes.items():
        over = (entry.high - (entry.length - Poly.constant(1))).at(witness)
        sign = _eventual_sign(over, sizes)
        if sign is None or sign < 0:
            return None
        signs[axis] = (sign, over)
    reaching = [axis for axis, (sign, _) in signs.items() if sign > 0]
    if not reaching:
        return None
    axis = min(reaching)
    over = signs[axis][1]
    bound = _bound(_leading_coefficient(over, sizes))
    if bound is None:
        return None
    symbol, limit = bound
    entry = axes[axis]
    unit = "item" if array.ndim == 1 else "row"
    name = names.get(symbol, symbol.label)
    unless = f"{name} == 1" if limit == 1 else f"{name} <= {limit}"
    if over.symbols() & sizes:
        example = over.at({symbol: limit + 1})
        amount = (
            f"past the end of {label} along axis {axis} unless {unless} "
            f"({example.render(names)} {_plural(unit, example)} when "
            f"{name} == {limit + 1})"
        )
    else:
        amount = (
            f"{over.render(names)} {_plural(unit, over)} past the end of {label} "
            f"along axis {axis} unless {unless}"
        )
    last = (entry.length - Poly.constant(1)).at(witness).render(names)
    return (
        f"reads {amount}: {_movers(view, entry)} reach {unit} "
        f"{entry.high.at(witness).render(names)} of {unit}s 0 to {last}"
        f"{_condition(over, names)}"
    )


def _eventual_sign(poly: Poly, sizes: set[Symbol]) -> int | None:
    """The sign of `poly` once the array's `sizes` are large and every other
    symbol is large too, but much smaller: the sign of its leading term when
    sizes count before the rest. 0 for zero; None when leading terms cancel
    or a symbol is divided by (the sign then depends on how they compare)."""
    if not poly.terms:
        return 0
    groups: dict[tuple[int, int], list[Fraction]] = {}
    for monomial, coefficient in poly.terms.items():
        if any(power < 0 for _, power in monomial):
            return None
        fast = sum(power for symbol, power in monomial if symbol in sizes)
        slow = sum(power for symbol, power in monomial if symbol not in sizes)
        groups.setdefault((fast, slow), []).append(coefficient)
    leading = groups[max(groups)]
    total = sum(leading, Fraction(0))
    if total == 0 or (len(leading) > 1 and len({c > 0 for c in leading}) > 1):
        return None
    return 1 if total > 0 else -1


def _leading_coefficient(poly: Poly, sizes: set[Symbol]) -> Poly:
    """What multiplies the highest power of the array's sizes in `poly`."""
    degree = max(
        sum(power for symbol, power in monomial if symbol in sizes)
        for monomial in poly.terms
    )
    terms: dict[tuple[tuple[Symbol, int], ...], Fraction] = {}
    for monomial, coefficient in poly.terms.items():
        if sum(power for symbol, power in monomial if symbol in sizes) == degree:
            rest = tuple(m for m in monomial if m[0] not in sizes)
            terms[rest] = terms.get(rest, Fraction(0)) + coefficient
    return Poly(terms)


def _bound(poly: Poly) -> tuple[Symbol, int] | None:
    """``a * s + b`` with ``a > 0``: `s` and the largest `s` for which it is
    not positive (at least 1: sizes and steps are)."""
    symbols = poly.symbols()
    if len(symbols) != 1:
        return None
    (symbol,) = symbols
    if not _varies(symbol):
        return None
    slope = poly.terms.get(((symbol, 1),))
    if slope is None or slope <= 0 or len(poly.terms) > 2:
        return None
    if len(poly.terms) == 2 and () not in poly.terms:
        return None
    limit = math.floor(-poly.terms.get((), Fraction(0)) / slope)
    return (symbol, limit) if limit >= 1 else None


def _varies(symbol: Symbol) -> bool:
    """Whether the code takes `symbol` as it comes (a size, a parameter, a
    setting on ``self``): not a name that may be a constant written
    elsewhere (an undefined or star-imported name, a module constant a
    function may change)."""
    if symbol.kind in ("shape", "size"):
        return True
    return symbol.kind == "free" and not symbol.owner.startswith(("global:", "merge:"))
