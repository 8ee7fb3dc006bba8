"""The drop-in contract: numpy's views for valid calls, refusals for the rest."""

from __future__ import annotations

import array
import ctypes
import mmap
import warnings
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided as numpy_as_strided

import safestride
from safestride import (
    OutOfBoundsError,
    SafeStrideWarning,
    StrideError,
    as_strided,
    check_view,
    safe_as_strided,
)
from tests.oracle import pointer, same_view


class Tagged(np.ndarray):  # type: ignore[type-arg]
    """A subclass that records what it was finalized from."""

    tag: str | None

    def __array_finalize__(self, obj: object) -> None:
        self.tag = getattr(obj, "tag", "fresh")


def test_public_names_and_hierarchy() -> None:
    assert safe_as_strided is as_strided
    assert safestride.stride_tricks.as_strided is as_strided
    assert issubclass(StrideError, ValueError)
    assert issubclass(OutOfBoundsError, StrideError)
    assert issubclass(safestride.MisalignedError, StrideError)
    assert issubclass(safestride.OverlapWarning, SafeStrideWarning)
    assert issubclass(safestride.MisalignedWarning, SafeStrideWarning)
    assert issubclass(SafeStrideWarning, UserWarning)


@pytest.mark.parametrize(
    "name",
    [
        "as_strided",
        "sliding_window_view",
        "broadcast_to",
        "broadcast_arrays",
        "broadcast_shapes",
    ],
)
def test_stride_tricks_mirrors_numpy(name: str) -> None:
    assert callable(getattr(safestride.stride_tricks, name))
    if name == "sliding_window_view":
        assert safestride.stride_tricks.sliding_window_view is (
            np.lib.stride_tricks.sliding_window_view
        )
    elif name != "as_strided":
        assert getattr(safestride.stride_tricks, name) is getattr(np, name)


VALID_CALLS: list[tuple[str, Any, dict[str, Any]]] = [
    ("defaults", np.arange(12.0).reshape(3, 4), {}),
    ("0-d", np.array(5.0), {"shape": (3,), "strides": (0,)}),
    ("windows", np.arange(10, dtype=np.int16), {"shape": (8, 3), "strides": (2, 2)}),
    ("reversed input", np.arange(10.0)[::-1], {"shape": (5,), "strides": (-16,)}),
    ("transposed input", np.arange(12.0).reshape(3, 4).T, {"shape": (4, 2)}),
    (
        "fortran input",
        np.asfortranarray(np.ones((3, 4))),
        {"shape": (4, 3), "strides": (24, 8)},
    ),
    (
        "transposed input",
        np.arange(12.0).reshape(3, 4).T,
        {"shape": (4, 2), "strides": (8, 32)},
    ),
    (
        "read-only view of a transposed input",
        np.arange(12.0).reshape(3, 4).T,
        {"shape": (3, 4), "strides": (32, 8), "writeable": False},
    ),
    ("sliced input", np.arange(20.0)[2:17:3], {"shape": (2, 2), "strides": (24, 48)}),
    (
        "structured",
        np.zeros(4, dtype=[("a", "i4"), ("b", "f8")]),
        {"shape": (3, 2), "strides": (12, 12)},
    ),
    ("big-endian", np.arange(6, dtype=">i4"), {"shape": (2, 3), "strides": (12, 4)}),
    (
        "lists for shape and strides",
        np.arange(6.0),
        {"shape": [3, 2], "strides": [16, 8]},
    ),
    (
        "numpy integers",
        np.arange(6.0),
        {"shape": np.array([3, 2]), "strides": (np.int64(16), np.int32(8))},
    ),
    (
        "read-only view",
        np.arange(6.0),
        {"shape": (3, 2), "strides": (16, 8), "writeable": False},
    ),
    ("empty input, empty view", np.zeros(0), {"shape": (0,), "strides": (8,)}),
]


@pytest.mark.parametrize(
    ("x", "kwargs"), [c[1:] for c in VALID_CALLS], ids=[c[0] for c in VALID_CALLS]
)
def test_valid_calls_give_numpys_view(x: np.ndarray, kwargs: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SafeStrideWarning)
        ours = as_strided(x, **kwargs)
    same_view(ours, numpy_as_strided(x, **kwargs))


