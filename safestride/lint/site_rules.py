"""The rules that judge one ``as_strided`` call from its arguments.

Each rule is a function of a `Site` that returns the findings it makes, as
`Report` s; the checker turns them into findings. Rules that point at
defects (SST001, SST002, SST009, SST010) read values; advice rules (SST003,
SST006, SST007) read what the code writes.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction

from safestride.lint.evaluate import Evaluator
from safestride.lint.extent import dimensions, overrun
from safestride.lint.foreign import describe, foreign_axes
from safestride.lint.scopes import Scope
from safestride.lint.sources import Sources, shape_of
from safestride.lint.symbolic import Poly
from safestride.lint.values import ArrayModel, Item, Seq, Value, as_poly

#: Divisors that make a byte stride an item count when the dtype is unknown.
ITEMSIZES = frozenset({2, 4, 8, 16})


@dataclass(frozen=True)
class Report:
    """A finding before it has a file name: code, where, message details."""

    code: str
    node: ast.AST
    details: dict[str, object] = field(default_factory=dict)


@dataclass
class Site:
    """One as_strided call and what rules need to judge it."""

    call: ast.Call
    scope: Scope
    array: ast.expr | None
    shape: ast.expr | None
    strides: ast.expr | None
    strict: Evaluator
    lenient: Evaluator
    sources: Sources

    @property
    def label(self) -> str:
        return "" if self.array is None else ast.unparse(self.array)

    def items(
        self, evaluator: Evaluator, node: ast.expr | None, length: int | None = None
    ) -> list[Item] | None:
        """The elements of a shape or strides argument, when they are known."""
        if node is None:
            return None
        value = evaluator.value(node, self.scope)
        return _items(value, length)

    def shape_items(
        self, evaluator: Evaluator, length: int | None = None
    ) -> list[Item] | None:
        """The view's shape; with ``shape`` left out, the array's (as numpy
        does)."""
        if self.shape is not None:
            return self.items(evaluator, self.shape, length)
        if self.array is None:
            return None
        viewed = evaluator.viewed(self.array, self.scope)
        return _items(viewed.sequence("shape"), length)


def _items(value: Value, length: int | None) -> list[Item] | None:
    if isinstance(value, ArrayModel) and value.elements is not None:
        value = value.elements
    if isinstance(value, Seq):
        return value.expanded(length)
    return None


def _within(node: object, container: ast.expr) -> ast.expr:
    """`node` if it is written inside `container`, else `container` itself."""
    if isinstance(node, ast.expr) and any(c is node for c in ast.walk(container)):
        return node
    return container


def _text(item: Item) -> str:
    if isinstance(item.node, ast.expr):
        return ast.unparse(item.node)
    poly = as_poly(item.value)
    return "?" if poly is None else str(poly)


# ----------------------------------------------------------------- defects


def stale_strides(site: Site) -> Iterator[Report]:
    """SST001: a stride taken whole from another array's ``.strides``."""
    if site.array is None or site.strides is None:
        return
    viewed = site.lenient.viewed(site.array, site.scope)
    items = site.items(site.lenient, site.strides)
    if items is not None and all(isinstance(i.node, ast.expr) for i in items):
        parts = [(i.node, i.scope) for i in items]
    else:
        parts = [(site.strides, site.scope)]
    for node, scope in parts:
        assert isinstance(node, ast.expr)
        assert isinstance(scope, Scope)
        found = site.sources.of(node, scope)
        foreign = [
            s
            for s in found
            if s.kind == "strides"
            and s.family != viewed.family
            and s.is_array
            and s.shape != shape_of(viewed)
        ]
        own = [
            s
            for s in found
            if s.kind in ("strides", "itemsize") and s.family == viewed.family
        ]
        if foreign and not own:
            text = min(s.text for s in foreign)
            yield Report(
                "SST001",
                site.strides,
                {"array": site.label, "source": text},
            )
            return


def contiguous_strides(site: Site) -> Iterator[Report]:
    """SST002: strides from the itemsize alone, on an array that may not be
    C-contiguous."""
    if site.array is None or site.strides is None:
        return
    if site.lenient.viewed(site.array, site.scope).contiguous:
        return
    found = site.sources.of(site.strides, site.scope)
    kinds = {s.kind for s in found}
    if "itemsize" in kinds and "strides" not in kinds:
        yield Report("SST002", site.strides, {"array": site.label})


