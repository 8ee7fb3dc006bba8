"""SST009 against the runtime check: the fixture's functions, run with
safestride's checked as_strided over grids of sizes. A view the linter
proves out of bounds raises for some sizes; a view it says nothing about in
the "in bounds" part of the fixture never raises."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safestride
from safestride.errors import OutOfBoundsError
from safestride.lint import Selection, lint_source

FIXTURE = Path(__file__).parent / "fixtures" / "sst009.py"


def _checked(x: Any, shape: Any = None, strides: Any = None) -> Any:
    """safestride's as_strided, read-only (the fixture's views overlap)."""
    return safestride.as_strided(x, shape, strides, writeable=False)


def _module() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(FIXTURE.read_text(), str(FIXTURE), "exec"), namespace)
    namespace["as_strided"] = _checked
    return namespace


def _images() -> Iterator[tuple[Any, ...]]:
    for h, w, kh, kw, sh, sw in itertools.product(
        (4, 5, 7), (5, 6), (1, 2, 3), (2, 3), (1, 2), (1, 3)
    ):
        yield (np.zeros((2, 3, h, w)), kh, kw, sh, sw)


def _vectors() -> Iterator[tuple[Any, ...]]:
    for n in range(2, 9):
        for k in range(1, n + 1):
            yield (np.arange(float(n)), k)


def _rows_and_pads() -> Iterator[tuple[Any, ...]]:
    for rows, n, k, p in itertools.product((1, 2), (3, 5), (1, 2, 3), (0, 1, 2)):
        yield (np.zeros((rows, n)), k, p)


def _channels_last() -> Iterator[tuple[Any, ...]]:
    for h, k, s in itertools.product((4, 5, 7), (1, 2, 3), (1, 2, 3)):
        yield (np.zeros((2, h, h + 1, 3)), k, k, s, s)


def _rows_and_kernels() -> Iterator[tuple[Any, ...]]:
    for rows, n, f in itertools.product((1, 2), (3, 5), (1, 2, 3, 4, 5)):
        yield (np.zeros((rows, n)), f)


#: Each fixture function, with the arguments to try it on.
CALLS: dict[str, Callable[[], Iterator[tuple[Any, ...]]]] = {
    "offsets_stacked_on_full_windows": _images,
    "one_window_too_many_on_a_small_array": lambda: iter([()]),
    "a_module_constant": lambda: iter([()]),
    "windows_on_a_known_image": lambda: iter([()]),
    "an_off_by_one_window_count": _vectors,
    "backwards_from_the_first_item": lambda: (v[:1] for v in _vectors()),
    "padded_then_one_window_too_many": _rows_and_pads,
    "sliding_windows_are_in_bounds": _vectors,
    "convolution_windows_are_in_bounds": _images,
    "padded_windows_are_in_bounds": _rows_and_pads,
    "a_known_array_in_bounds": lambda: iter([()]),
    "fewer_windows_than_fit": _channels_last,
    "a_shape_list_changed_in_place": lambda: (v[:1] for v in _vectors()),
    "strides_changed_in_place": lambda: iter([(np.zeros((8, 8)),)]),
    "an_array_written_into_keeps_its_shape": lambda: iter([()]),
    "an_array_whose_shape_is_set": lambda: iter([()]),
    "windows_that_fit_one_kernel_size": _vectors,
    "windows_that_ignore_the_step": _images,
    "padded_for_one_kernel_size": _rows_and_kernels,
    "windows_as_wide_as_a_constant": lambda: (v[:1] for v in _vectors()),
    "a_window_count_for_the_kernel_it_is_given": _vectors,
}


def _findings() -> dict[str, int]:
    """Fixture function name -> number of SST009 findings in it."""
    source = FIXTURE.read_text()
    lines = source.splitlines()
    found: dict[str, int] = {}
    for finding in lint_source(source, str(FIXTURE), Selection(("SST009",))):
        above = lines[: finding.line]
        name = next(
            line.split("def ")[1].split("(")[0]
            for line in reversed(above)
            if line.startswith("def ")
        )
        found[name] = found.get(name, 0) + 1
    return found


def _raises(function: Callable[..., Any], arguments: tuple[Any, ...]) -> bool:
    try:
        function(*arguments)
    except OutOfBoundsError:
        return True
    except ValueError:
        return False  # sizes that make a negative dimension: not a view at all
    return False


@pytest.mark.parametrize("name", CALLS)
def test_findings_agree_with_the_runtime_check(name: str) -> None:
    function = _module()[name]
    outcomes = [_raises(function, arguments) for arguments in CALLS[name]()]
    assert outcomes, name
    if _findings().get(name):
        assert any(outcomes), f"{name}: reported, but no size reads out of bounds"
    else:
        assert not any(outcomes), f"{name}: not reported, yet out of bounds"


def test_the_message_says_how_far_and_why() -> None:
    source = FIXTURE.read_text()
    found = lint_source(source, str(FIXTURE), Selection(("SST009",)))
    messages = {f.line: f.message for f in found}
    conv = messages[16]
    assert "reads 2 rows past the end of x along axis 2" in conv
    assert "dimension 0 (size 3, stride Hs)" in conv
    assert "dimension 4 (size OH, stride Hs * SH)" in conv
    assert "reach row H + 1 of rows 0 to H - 1" in conv
    assert "(when (H - KH) % SH == 0)" in conv
    small = messages[21]
    assert "reads 8 bytes (1 item) past the end of a (shape (5,)" in small
    assert "end at byte 48 of 40" in small
    assert "reads 2 rows before the start of x" in messages[39]


def test_a_window_count_that_fits_some_sizes_only_says_which() -> None:
    source = FIXTURE.read_text()
    found = lint_source(source, str(FIXTURE), Selection(("SST009",)))
    messages = {f.line: f.message for f in found}
    kernel = messages[_line("windows_that_fit_one_kernel_size")]
    assert "reads k - 3 rows past the end of x along axis 0 unless k <= 3" in kernel
    assert "dimension 0 (size len(x) - 2, stride s)" in kernel
    step = messages[_line("windows_that_ignore_the_step")]
    assert "past the end of x along axis 2 unless SH == 1" in step
    assert "(H - KH rows when SH == 2)" in step
    assert "dimension 2 (size H - KH + 1, stride Hs * SH)" in step


def _line(function: str) -> int:
    """The line of the as_strided call that ends `function` in the fixture."""
    lines = FIXTURE.read_text().splitlines()
    start = lines.index(next(line for line in lines if f"def {function}(" in line))
    return next(
        number
        for number, line in enumerate(lines[start:], start=start + 1)
        if "return as_strided(" in line
    )
