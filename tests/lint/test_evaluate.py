"""What the evaluator makes of expressions: numbers, tuples, arrays made by
numpy calls (evaluate.py, numpy_calls.py, values.py)."""

from __future__ import annotations

import ast
import textwrap

import pytest

from safestride.lint.evaluate import Evaluator
from safestride.lint.recognition import Recognizer, collect_aliases
from safestride.lint.scopes import Scope
from safestride.lint.symbolic import Poly, Remainders
from safestride.lint.values import (
    ArrayModel,
    Opaque,
    Seq,
    Value,
    as_poly,
    itemsize_of_name,
)


def evaluate(setup: str, expression: str, strict: bool = True) -> Value:
    """The value of `expression` after `setup`, in ``def f(x, k, s, flag)``."""
    body = textwrap.indent(textwrap.dedent(setup) + f"result = {expression}\n", "    ")
    source = "import math\nimport numpy as np\n\ndef f(x, k, s, flag):\n" + body
    tree = ast.parse(source)
    module = Scope.of(tree)
    function = tree.body[2]
    scope = Scope.of(function, module)
    evaluator = Evaluator(Recognizer(collect_aliases(tree)), Remainders(), strict)
    result = function.body[-1].value  # type: ignore[attr-defined]
    return evaluator.value(result, scope)


def text(value: Value) -> str:
    """A value the way the tests compare it."""
    if isinstance(value, (Poly, Opaque)):
        return str(as_poly(value))
    if isinstance(value, Seq):
        items = [text(getattr(i, "value", None)) for i in value.known_items()]
        return f"({', '.join(items)}{',' if len(items) == 1 else ''})"
    if isinstance(value, ArrayModel):
        shape = "?" if value.shape is None else text(Seq(tuple(_items(value.shape))))
        layout = "C" if value.contiguous else "any"
        return f"array{shape} of {value.itemsize} bytes, {layout}"
    return "?"


def _items(sizes: tuple[Poly, ...]) -> list[object]:
    from safestride.lint.values import Item

    return [Item(size) for size in sizes]


@pytest.mark.parametrize(
    ("setup", "expression", "expected"),
    [
        (
            "",
            "((x.shape[0] - k) // s) * s + k",
            "x.shape[0] - (x.shape[0] - k) % s",
        ),
        ("n, c, h, w = x.shape\n", "h * w", "h * w"),
        ("", "x.shape[:2]", "(x.shape[0], x.shape[1])"),
        ("", "x.shape[-2:]", "(x.shape[-2], x.shape[-1])"),
        ("n, c, h, w = x.shape\n", "x.shape[-1]", "x.shape[3]"),
        ("", "x.strides * 2", "()"),
        (
            "a, b = x.strides\n",
            "x.strides * 2",
            "(x.strides[0], x.strides[1], x.strides[0], x.strides[1])",
        ),
        ("", "(k,) + (s, 1)", "(k, s, 1)"),
        ("", "(k,) * 3", "(k, k, k)"),
        ("", "x.itemsize * np.array((k, 1))", "(k * x.itemsize, x.itemsize)"),
        ("", "np.subtract((k, 5), (1, 2)) + 1", "(k, 4)"),
        ("", "2 * int((x.shape[0] - k) / 2) + k", "x.shape[0] - (x.shape[0] - k) % 2"),
        ("", "int(x.shape[0] / k) * k", "x.shape[0] - (x.shape[0]) % k"),
        ("", "math.ceil(7 / 2)", "4"),
        ("", "np.floor(k / 1)", "k"),
        ("", "len(x)", "x.shape[0]"),
        ("", "len((1, 2, 3))", "3"),
        ("", "max(3, 5) - min(3, 5)", "2"),
        ("", "abs(-k)", "k"),
        ("", "np.prod((k, 3))", "3 * k"),
        ("", "2 ** 3 % 5", "3"),
        ("", "x.ndim", "?"),
        ("y = np.zeros((k, 3))\n", "y.ndim", "2"),
        ("", "k if flag else k", "k"),
        ("", "k if flag else s", "?"),
    ],
)
def test_numbers_and_tuples(setup: str, expression: str, expected: str) -> None:
    assert text(evaluate(setup, expression)) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("np.zeros((k, 3))", "array(k, 3) of 8 bytes, C"),
        ("np.ones(5, dtype=np.float32)", "array(5,) of 4 bytes, C"),
        ("np.empty((2, 2), 'i2')", "array(2, 2) of 2 bytes, C"),
        ("np.full((2,), 7)", "array(2,) of 8 bytes, C"),
        ("np.arange(5.0)", "array(5,) of 8 bytes, C"),
        ("np.arange(2, 11, 3)", "array(3,) of 8 bytes, C"),
        ("np.arange(k)", "array(k,) of 8 bytes, C"),
        ("np.arange(1, k)", "array(k - 1,) of 8 bytes, C"),
        ("np.linspace(0, 1, 7)", "array(7,) of 8 bytes, C"),
        ("np.eye(3)", "array(3, 3) of 8 bytes, C"),
        ("np.array([[1, 2], [3, 4]], dtype='f4')", "array(2, 2) of 4 bytes, C"),
        ("np.array([True, False])", "array(2,) of 1 bytes, C"),
        ("np.random.rand(2, k)", "array(2, k) of 8 bytes, C"),
        ("np.random.random((3,))", "array(3,) of 8 bytes, C"),
        ("np.zeros_like(x)", "array? of x.itemsize bytes, any"),
        ("np.ascontiguousarray(x)", "array? of x.itemsize bytes, C"),
        ("np.asarray(x)", "array? of x.itemsize bytes, any"),
        ("x.copy()", "array? of x.itemsize bytes, C"),
        ("x.ravel()", "array(x.size,) of x.itemsize bytes, C"),
        ("x.astype(np.uint8)", "array? of 1 bytes, any"),
        ("x.view(np.int16)", "array? of 2 bytes, any"),
        ("np.zeros((2, 3)).T", "array(3, 2) of 8 bytes, any"),
        ("np.zeros((2, 3)).transpose()", "array(3, 2) of 8 bytes, any"),
        ("np.zeros((2, 6)).reshape(3, -1)", "array(3, 4) of 8 bytes, C"),
        ("np.reshape(np.zeros(6), (2, -1))", "array(2, 3) of 8 bytes, C"),
        ("np.zeros((k, 4)).reshape(-1, 2)", "array(2 * k, 2) of 8 bytes, C"),
        ("np.pad(np.zeros((2, 3)), 1)", "array(4, 5) of 8 bytes, C"),
        ("np.pad(np.zeros((2, 3)), ((0, 0), (k, 1)))", "array(2, k + 4) of 8 bytes, C"),
        ("np.pad(np.zeros((2, 3)), (1, 2))", "array(5, 6) of 8 bytes, C"),
        ("np.pad(x, k)", "array? of x.itemsize bytes, C"),
        ("np.array([v for v in x], dtype=float)", "array? of 8 bytes, C"),
    ],
)
def test_arrays_made_by_numpy(expression: str, expected: str) -> None:
    found = evaluate("", expression)
    assert isinstance(found, ArrayModel), expression
    assert text(found) == expected