def out_of_bounds(site: Site) -> Iterator[Report]:
    """SST009: a view proven to reach outside its array."""
    if site.array is None or site.strides is None:
        return
    viewed = site.strict.viewed(site.array, site.scope)
    shape = site.shape_items(site.strict)
    strides = site.items(
        site.strict, site.strides, None if shape is None else len(shape)
    )
    if strides is not None and shape is None:
        shape = site.shape_items(site.strict, len(strides))
    if shape is None or strides is None:
        return
    texts = ([_text(i) for i in shape], [_text(i) for i in strides])
    view = dimensions(shape, strides, texts)
    if view is None:
        return
    detail = overrun(viewed, site.label, view)
    if detail is not None:
        yield Report("SST009", site.call, {"array": site.label, "detail": detail})


def misaligned_strides(site: Site) -> Iterator[Report]:
    """SST010: a stride that cannot be a whole number of items."""
    if site.array is None or site.strides is None:
        return
    viewed = site.strict.viewed(site.array, site.scope)
    items = site.items(site.strict, site.strides)
    if items is None:
        return
    shape = site.shape_items(site.strict, len(items)) or []
    sizes = [as_poly(i.value) for i in shape]
    itemsize = viewed.itemsize.value
    for number, item in enumerate(items):
        poly = as_poly(item.value)
        size = sizes[number] if len(sizes) == len(items) else None
        if poly is None or (size is not None and size.value in (0, 1)):
            continue  # a stride of a dimension of length 1 is never used
        detail = _misalignment(poly, _text(item), site.label, itemsize)
        if detail is not None:
            yield Report("SST010", _within(item.node, site.strides), {"detail": detail})
            return


def _misalignment(
    poly: Poly, text: str, label: str, itemsize: Fraction | None
) -> str | None:
    for monomial, coefficient in poly.terms.items():
        for symbol, power in monomial:
            if symbol.is_byte and power < 0:
                return (
                    f"`{text}` divides by {symbol.label}, so it counts items, but "
                    "strides count bytes (multiply by the itemsize instead)"
                )
            if symbol.kind == "stride" and power == 1 and coefficient.denominator > 1:
                divisor = coefficient.denominator
                if divisor == itemsize or (itemsize is None and divisor in ITEMSIZES):
                    return (
                        f"`{text}` divides the byte stride {symbol.label} by "
                        f"{divisor}, so it counts items, but strides count bytes"
                    )
    value = poly.value
    if value is not None and itemsize is not None and value % itemsize:
        return (
            f"stride {text} is not a multiple of {label}'s itemsize ({itemsize} "
            "bytes): every step lands inside an item"
        )
    return None


def foreign_window_counts(site: Site, helper: str = "") -> Iterator[Report]:
    """SST011: windows counted from another array's shape, laid over this
    one; `helper` names the function whose view this is, when `site` is
    read with a caller's arguments."""
    if site.array is None or site.strides is None or site.shape is None:
        return
    viewed = site.strict.viewed(site.array, site.scope)
    shape = site.shape_items(site.strict)
    strides = site.items(
        site.strict, site.strides, None if shape is None else len(shape)
    )
    if shape is None or strides is None:
        return
    texts = ([_text(i) for i in shape], [_text(i) for i in strides])
    view = dimensions(shape, strides, texts)
    if view is None:
        return
    through = bool(helper)
    for found in foreign_axes(
        viewed, view, site.strict, site.array, site.scope, through
    ):
        detail = describe(viewed, site.label, view, found, helper)
        yield Report("SST011", site.call, {"detail": detail})
        return


# ------------------------------------------------------------------ advice


def hard_coded_strides(site: Site) -> Iterator[Report]:
    """SST003: an integer literal (not 0) as a stride, on an array whose dtype
    and layout the function does not show (else SST009/SST010 check it)."""
    if site.strides is None or site.array is None:
        return
    if site.strict.viewed(site.array, site.scope).concrete:
        return
    items = site.items(site.lenient, site.strides)
    for item in items or []:
        if not isinstance(item.node, ast.expr) or not isinstance(item.scope, Scope):
            continue
        found = site.sources.of(item.node, item.scope)
        constants = [s for s in found if s.kind == "constant"]
        if len(constants) == len(found) and any(s.value for s in constants):
            value = ast.unparse(item.node)
            yield Report(
                "SST003",
                _within(item.node, site.strides),
                {"array": site.label, "value": value},
            )
            return


