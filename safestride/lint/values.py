"""What the evaluator knows about a value: a number, a tuple, an array.

Numbers are `Poly` s. An array is an `ArrayModel`: its shape (numbers or
symbols), its itemsize, and a key that names its strides: arrays with
different keys may have different strides even when they share memory. The
`family` says which memory (or copy of it) an array is, for telling "another
array's strides" from an alias's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction

from safestride.lint.symbolic import Poly, Symbol, product


@dataclass(frozen=True)
class Opaque:
    """A value the linter does not follow (a parameter, a loop variable, a
    helper's result), the same object wherever the same binding is used.

    `arrayish`: it may be an array (a plain name, not ``self``); if it is,
    `family` names the memory it is part of (``x[1:]`` is part of ``x``).
    """

    key: str
    label: str
    arrayish: bool = True
    family: str = ""

    def as_poly(self) -> Poly:
        return Poly.symbol(
            Symbol("free", self.key, label=self.label, family=self.family)
        )


@dataclass(frozen=True)
class ArrayModel:
    """An array as far as the code shows it.

    `shape` is None when the number of dimensions is unknown: then
    ``x.shape[i]`` is a symbol per `i` (negative `i` s are other symbols).
    `elements` holds the values of a small 1-d array written in the code
    (``np.array((h * w, w, 1))``), for arithmetic on it.
    """

    key: str
    family: str
    label: str
    itemsize: Poly
    shape: tuple[Poly, ...] | None = None
    contiguous: bool = False
    shape_key: str = ""
    elements: Seq | None = None

    @classmethod
    def unknown(
        cls, key: str, label: str, ndim: int | None = None, family: str = ""
    ) -> ArrayModel:
        """An array of which nothing is known (but maybe its dimensions)."""
        itemsize = Poly.symbol(Symbol("itemsize", key, label=f"{label}.itemsize"))
        model = cls(key, family or key, label, itemsize, None, False, key)
        if ndim is None:
            return model
        return replace(model, shape=tuple(model.shape_at(i) for i in range(ndim)))  # type: ignore[misc]

    @property
    def ndim(self) -> int | None:
        return None if self.shape is None else len(self.shape)

    def _axis(self, index: int) -> int | None:
        if self.shape is None:
            return index
        if not -len(self.shape) <= index < len(self.shape):
            return None
        return index % len(self.shape)

    def shape_at(self, index: int) -> Poly | None:
        axis = self._axis(index)
        if axis is None:
            return None
        if self.shape is not None:
            return self.shape[axis]
        label = f"{self.label}.shape[{axis}]"
        return Poly.symbol(Symbol("shape", self.shape_key or self.key, axis, label))

    @property
    def concrete(self) -> bool:
        """Shape and itemsize are numbers, and the layout is C order."""
        return (
            self.contiguous
            and self.shape is not None
            and self.itemsize.value is not None
            and all(size.value is not None for size in self.shape)
        )

    def stride_at(self, index: int) -> Poly | None:
        axis = self._axis(index)
        if axis is None:
            return None
        if self.concrete:
            assert self.shape is not None
            return self.itemsize * product(self.shape[axis + 1 :])
        label = f"{self.label}.strides[{axis}]"
        return Poly.symbol(Symbol("stride", self.key, axis, label, self.family))

    def size(self) -> Poly:
        if self.shape is not None:
            return product(self.shape)
        return Poly.symbol(
            Symbol("size", self.shape_key or self.key, 0, f"{self.label}.size")
        )

    def sequence(self, what: str) -> Seq:
        """``x.shape`` or ``x.strides`` as a tuple (of unknown length if need be)."""
        if self.shape is None:
            return Seq((Spread(self, what),))
        at = self.shape_at if what == "shape" else self.stride_at
        return Seq(tuple(Item(at(i), None) for i in range(len(self.shape))))

    def derived(
        self, suffix: str, same_shape: bool = True, **changes: object
    ) -> ArrayModel:
        """A new array made from this one: its own strides, the same family;
        its shape is this one's unless `same_shape` is False or a new
        ``shape`` is given."""
        key = f"{self.key}{suffix}"
        fields: dict[str, object] = {
            "key": key,
            "contiguous": False,
            "shape_key": self.shape_key or self.key,
            "elements": None,
        }
        if not same_shape:
            fields.update(shape=None, shape_key=key)
        fields.update(changes)
        return replace(self, **fields)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Spread:
    """An array's ``shape`` or ``strides`` from axis `start` on (``x.shape``,
    ``x.shape[2:]``), of unknown length."""

    array: ArrayModel
    what: str
    start: int = 0


@dataclass(frozen=True)
class Item:
    """One element of a tuple, and where the code writes it (if it does):
    the expression and the scope it is in."""

    value: Value
    node: object = field(default=None, compare=False, repr=False)
    scope: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Seq:
    """A tuple, list or small numpy array of known parts.

    `vector`: a numpy array, where ``+`` and ``*`` work element by element.
    """

    items: tuple[Item | Spread, ...]
    vector: bool = False

    @property
    def exact(self) -> bool:
        return all(isinstance(item, Item) for item in self.items)

    def known_items(self) -> list[Item]:
        return [item for item in self.items if isinstance(item, Item)]

    def expanded(self, length: int | None = None) -> list[Item] | None:
        """The elements, spelling out ``x.strides`` of unknown length when
        `length` (the other argument's) tells how many there are."""
        if self.exact:
            return [item for item in self.items if isinstance(item, Item)]
        spreads = [item for item in self.items if isinstance(item, Spread)]
        arrays = {spread.array.key for spread in spreads}
        if length is None or len(arrays) != 1:
            return None
        fixed = len(self.items) - len(spreads)
        skipped = sum(spread.start for spread in spreads)
        ndim, left = divmod(length - fixed + skipped, len(spreads))
        if left or any(ndim < spread.start for spread in spreads):
            return None
        items: list[Item] = []
        for item in self.items:
            if isinstance(item, Item):
                items.append(item)
                continue
            at = item.array.shape_at if item.what == "shape" else item.array.stride_at
            items.extend(Item(at(i), None) for i in range(item.start, ndim))
        return items


Value = Poly | Seq | ArrayModel | Opaque | None


def as_poly(value: Value) -> Poly | None:
    if isinstance(value, Poly):
        return value
    if isinstance(value, Opaque):
        return value.as_poly()
    return None


def number(value: Value) -> Fraction | None:
    poly = as_poly(value)
    return None if poly is None else poly.value


#: Bytes per element of the dtypes code names most often.
ITEMSIZES = {
    "bool": 1, "bool_": 1, "int8": 1, "uint8": 1, "byte": 1, "ubyte": 1,
    "int16": 2, "uint16": 2, "float16": 2, "half": 2, "short": 2,
    "int32": 4, "uint32": 4, "float32": 4, "single": 4, "intc": 4,
    "int64": 8, "uint64": 8, "float64": 8, "double": 8, "int_": 8, "intp": 8,
    "uintp": 8, "longlong": 8, "float_": 8, "float": 8, "int": 8,
    "complex64": 8, "csingle": 8, "complex128": 16, "cdouble": 16,
    "complex": 16, "complex_": 16,
}  # fmt: skip
_CODES = {"b": 1, "i": None, "u": None, "f": None, "c": None, "?": 1}
_LETTERS = {"d": 8, "f": 4, "e": 2, "g": None, "B": 1, "h": 2, "H": 2, "l": 8, "q": 8}


def itemsize_of_name(text: str) -> int | None:
    """``"float32"``, ``"f4"``, ``"<i8"``, ``"d"`` -> bytes per element."""
    text = text.lstrip("<>=|")
    if text in ITEMSIZES:
        return ITEMSIZES[text]
    if text in _LETTERS:
        return _LETTERS[text]
    if len(text) >= 2 and text[0] in _CODES and text[1:].isdigit():
        return int(text[1:])
    return None