def test_array_identity_follows_slices_views_and_copies() -> None:
    found = evaluate("", "(x[1:], x[...], x)")
    assert isinstance(found, Seq)
    sliced, whole, param = (item.value for item in found.known_items())
    assert isinstance(sliced, Opaque)
    assert isinstance(param, Opaque)
    assert sliced.family == param.key
    assert isinstance(whole, ArrayModel)
    assert whole.key == param.key
    copy = evaluate("y = np.zeros(3)\n", "y[::2]")
    assert isinstance(copy, ArrayModel)
    assert copy.shape is None
    assert not copy.contiguous


def test_strict_evaluation_does_not_follow_branch_bindings() -> None:
    setup = "n = 2\nif flag:\n    n = 3\n"
    assert isinstance(evaluate(setup, "n"), Opaque)
    assert text(evaluate(setup, "n", strict=False)) == "3"


def test_dtype_names() -> None:
    assert itemsize_of_name("float32") == 4
    assert itemsize_of_name("<f8") == 8
    assert itemsize_of_name("u1") == 1
    assert itemsize_of_name("d") == 8
    assert itemsize_of_name("object") is None
    assert text(evaluate("", "np.dtype('c16').itemsize")) == "16"
    assert text(evaluate("y = np.zeros(2, dtype=x.dtype)\n", "y.dtype.itemsize")) == (
        "x.itemsize"
    )


def test_strides_unpacked_from_a_padded_array_are_its_strides() -> None:
    # Working out `padded` asks how many dimensions `x` has, which reads
    # every `a, b = ....strides` of the function: this one must wait.
    setup = """
        padded = np.pad(x, ((1, 1), (2, 2)))
        s0, s1 = padded.strides
    """
    both = evaluate(setup, "(padded, s0)")  # the array first, as a call does
    assert isinstance(both, Seq)
    stride = as_poly(both.known_items()[1].value)
    assert stride is not None
    ((symbol,),) = [stride.symbols()]
    assert (symbol.kind, symbol.index) == ("stride", 0)
    assert text(evaluate(setup, "padded.shape")) == "(x.shape[0] + 2, x.shape[1] + 4)"


def test_the_tail_of_a_shape_of_unknown_length_is_its_later_axes() -> None:
    tail = evaluate("", "x.shape[2:]")
    assert isinstance(tail, Seq)
    assert text(evaluate("", "x.shape[2:][0]")) == "x.shape[2]"
    joined = evaluate("", "x.shape[:2] + k.shape[2:]")
    assert isinstance(joined, Seq)
    items = joined.expanded(4)
    assert items is not None
    assert [text(i.value) for i in items] == [
        "x.shape[0]",
        "x.shape[1]",
        "k.shape[2]",
        "k.shape[3]",
    ]
    alone = tail.expanded(1)  # x has three axes then: the tail is one
    assert alone is not None
    assert [text(i.value) for i in alone] == ["x.shape[2]"]