def test_list_input_is_converted_like_numpy() -> None:
    view = as_strided([1, 2, 3, 4], shape=(2,), strides=(16,))
    assert view.tolist() == [1, 3]


def test_readonly_input_gives_readonly_view() -> None:
    x = np.arange(6.0)
    x.flags.writeable = False
    view = as_strided(x, shape=(2, 3), strides=(24, 8))
    assert not view.flags.writeable
    same_view(view, numpy_as_strided(x, shape=(2, 3), strides=(24, 8)))


def test_readonly_view_of_writeable_base_stays_readonly() -> None:
    parent = np.arange(12.0)
    x = parent[::2]
    x.flags.writeable = False
    view = as_strided(x, shape=(3,), strides=(16,))
    assert not view.flags.writeable


@pytest.mark.parametrize("subok", [True, False])
def test_subclasses_follow_subok_like_numpy(subok: bool) -> None:
    x = np.arange(8.0).view(Tagged)
    x.tag = "mine"
    ours = as_strided(x, shape=(4,), strides=(16,), subok=subok)
    theirs = numpy_as_strided(x, shape=(4,), strides=(16,), subok=subok)
    same_view(ours, theirs)
    if subok:
        assert ours.tag == theirs.tag == "mine"


def test_matrix_subclass_kept_with_subok() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        m = np.asmatrix(np.arange(6.0).reshape(2, 3))
    view = as_strided(m, shape=(2, 2), strides=(24, 8), subok=True)
    assert isinstance(view, np.matrix)


def test_empty_views_touch_no_memory_and_are_always_allowed() -> None:
    x = np.zeros(3)
    view = as_strided(x, shape=(0, 5), strides=(10**6, -(10**6)))
    assert view.shape == (0, 5)
    assert check_view(x, (5, 0), (2**40, 8)) is None


def test_exact_arithmetic_catches_products_that_overflow_int64() -> None:
    x = np.zeros(4, dtype=np.int8)
    with pytest.raises(OutOfBoundsError) as caught:
        as_strided(x, shape=(3, 3), strides=(2**62, 2**62))
    assert caught.value.view_extent[1] == 2 * 2**62 * 2 + 1
    with pytest.raises(OutOfBoundsError):
        as_strided(x, shape=(2**31, 2**31), strides=(2**31, 2**30))


def test_one_byte_past_either_end_of_a_strided_input_is_caught() -> None:
    parent = np.zeros(40, dtype=np.int32)
    x = parent[30:10:-4]  # negative stride, lives in the middle of parent
    low, high = safestride.view_extent(x.shape, x.strides, x.itemsize)  # type: ignore[misc]
    assert check_view(x, (2,), (low,)) == (low, 4)
    with pytest.raises(OutOfBoundsError):
        check_view(x, (2,), (low - 1,))
    with pytest.raises(OutOfBoundsError):
        check_view(x, (2,), (high - 4 + 1,))
    assert check_view(x, (2,), (high - 4,)) == (0, high)


def test_check_bounds_false_builds_the_unchecked_view() -> None:
    parent = np.arange(10.0)
    x = parent[:2]
    ours = as_strided(x, shape=(5,), strides=(8,), check_bounds=False)
    same_view(ours, numpy_as_strided(x, shape=(5,), strides=(8,)))
    inside_parent = as_strided(x, shape=(5,), strides=(8,), check_bounds=True)
    same_view(inside_parent, numpy_as_strided(x, shape=(5,), strides=(8,)))
    with pytest.raises(OutOfBoundsError):
        as_strided(x, shape=(11,), strides=(8,), check_bounds=True)
    with pytest.raises(OutOfBoundsError):
        as_strided(x, shape=(5,), strides=(8,), check_bounds=None)


def test_check_bounds_false_is_checked_under_the_guard() -> None:
    x = np.arange(2.0)
    with safestride.guarded(policy="record") as report:
        view = as_strided(x, shape=(5,), strides=(8,), check_bounds=False)
    same_view(view, numpy_as_strided(x, shape=(5,), strides=(8,)))
    (found,) = report
    assert found.site.filename == __file__
    assert found.site.function == "test_check_bounds_false_is_checked_under_the_guard"
    assert not safestride.is_installed()


