"""Polynomials over sizes and strides, and floor divisions that keep their
remainders."""

from __future__ import annotations

from fractions import Fraction

import pytest

from safestride.lint.symbolic import (
    MAX_TERMS,
    Poly,
    Remainders,
    Symbol,
    TooComplexError,
    product,
)

H = Symbol("shape", "x", 2, "H")
K = Symbol("free", "k", label="K")
S = Symbol("free", "s", label="S")
ITEMSIZE = Symbol("itemsize", "x", label="x.itemsize")
STRIDE = Symbol("stride", "x", 0, "x.strides[0]")


def p(symbol: Symbol) -> Poly:
    return Poly.symbol(symbol)


def test_arithmetic_cancels_and_prints_like_code() -> None:
    window = p(H) - p(K) + Poly.constant(1)
    assert str(window) == "H - K + 1"
    assert window + p(K) - p(H) == Poly.constant(1)
    assert str(p(K) * p(K) * Poly.constant(2)) == "2 * K**2"
    assert str(-(p(H) - p(K))) == "K - H"
    assert (p(H) * p(K)).divided_by(p(K)) == p(H)
    assert p(H).divided_by(p(H) + p(K)) is None


def test_floor_division_keeps_a_remainder_that_cancels_back() -> None:
    remainders = Remainders()
    count = remainders.floordiv(p(H) - p(K), p(S))
    assert count is not None
    reach = count * p(S) + p(K)
    (remainder,) = [s for s in reach.symbols() if s.kind == "remainder"]
    assert remainders.divisors[remainder] == p(S)
    assert reach == p(H) - p(remainder)
    assert remainder.label == "(H - K) % S"
    again = remainders.floordiv(p(H) - p(K), p(S))
    assert again == count  # the same division, the same remainder


def test_floor_division_of_numbers_and_exact_divisions() -> None:
    remainders = Remainders()
    assert remainders.floordiv(Poly.constant(7), Poly.constant(2)) == Poly.constant(3)
    assert remainders.floordiv(Poly.constant(-7), Poly.constant(2)) == Poly.constant(-4)
    assert remainders.floordiv(p(H) * Poly.constant(4), Poly.constant(2)) == p(
        H
    ) * Poly.constant(2)
    assert remainders.floordiv(p(H), Poly.constant(0)) is None
    assert remainders.floordiv(p(H), p(H) - p(K)) is None  # sign unknown
    assert not remainders.divisors


def test_division_by_a_byte_count_leaves_a_negative_power() -> None:
    remainders = Remainders()
    count = remainders.floordiv(p(STRIDE), p(ITEMSIZE))
    assert count is not None
    powers = {s: power for m in count.terms for s, power in m if s.is_byte}
    assert powers[ITEMSIZE] == -1
    assert not count.is_integral


def test_sign_minimum_and_substitution() -> None:
    assert (p(H) + p(K)).sign() == 1
    assert (-p(H)).sign() == -1
    assert Poly.constant(0).sign() == 0
    assert (p(H) - p(K)).sign() is None
    assert (p(H) * Poly.constant(2) + Poly.constant(1)).minimum() == 3  # H >= 1
    assert (p(K) + Poly.constant(1)).minimum() == 1  # K >= 0
    assert (p(H) - Poly.constant(1)).minimum() == 0
    assert (Poly.constant(1) - p(H)).minimum() is None
    assert (p(H) * p(K)).at({K: 3}) == p(H) * Poly.constant(3)
    assert (p(H) + p(K)).at({H: 2, K: 1}).value == 3
    with pytest.raises(ZeroDivisionError):
        p(H).divided_by(p(K)).at({K: 0})  # type: ignore[union-attr]


def test_names_from_the_code_replace_labels() -> None:
    renamed = Poly.symbol(Symbol("shape", "x", 2, "x.shape[2]")).relabeled("H")
    assert str(renamed) == "H"
    assert renamed == p(H)  # labels take no part in equality
    assert (p(H) + p(K)).relabeled("n") == p(H) + p(K)
    assert (p(H) - p(K)).render({K: "kernel"}) == "H - kernel"


def test_values_products_and_limits() -> None:
    assert Poly.constant(Fraction(3, 2)).value == Fraction(3, 2)
    assert p(H).value is None
    assert product([]) == Poly.constant(1)
    assert product([p(H), p(K)]) == p(H) * p(K)
    assert hash(p(H) + p(K)) == hash(p(K) + p(H))
    assert repr(p(H)) == "Poly(H)"
    many = Poly.constant(0)
    for number in range(MAX_TERMS):
        many = many + Poly.symbol(Symbol("free", str(number), label=f"n{number}"))
    with pytest.raises(TooComplexError):
        many + Poly.symbol(Symbol("free", "one more", label="m"))
