"""Integer arithmetic on unknowns: the sizes and strides a linter cannot see.

A `Poly` is a sum of terms, each a rational coefficient times a product of
`Symbol` powers (negative powers allowed, so ``x.strides[0] // itemsize``
stays exact as ``x.strides[0] * itemsize**-1``). Floor division by a
single term introduces a remainder symbol: ``(H - K) // S`` is
``(H - K - r) / S`` with ``0 <= r < S``, so ``((H - K) // S) * S + K``
simplifies to ``H - r``, and a window reach can be compared with a size.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

#: Polynomials with more terms are not worth following.
MAX_TERMS = 48


@dataclass(frozen=True, order=True)
class Symbol:
    """One unknown integer.

    `kind` says what it stands for: ``shape``, ``stride`` and ``itemsize``
    of the array `owner` (at axis `index`), ``size`` (an array's element
    count), ``free`` (a parameter or anything else not worked out) or
    ``remainder`` (what a floor division dropped). `label` is how the code
    spells it, for messages, and `family` the memory a stride belongs to;
    neither takes part in comparisons.
    """

    kind: str
    owner: str
    index: int = 0
    label: str = field(default="", compare=False)
    family: str = field(default="", compare=False)

    @property
    def is_byte(self) -> bool:
        """Whether it counts bytes (a stride or an itemsize)."""
        return self.kind in ("stride", "itemsize")


Monomial = tuple[tuple[Symbol, int], ...]


def _times(left: Monomial, right: Monomial) -> Monomial:
    powers = dict(left)
    for symbol, power in right:
        powers[symbol] = powers.get(symbol, 0) + power
    return tuple(sorted((s, p) for s, p in powers.items() if p))


class TooComplexError(Exception):
    """An expression grew past `MAX_TERMS`: the caller gives up on it."""


class Poly:
    """A Laurent polynomial with rational coefficients over `Symbol` s.

    Examples
    --------
    >>> h, k = Poly.symbol(Symbol("free", "h", label="h")), Poly.constant(3)
    >>> str(h - k + Poly.constant(1))
    'h - 2'
    """

    __slots__ = ("terms",)

    def __init__(self, terms: Mapping[Monomial, Fraction]) -> None:
        self.terms: dict[Monomial, Fraction] = {m: c for m, c in terms.items() if c}
        if len(self.terms) > MAX_TERMS:
            raise TooComplexError

    @classmethod
    def constant(cls, value: int | Fraction) -> Poly:
        return cls({(): Fraction(value)})

    @classmethod
    def symbol(cls, symbol: Symbol) -> Poly:
        return cls({((symbol, 1),): Fraction(1)})

    # ------------------------------------------------------------ arithmetic

    def __add__(self, other: Poly) -> Poly:
        terms = dict(self.terms)
        for monomial, coefficient in other.terms.items():
            terms[monomial] = terms.get(monomial, Fraction(0)) + coefficient
        return Poly(terms)

    def __neg__(self) -> Poly:
        return Poly({m: -c for m, c in self.terms.items()})

    def __sub__(self, other: Poly) -> Poly:
        return self + (-other)

    def __mul__(self, other: Poly) -> Poly:
        terms: dict[Monomial, Fraction] = {}
        for left, a in self.terms.items():
            for right, b in other.terms.items():
                monomial = _times(left, right)
                terms[monomial] = terms.get(monomial, Fraction(0)) + a * b
        return Poly(terms)

    def divided_by(self, other: Poly) -> Poly | None:
        """`self / other` when `other` is a single term; else None."""
        if len(other.terms) != 1:
            return None
        ((monomial, coefficient),) = other.terms.items()
        inverse = tuple((s, -p) for s, p in monomial)
        return self * Poly({inverse: 1 / coefficient})

    # ------------------------------------------------------------- questions

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Poly) and self.terms == other.terms

    def __hash__(self) -> int:
        return hash(frozenset(self.terms.items()))

    @property
    def value(self) -> Fraction | None:
        """The number, when it is one."""
        if not self.terms:
            return Fraction(0)
        if len(self.terms) == 1 and () in self.terms:
            return self.terms[()]
        return None

    @property
    def is_integral(self) -> bool:
        """Integer coefficients and no negative powers: an integer whatever
        the symbols are."""
        return all(
            c.denominator == 1 and all(p > 0 for _, p in m)
            for m, c in self.terms.items()
        )

    def symbols(self) -> set[Symbol]:
        return {s for monomial in self.terms for s, _ in monomial}

    def relabeled(self, label: str) -> Poly:
        """A lone symbol under the name code gave it (``h, w = x.shape``)."""
        if len(self.terms) != 1:
            return self
        ((monomial, coefficient),) = self.terms.items()
        if coefficient != 1 or len(monomial) != 1 or monomial[0][1] != 1:
            return self
        symbol = monomial[0][0]
        renamed = Symbol(symbol.kind, symbol.owner, symbol.index, label, symbol.family)
        return Poly({((renamed, 1),): coefficient})

    def sign(self) -> int | None:
        """+1 or -1 when every term has that sign, 0 for zero, None when it
        depends on the symbols. Symbols count as positive (sizes, steps) and
        remainders as not negative, so a +1 may also be a zero."""
        if not self.terms:
            return 0
        signs = {1 if c > 0 else -1 for c in self.terms.values()}
        return signs.pop() if len(signs) == 1 else None

    def at(self, values: Mapping[Symbol, int]) -> Poly:
        """The polynomial with some symbols replaced by numbers."""
        terms: dict[Monomial, Fraction] = {}
        for monomial, coefficient in self.terms.items():
            kept: list[tuple[Symbol, int]] = []
            for symbol, power in monomial:
                if symbol in values:
                    if values[symbol] == 0 and power < 0:
                        raise ZeroDivisionError(symbol.label)
                    coefficient *= Fraction(values[symbol]) ** power
                else:
                    kept.append((symbol, power))
            key = tuple(kept)
            terms[key] = terms.get(key, Fraction(0)) + coefficient
        return Poly(terms)

    def minimum(self) -> Fraction | None:
        """The least value, when it is plain to see: every term but the
        number has a positive coefficient and positive powers, so the least
        value is at the least symbols (1 for sizes, 0 for the others)."""
        least = Fraction(0)
        for monomial, coefficient in self.terms.items():
            if monomial and (coefficient < 0 or any(p < 0 for _, p in monomial)):
                return None
            if all(s.kind in ("shape", "size") for s, _ in monomial):
                least += coefficient
        return least

    # --------------------------------------------------------------- display

    def __str__(self) -> str:
        return self.render({})

    def render(self, names: Mapping[Symbol, str]) -> str:
        """The polynomial as code, naming symbols by `names` where given."""
        if not self.terms:
            return "0"
        pieces = [_term(m, c, names) for m, c in sorted(self.terms.items(), key=_order)]
        text = pieces[0]
        for piece in pieces[1:]:
            text += f" - {piece[1:]}" if piece.startswith("-") else f" + {piece}"
        return text

    def __repr__(self) -> str:
        return f"Poly({self})"


def _order(item: tuple[Monomial, Fraction]) -> tuple[int, int, str]:
    """Positive terms first, numbers last: ``h - k + 1``."""
    monomial, coefficient = item
    return (
        1 if not monomial else 0,
        0 if coefficient > 0 else 1,
        " ".join(s.label for s, _ in monomial),
    )


def _term(
    monomial: Monomial, coefficient: Fraction, names: Mapping[Symbol, str]
) -> str:
    labels = [(names.get(s, s.label), p) for s, p in monomial]
    factors = [label if p == 1 else f"{label}**{p}" for label, p in labels]
    number = str(abs(coefficient))
    if factors and abs(coefficient) == 1:
        text = " * ".join(factors)
    else:
        text = " * ".join([number, *factors])
    return f"-{text}" if coefficient < 0 else text


class Remainders:
    """The remainder symbols of floor divisions, each with its divisor.

    One remainder per (dividend, divisor): ``a // b`` and ``a % b`` share it.
    """

    def __init__(self) -> None:
        self.divisors: dict[Symbol, Poly] = {}
        self._made: dict[tuple[Poly, Poly], Symbol] = {}

    def floordiv(self, dividend: Poly, divisor: Poly) -> Poly | None:
        """``dividend // divisor``, exact when the division leaves nothing."""
        if divisor.value is not None and divisor.value <= 0:
            return None
        numbers = dividend.value, divisor.value
        if numbers[0] is not None and numbers[1] is not None:
            return Poly.constant(math.floor(numbers[0] / numbers[1]))
        quotient = dividend.divided_by(divisor)
        if quotient is None or divisor.sign() != 1:
            return None
        if quotient.is_integral and dividend.is_integral:
            return quotient
        remainder = self.remainder(dividend, divisor)
        return (dividend - Poly.symbol(remainder)).divided_by(divisor)

    def remainder(self, dividend: Poly, divisor: Poly) -> Symbol:
        key = (dividend, divisor)
        if key not in self._made:
            symbol = Symbol(
                "remainder",
                str(len(self._made)),
                label=f"({dividend}) % {_grouped(divisor)}",
            )
            self._made[key] = symbol
            self.divisors[symbol] = divisor
        return self._made[key]


def _grouped(poly: Poly) -> str:
    text = str(poly)
    return f"({text})" if " " in text else text


def product(factors: Iterable[Poly]) -> Poly:
    """The product of `factors` (1 for none)."""
    result = Poly.constant(1)
    for factor in factors:
        result = result * factor
    return result


def byte_symbols(poly: Poly) -> Iterator[tuple[Symbol, int]]:
    """The stride and itemsize symbols in `poly`, with their powers, per term."""
    for monomial in poly.terms:
        for symbol, power in monomial:
            if symbol.is_byte:
                yield symbol, power