def test_check_view_checks_without_making_a_view() -> None:
    x = np.zeros(10, dtype=np.float32)
    assert check_view(x, (8, 3), (4, 4)) == (0, 40)
    assert check_view(x) == (0, 40)
    with pytest.raises(OutOfBoundsError):
        check_view(x, (9, 3), (4, 4))
    with pytest.warns(safestride.OverlapWarning):
        check_view(x, (8, 3), (4, 4), writeable=True)


# ---------------------------------------------------------------- bounds levels


def _owners(tmp_path: Path) -> dict[str, tuple[Any, np.ndarray]]:
    """Owner objects of every kind, each with a float64 array cut from its middle."""
    raw = np.arange(16.0).tobytes()
    made: dict[str, tuple[Any, np.ndarray]] = {}
    parent = np.arange(16.0)
    made["ndarray"] = (parent, parent[4:8])
    made["bytes"] = (raw, np.frombuffer(raw, dtype=np.float64)[4:8])
    buffer = bytearray(raw)
    made["bytearray"] = (buffer, np.frombuffer(buffer, dtype=np.float64)[4:8])
    view = memoryview(bytearray(raw))
    made["memoryview slice"] = (view, np.frombuffer(view[32:64], dtype=np.float64))
    numbers = array.array("d", range(16))
    made["array.array"] = (numbers, np.frombuffer(numbers, dtype=np.float64)[4:8])
    c_array = (ctypes.c_double * 16)(*range(16))
    made["ctypes"] = (c_array, np.ctypeslib.as_array(c_array)[4:8])
    strided = numpy_as_strided(parent, shape=(16,), strides=(8,))
    made["numpy as_strided result"] = (strided, strided[4:8])
    path = tmp_path / "data.bin"
    path.write_bytes(raw)
    memmap = np.memmap(path, dtype=np.float64, mode="r+", shape=(16,))
    made["np.memmap"] = (memmap, memmap[4:8])
    with path.open("r+b") as handle:
        mapping = mmap.mmap(handle.fileno(), 0)
    made["mmap"] = (mapping, np.frombuffer(mapping, dtype=np.float64)[4:8])
    return made


OWNER_KINDS = [
    "ndarray",
    "bytes",
    "bytearray",
    "memoryview slice",
    "array.array",
    "ctypes",
    "numpy as_strided result",
    "np.memmap",
    "mmap",
]


@pytest.mark.parametrize("kind", OWNER_KINDS)
def test_buffer_bounds_follow_the_owner(kind: str, tmp_path: Path) -> None:
    _owner, x = _owners(tmp_path)[kind]
    # x is elements 4..7 of a 16-element allocation: bytes [-32, 96) around it.
    before = {"shape": (2,), "strides": (-32,)}  # reaches element 0
    view = as_strided(x, bounds="buffer", writeable=False, **before)
    assert view.tolist() == [4.0, 0.0]
    with pytest.raises(OutOfBoundsError):
        as_strided(x, bounds="array", **before)
    beyond = {"shape": (2,), "strides": (12 * 8,)}  # element 16: one past the owner
    with pytest.raises(OutOfBoundsError) as caught:
        as_strided(x, bounds="buffer", **beyond)
    assert caught.value.allowed_extent == (-32, 96)
    last = as_strided(x, bounds="buffer", shape=(2,), strides=(11 * 8,))
    assert last.tolist() == [4.0, 15.0]


def test_unknown_owner_falls_back_to_the_array_and_says_so() -> None:
    backing = np.arange(8.0)

    class Holder:
        __array_interface__: ClassVar[dict[str, Any]] = {
            "data": (pointer(backing) + 16, False),
            "shape": (4,),
            "typestr": "<f8",
            "version": 3,
        }

    x = np.asarray(Holder())
    assert x.base is not None
    with pytest.raises(OutOfBoundsError) as caught:
        as_strided(x, shape=(2,), strides=(-16,), bounds="buffer")
    assert caught.value.violation.allowed.known is False
    assert "could not be found" in str(caught.value)
    assert as_strided(x, shape=(2,), strides=(24,), bounds="buffer").tolist() == [2, 5]
    del backing  # keep alive until here


