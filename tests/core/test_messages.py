"""The error message is the product: numbers, picture, likely cause, attributes."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided as numpy_as_strided

from safestride import OutOfBoundsError, as_strided
from safestride.errors import render_picture


def _bias_in_a_sea_of_1e300() -> tuple[np.ndarray, np.ndarray]:
    arena = np.full(1024, 1e300)
    bias = arena[100:103]
    bias[:] = (0.1, 0.2, 0.3)
    return arena, bias


def test_the_1e300_story() -> None:
    """A bias broadcast with strides left over from the input batch."""
    _, bias = _bias_in_a_sea_of_1e300()
    activations = np.zeros((8, 3, 5, 5))
    stale = (0, activations.strides[1], 0, 0)  # should have been bias.strides[0]

    garbage = numpy_as_strided(bias, shape=activations.shape, strides=stale)
    assert (activations + garbage).max() == 1e300  # numpy: silent garbage

    with pytest.raises(OutOfBoundsError) as caught:
        as_strided(bias, shape=activations.shape, strides=stale)
    error = caught.value
    message = str(error)
    assert "Stale strides?" in message
    assert "strides[1] = 200 bytes" in message
    assert error.bytes_past_end == 2 * 200 + 8 - 24
    assert [o.dim for o in error.overruns] == [1]
    assert error.overruns[0].max_size == 1
    assert error.overruns[0].excess == 2

    fixed = as_strided(
        bias, shape=activations.shape, strides=(0, 8, 0, 0), writeable=False
    )
    assert (activations + fixed).max() == pytest.approx(0.3)


def test_message_says_what_was_asked_what_exists_and_what_differs() -> None:
    x = np.arange(6.0)
    with pytest.raises(OutOfBoundsError) as caught:
        as_strided(x, shape=(5, 3), strides=(8, 8), bounds="array")
    message = str(caught.value)
    assert "shape (5, 3), strides (8, 8), itemsize 8 (float64)" in message
    assert "from x     shape (6,), strides (8,)" in message
    assert "view       bytes [0, 56)" in message
    assert "available  bytes [0, 48): x itself" in message
    assert "8 bytes (~1 element) out of bounds, past the end" in message
    assert "dimension 0 (size 5, stride 8) moves the view 32 bytes towards the end" in (
        message
    )
    assert "at most 4 fit, 1 too many" in message
    assert "Off by one?" in message
    assert "memory |" in message
    assert "view   |" in message
    assert 'pass bounds="buffer"' in message
    error = caught.value
    assert error.shape == (5, 3)
    assert error.strides == (8, 8)
    assert error.itemsize == 8
    assert error.view_extent == (0, 56)
    assert error.allowed_extent == (0, 48)


def test_overrun_before_the_start() -> None:
    x = np.arange(10, dtype=np.int32)[2:]
    with pytest.raises(OutOfBoundsError) as caught:
        as_strided(x, shape=(3,), strides=(-4,))
    error = caught.value
    assert error.bytes_before_start == 8
    assert error.bytes_past_end == 0
    assert error.overruns[0].side == "start"
    assert "8 bytes (~2 elements) out of bounds, before the start" in str(error)
    assert "towards the start" in str(error)


def test_itemsize_applied_twice_is_recognised() -> None:
    x = np.zeros(10)
    with pytest.raises(OutOfBoundsError) as caught:
        as_strided(x, shape=(8, 3), strides=(64, 64))
    assert any("Itemsize applied twice?" in cause for cause in caught.value.causes)


def test_c_contiguous_assumption_is_recognised() -> None:
    t = np.zeros((4, 6)).T  # (6, 4) transposed
    with pytest.raises(OutOfBoundsError) as caught:
        as_strided(t, shape=(6, 4, 2), strides=(32, 8, 8))
    assert any("C-contiguous assumption?" in c for c in caught.value.causes)


def test_no_dimension_moves_when_the_input_is_empty() -> None:
    x = np.zeros(0)
    with pytest.raises(OutOfBoundsError) as caught:
        as_strided(x, shape=(1,), strides=(8,))
    assert "even the first element does not fit" in str(caught.value)


def test_picture_marks_inside_and_outside() -> None:
    picture = render_picture((-10, 30), (0, 20), width=8)
    memory, view = picture.splitlines()
    assert memory == "memory |  ====  | bytes [0, 20)"
    assert view == "view   |!!####!!| bytes [-10, 30)"


def test_errors_survive_pickling_and_copying() -> None:
    """A multiprocessing worker that raises sends the error to the parent."""
    import copy
    import pickle

    from safestride import ForeignElementError

    with pytest.raises(OutOfBoundsError) as caught:
        as_strided(np.arange(4.0), shape=(5,), strides=(8,))
    for clone in (pickle.loads(pickle.dumps(caught.value)), copy.copy(caught.value)):
        assert type(clone) is OutOfBoundsError
        assert str(clone) == str(caught.value)
        assert clone.overruns == caught.value.overruns
    with pytest.raises(ForeignElementError) as foreign:
        as_strided(np.arange(8.0)[::2], shape=(2,), strides=(8,), bounds="elements")
    clone = pickle.loads(pickle.dumps(foreign.value))
    assert clone.offset == 8
    assert clone.index == (1,)
