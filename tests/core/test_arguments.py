"""Malformed arguments: a TypeError or ValueError naming the argument, never a crash."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from safestride import OutOfBoundsError, as_strided, check_view

X = np.arange(12.0)

CASES: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("shape is an int", {"shape": 5, "strides": (8,)}, TypeError, r"shape=\(5,\)"),
    ("shape is a str", {"shape": "34", "strides": (8, 8)}, TypeError, "shape"),
    (
        "shape is a 2-D array",
        {"shape": np.ones((2, 2), int), "strides": (8, 8)},
        TypeError,
        "shape",
    ),
    (
        "float size",
        {"shape": (2.0, 3), "strides": (8, 8)},
        TypeError,
        r"shape\[0\] is 2\.0, a float.*int\(2\.0\)",
    ),
    (
        "numpy float size",
        {"shape": (np.float64(2.5),), "strides": (8,)},
        TypeError,
        r"shape\[0\].*float",
    ),
    (
        "bool size",
        {"shape": (True, 3), "strides": (8, 8)},
        TypeError,
        r"shape\[0\] is True, a bool",
    ),
    (
        "numpy bool stride",
        {"shape": (2,), "strides": (np.bool_(True),)},
        TypeError,
        r"strides\[0\].*bool",
    ),
    (
        "None size",
        {"shape": (None, 3), "strides": (8, 8)},
        TypeError,
        r"shape\[0\] is None",
    ),
    ("str stride", {"shape": (2,), "strides": ("8",)}, TypeError, r"strides\[0\]"),
    (
        "negative size",
        {"shape": (2, -1), "strides": (8, 8)},
        ValueError,
        r"shape\[1\] is -1",
    ),
    (
        "absurd size",
        {"shape": (2**70,), "strides": (0,)},
        ValueError,
        r"shape\[0\] is 1180591620717411303424",
    ),
    (
        "absurd stride",
        {"shape": (1,), "strides": (2**70,)},
        ValueError,
        r"strides\[0\] is 1180591620717411303424",
    ),
    (
        "total bytes too large",
        {"shape": (2**40, 2**40), "strides": (0, 0)},
        ValueError,
        r"shape \(1099511627776, 1099511627776\).*more than numpy can",
    ),
    (
        "too many dimensions",
        {"shape": (1,) * 65, "strides": (8,) * 65},
        ValueError,
        "shape has 65 dimensions",
    ),
    (
        "lengths differ",
        {"shape": (2, 3), "strides": (8,)},
        ValueError,
        r"shape.*\(2, 3\).*strides.*\(8,\)",
    ),
    (
        "strides without shape of x's length",
        {"strides": (8, 8)},
        ValueError,
        "shape .not given, so x.shape is used",
    ),
    (
        "writeable is a string",
        {"writeable": "False"},
        TypeError,
        r"writeable must be True or False; got str 'False'",
    ),
    ("subok is a string", {"subok": "yes"}, TypeError, "subok"),
    ("writeable is 2", {"writeable": 2}, TypeError, "writeable"),
    ("check_bounds is a string", {"check_bounds": "no"}, TypeError, "check_bounds"),
    (
        "bounds unknown",
        {"bounds": "buf"},
        ValueError,
        r"bounds must be one of 'array', 'buffer', 'elements'; got 'buf'",
    ),
    ("bounds not a string", {"bounds": 1}, ValueError, "bounds must be one of"),
]


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_malformed_arguments_are_named(
    kwargs: dict[str, Any], error: type[Exception], pattern: str
) -> None:
    with pytest.raises(error, match=pattern) as caught:
        as_strided(X, **kwargs)
    named = [
        name
        for name in ("shape", "strides", "writeable", "subok", "check_bounds", "bounds")
        if name in str(caught.value)
    ]
    assert named, f"message names no argument: {caught.value}"


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        c[1:]
        for c in CASES
        if "writeable" not in c[1]
        and "subok" not in c[1]
        and "check_bounds" not in c[1]
    ],
    ids=[
        c[0]
        for c in CASES
        if "writeable" not in c[1]
        and "subok" not in c[1]
        and "check_bounds" not in c[1]
    ],
)
def test_check_view_rejects_the_same_arguments(
    kwargs: dict[str, Any], error: type[Exception], pattern: str
) -> None:
    with pytest.raises(error, match=re.compile(pattern)):
        check_view(X, **kwargs)


def test_numpy_integer_and_zero_one_flags_are_accepted() -> None:
    view = as_strided(
        X,
        shape=(np.int8(3),),
        strides=(np.uint64(8),),
        writeable=0,
        subok=np.bool_(False),
        check_bounds=np.True_,
    )
    assert view.shape == (3,)
    assert not view.flags.writeable


def test_a_generator_of_sizes_is_accepted() -> None:
    view = as_strided(X, shape=(n for n in (2, 3)), strides=[48, 8], writeable=False)
    assert view.shape == (2, 3)


# Issue 12: the drop-in follows numpy where arguments are omitted or unusual.


@pytest.mark.parametrize(
    ("x", "shape"),
    [
        (np.zeros((4, 4)), (2, 8)),
        (np.arange(4.0), (2, 2)),
        (np.zeros((4, 4)), None),
        (np.zeros((4, 1, 3))[:, :, ::-1].copy(), (3, 4)),
        (np.zeros((4, 4)).T, None),
        (np.zeros((4, 4))[:, ::2], None),
    ],
)
def test_omitted_strides_give_numpys_view(
    x: np.ndarray, shape: tuple[int, ...] | None
) -> None:
    theirs = np.lib.stride_tricks.as_strided(x, shape=shape)
    ours = as_strided(x, shape=shape)
    assert ours.shape == theirs.shape
    assert ours.strides == theirs.strides
    assert ours.__array_interface__["data"] == theirs.__array_interface__["data"]


@pytest.mark.parametrize("container", [tuple, list, iter])
def test_a_stride_of_minus_2_to_the_63_is_accepted(container: Any) -> None:
    x = np.arange(4.0)
    view = as_strided(x, (1, 4), container((-(2**63), 8)))
    assert view.strides == (-(2**63), 8)
    np.testing.assert_array_equal(view, x[None, :])


def test_shape_without_strides_on_a_strided_x_names_numpys_rule() -> None:
    x = np.zeros((4, 4))[:, ::2]  # not C-contiguous: numpy uses x.strides
    with pytest.raises(ValueError, match="x is not C-contiguous, so numpy uses"):
        as_strided(x, shape=(2, 2, 2))
    with pytest.raises(ValueError, match="mismatch in length"):
        np.lib.stride_tricks.as_strided(x, shape=(2, 2, 2))


def test_one_below_minus_2_to_the_63_is_named() -> None:
    with pytest.raises(ValueError, match=r"strides\[0\] is -9223372036854775809"):
        as_strided(np.arange(4.0), (1, 4), (-(2**63) - 1, 8))


def test_check_bounds_true_alone_means_numpys_buffer_check() -> None:
    a = np.arange(10.0)
    view = as_strided(a[5:7], shape=(2,), strides=(-40,), check_bounds=True)
    assert view.tolist() == [5.0, 0.0]
    with pytest.raises(ValueError, match="out of bounds"):
        as_strided(a[5:7], shape=(2,), strides=(-48,), check_bounds=True)
    with pytest.raises(ValueError, match="out of bounds"):
        as_strided(a[5:7], shape=(2,), strides=(-40,))  # the default level


def test_an_explicit_bounds_wins_over_check_bounds() -> None:
    a = np.arange(10.0)
    with pytest.raises(ValueError, match='bounds="array"'):
        as_strided(
            a[5:7], shape=(2,), strides=(-40,), check_bounds=True, bounds="array"
        )


def test_the_first_line_says_out_of_bounds() -> None:
    with pytest.raises(OutOfBoundsError) as caught:
        as_strided(np.arange(2.0), shape=(2**20,), strides=(2**20,))
    assert "out of bounds" in str(caught.value).splitlines()[0]