def test_elements_bounds_catch_a_c_contiguous_assumption_inside_the_span() -> None:
    x = np.arange(24.0).reshape(4, 6)[:, :3]  # non-contiguous: rows of 3 in rows of 6
    assumed = (3 * 8, 8)  # strides as if x were a fresh (4, 3) array
    view = as_strided(x, shape=(3, 3), strides=assumed, bounds="array")  # in the span
    assert view[1].tolist() == [3.0, 4.0, 5.0]  # but those are not elements of x
    with pytest.raises(safestride.ForeignElementError) as caught:
        as_strided(x, shape=(3, 3), strides=assumed)  # the default: elements
    error = caught.value
    assert error.offset == 24
    assert error.index == (1, 0)
    assert "view[1, 0]" in str(error)
    assert any("C-contiguous assumption" in cause for cause in error.causes)
    assert as_strided(x, shape=(2, 3), strides=x.strides, bounds="elements").shape


def test_elements_bounds_allow_every_element_of_x_in_any_order() -> None:
    x = np.arange(30.0).reshape(5, 6)[::2, ::-3]
    view = as_strided(
        x,
        shape=(2, 3),
        strides=(x.strides[1], x.strides[0]),
        bounds="elements",
        writeable=False,
    )
    np.testing.assert_array_equal(view, x.T)