def zero_strides(site: Site) -> Iterator[Report]:
    """SST006: a zero in the strides: a broadcast."""
    if site.strides is None:
        return
    value = site.lenient.value(site.strides, site.scope)
    if isinstance(value, ArrayModel) and value.elements is not None:
        value = value.elements
    if not isinstance(value, Seq):
        return
    sizes: list[Poly | None] = []
    if value.exact:
        shape = site.shape_items(site.lenient, len(value.items)) or []
        sizes = [as_poly(i.value) for i in shape]
    for number, item in enumerate(value.known_items()):
        poly = as_poly(item.value)
        size = sizes[number] if number < len(sizes) else None
        if size is not None and size.value is not None and size.value <= 1:
            continue  # nothing is repeated along a dimension of length 0 or 1
        if poly is not None and poly.value == 0:
            yield Report(
                "SST006", _within(item.node, site.strides), {"array": site.label}
            )
            return


def window_view(site: Site) -> Iterator[Report]:
    """SST007: a sliding-window view written by hand."""
    if site.strides is None:
        return
    if (
        _repeats_strides(site.strides)
        or _repeats_a_stride(site)
        or (site.shape is not None and _counts_windows(site.shape))
    ):
        yield Report("SST007", site.call, {"array": site.label})


def _is_strides(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "strides"


def _repeats_strides(strides: ast.expr) -> bool:
    """``x.strides * 2`` or ``x.strides + x.strides``."""
    if not isinstance(strides, ast.BinOp):
        return False
    if isinstance(strides.op, ast.Mult):
        repeat = strides.right if _is_strides(strides.left) else strides.left
        return isinstance(repeat, ast.Constant) and repeat.value in range(2, 64)
    if isinstance(strides.op, ast.Add):
        left = {ast.unparse(n) for n in ast.walk(strides.left) if _is_strides(n)}
        right = {ast.unparse(n) for n in ast.walk(strides.right) if _is_strides(n)}
        return bool(left & right)
    return False


def _repeats_a_stride(site: Site) -> bool:
    """The same byte stride in two places: ``(s, s)``."""
    seen: set[Poly] = set()
    for item in site.items(site.lenient, site.strides) or []:
        poly = as_poly(item.value)
        if poly is None or poly.value is not None:
            continue
        if poly in seen:
            return True
        seen.add(poly)
    return False


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


def overlapping(site: Site) -> bool:
    """Whether the view surely has elements that share memory: a zero
    stride, or one stride twice, on dimensions longer than 1."""
    shape = site.items(site.lenient, site.shape)
    strides = site.items(
        site.lenient, site.strides, None if shape is None else len(shape)
    )
    if strides is None:
        return False
    seen: set[Poly] = set()
    for number, item in enumerate(strides):
        poly = as_poly(item.value)
        size = None
        if shape is not None and number < len(shape):
            size = as_poly(shape[number].value)
        if poly is None or (
            size is not None and size.value is not None and size.value <= 1
        ):
            continue
        if poly.value == 0 or poly in seen:
            return True
        seen.add(poly)
    return False


#: Each rule's code and the function that applies it.
RULES: dict[str, Callable[[Site], Iterator[Report]]] = {
    "SST001": stale_strides,
    "SST002": contiguous_strides,
    "SST003": hard_coded_strides,
    "SST006": zero_strides,
    "SST007": window_view,
    "SST009": out_of_bounds,
    "SST010": misaligned_strides,
    "SST011": foreign_window_counts,
}


#: Rules that prove a defect in a call's shape and strides.
DEFECTS = frozenset({"SST009", "SST010"})
#: Rules about how strides were computed, quiet where a defect rule reports
#: the same call: one finding per defect.
WEAKER = frozenset({"SST002", "SST003"})


def site_reports(site: Site, wants: Callable[[str], bool]) -> list[Report]:
    """What the rules `wants` say about one call, one finding per defect."""
    reports = [
        found for code, rule in RULES.items() if wants(code) for found in rule(site)
    ]
    if any(report.code in DEFECTS for report in reports):
        return [report for report in reports if report.code not in WEAKER]
    return reports