def test_every_public_name_resolves_lazily() -> None:
    for name in safestride.__all__:
        assert getattr(safestride, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        _ = safestride.nonexistent  # type: ignore[attr-defined]


# ------------------------------------------- the element level, by default


def _max_pool_stride_in_elements() -> None:
    """A 2x2, stride-2 max-pool whose output-column stride was computed as
    ``Xw // itemsize`` (elements) instead of ``Xw`` (bytes)."""
    batch = np.arange(2 * 3 * 8 * 8, dtype=np.float64).reshape(2, 3, 8, 8)
    sn, sc, sh, sw = batch.strides
    pooled = as_strided(
        batch,
        shape=(2, 3, 4, 4, 2, 2),
        strides=(sn, sc, 2 * sh, 2 * (sw // batch.itemsize), sh, sw),
        writeable=False,
    )
    pooled.max(axis=(4, 5))


def _offsets_stacked_on_full_windows() -> None:
    """im2col with the kernel-offset dimensions stacked on windows that
    already span the whole image (H x W positions instead of H-k+1)."""
    image = np.zeros((3, 16, 16), dtype=np.float32)
    sc, sh, sw = image.strides
    as_strided(
        image,
        shape=(3, 3, 3, 16, 16),
        strides=(sc, sh, sw, sh, sw),
        writeable=False,
    )


def _frames_over_one_stereo_channel() -> None:
    """Framing one channel of interleaved stereo with itemsize strides."""
    stereo = np.zeros((48_000, 2), dtype=np.float32)
    left = stereo[:, 0]
    frame, hop = 512, 256
    count = 1 + (left.size - frame) // hop
    as_strided(
        left,
        shape=(count, frame),
        strides=(hop * left.itemsize, left.itemsize),
        writeable=False,
    )


def _hankel_over_every_other_sample() -> None:
    """A Hankel matrix over ``x[::2]`` with itemsize strides."""
    x = np.arange(200.0)[::2]
    rows = 50
    as_strided(
        x,
        shape=(rows, x.size - rows + 1),
        strides=(x.itemsize, x.itemsize),
        writeable=False,
    )


def _one_window_too_many() -> None:
    """A literal window count one too large for the signal."""
    signal = np.zeros(100)
    as_strided(signal, shape=(92, 10), strides=(8, 8), writeable=False)


REAL_MEMORY_BUGS = {
    "max-pool stride in elements": (_max_pool_stride_in_elements, "inside"),
    "offsets stacked on full windows": (_offsets_stacked_on_full_windows, "past"),
    "itemsize strides on stereo[:, 0]": (_frames_over_one_stereo_channel, "inside"),
    "itemsize strides on x[::2]": (_hankel_over_every_other_sample, "inside"),
    "one window too many": (_one_window_too_many, "past"),
}


@pytest.mark.parametrize("name", REAL_MEMORY_BUGS)
def test_the_default_refuses_five_memory_bugs_from_real_code(name: str) -> None:
    make, where = REAL_MEMORY_BUGS[name]
    expected = safestride.ForeignElementError if where == "inside" else OutOfBoundsError
    with pytest.raises(expected):
        make()


@pytest.mark.parametrize("name", REAL_MEMORY_BUGS)
def test_three_of_the_five_stay_inside_the_span(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why the default is the element level: the array level lets three through."""
    make, where = REAL_MEMORY_BUGS[name]
    checked = as_strided

    def at_array_level(*args: Any, **kwargs: Any) -> Any:
        return checked(*args, bounds="array", **kwargs)

    monkeypatch.setitem(make.__globals__, "as_strided", at_array_level)
    if where == "inside":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SafeStrideWarning)
            make()
    else:
        with pytest.raises(OutOfBoundsError):
            make()


def test_the_element_level_is_the_default_of_as_strided_and_check_view() -> None:
    left = np.zeros((10, 2))[:, 0]
    for call in (as_strided, check_view):
        with pytest.raises(safestride.ForeignElementError) as caught:
            call(left, (5,), (8,))
        assert caught.value.offset == 8
        assert caught.value.violation.bounds == "elements"
    assert check_view(left, (5, 2), (16, 16)) == (0, 88)


LATTICE_CALLS = {
    "windows over x[::2, ::2]": (
        np.zeros((64, 64))[::2, ::2],
        (30, 30, 3, 3),
        lambda s: (s[0], s[1], s[0], s[1]),
    ),
    "frames over stereo[:, 0]": (
        np.zeros((1000, 2))[:, 0],
        (30, 64),
        lambda s: (32 * s[0], s[0]),
    ),
    "im2col over a transposed batch": (
        np.zeros((10, 10, 3, 2), np.float32).transpose(3, 2, 0, 1),
        (2, 3, 8, 8, 3, 3),
        lambda s: (s[0], s[1], s[2], s[3], s[2], s[3]),
    ),
    "im2col over a sliced batch": (
        np.zeros((2, 3, 12, 12))[:, :, 1:11, 1:11],
        (2, 3, 8, 8, 3, 3),
        lambda s: (s[0], s[1], s[2], s[3], s[2], s[3]),
    ),
    "contiguous windows": (
        np.zeros((64, 64), np.float32),
        (62, 62, 3, 3),
        lambda s: s * 2,
    ),
    "broadcast": (np.zeros((5, 4))[:, 1], (3, 5), lambda s: (0, s[0])),
}


@pytest.mark.parametrize("name", LATTICE_CALLS)
def test_window_and_broadcast_views_pass_at_the_default_level(name: str) -> None:
    x, shape, strides_of = LATTICE_CALLS[name]
    strides = strides_of(x.strides)
    ours = as_strided(x, shape, strides, writeable=False)
    same_view(ours, numpy_as_strided(x, shape, strides, writeable=False))
    as_lists = as_strided(x, list(shape), list(strides), writeable=False)  # full path
    same_view(as_lists, ours)


def test_complex_parts_are_not_paired_across_elements() -> None:
    z = np.array([1 + 2j, 3 + 4j, 5 + 6j])
    with pytest.raises(safestride.ForeignElementError) as caught:
        as_strided(z, shape=(5,), strides=(8,))
    cause = " ".join(caught.value.causes[0].split())
    assert "view[1] starts 8 bytes into x[0]" in cause
    assert "its real part is x[0].imag and its imaginary part is x[1].real" in cause
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 8 bytes keeps complex128's alignment
        mixed = as_strided(z, shape=(5,), strides=(8,), bounds="array", writeable=False)
    assert mixed[1] == 2 + 3j  # what numpy returns, silently


@pytest.mark.parametrize(
    "x",
    [
        np.zeros(5, "V0"),
        np.zeros((4, 3), [])[:, ::2],
        np.zeros(4, [("a", "f8"), ("nothing", [])])["nothing"],
    ],
    ids=["V0", "empty record, sliced", "empty field of a record"],
)
@pytest.mark.parametrize("bounds", ["elements", "array", "buffer"])
def test_elements_of_no_bytes_touch_no_memory(x: np.ndarray, bounds: str) -> None:
    assert x.itemsize == 0
    for shape, strides in [((2,), (8,)), ((2, 2), (1, 1)), ((3,), (-5,))]:
        assert check_view(x, shape, strides, bounds=bounds) is None
        view = as_strided(x, shape, strides, bounds=bounds, writeable=False)
        same_view(view, numpy_as_strided(x, shape, strides, writeable=False))
