"""Object arrays: a misaligned view would dereference garbage pointers.

Every case that could crash runs in a child process, so a crash fails one
test instead of the whole run.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from safestride import MisalignedError, OverlapWarning, as_strided, check_view
from safestride.core import elements
from tests.helpers import run_python

pytestmark = pytest.mark.subprocess


CRASHERS = {
    "half-pointer stride": """
        x = np.array([object(), "a", 3.5, None], dtype=object)
        as_strided(x, shape=(3,), strides=(4,))
    """,
    "pointer read from an int field": """
        s = np.zeros(4, dtype=[("n", "i8"), ("o", "O")])
        field = s["o"]
        as_strided(field, shape=(4,), strides=(8,))
    """,
    "half-pointer stride with check_bounds=False": """
        x = np.array([object(), "a", 3.5, None], dtype=object)
        as_strided(x, shape=(3,), strides=(4,), check_bounds=False)
    """,
    "object view reaching into the rest of the buffer, off the pointers": """
        x = np.array([object()] * 8, dtype=object)[2:4]
        as_strided(x, shape=(2,), strides=(-12,), bounds="buffer")
    """,
}


@pytest.mark.parametrize("code", CRASHERS.values(), ids=CRASHERS.keys())
def test_unsafe_object_views_raise_cleanly(code: str) -> None:
    result = run_python(
        code="import numpy as np\nfrom safestride import as_strided, MisalignedError\n"
        "try:\n"
        + textwrap.indent(textwrap.dedent(code), "    ")
        + "except MisalignedError as error:\n    print('REFUSED', error)\n"
        "else:\n    print('MADE A VIEW')\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("REFUSED"), result.stdout
    assert "crashes the interpreter" in " ".join(result.stdout.split())


def test_valid_object_views_work_like_numpy() -> None:
    x = np.array(["a", "b", "c", "d"], dtype=object)
    view = as_strided(x, shape=(3, 2), strides=(8, 8), writeable=False)
    assert view.tolist() == [["a", "b"], ["b", "c"], ["c", "d"]]
    every_other = as_strided(x[::2], shape=(2,), strides=(16,))
    assert every_other.tolist() == ["a", "c"]
    dt = np.dtype([("num", "i4"), ("obj", "O")])  # numpy gh-5081
    records = np.empty((4,), dtype=dt)
    with pytest.warns(OverlapWarning, match="repeats each element 3 times"):
        view = as_strided(records, shape=(3, 4), strides=(0, records.itemsize))
    assert view.dtype == dt


def test_object_field_view_within_its_own_elements_is_allowed() -> None:
    s = np.zeros(4, dtype=[("n", "i8"), ("o", "O")])
    s["o"] = ["w", "x", "y", "z"]
    field = s["o"]
    view = as_strided(field, shape=(2,), strides=(2 * field.strides[0],))
    assert view.tolist() == ["w", "y"]
    with pytest.raises(MisalignedError):
        as_strided(field, shape=(2,), strides=(8,))  # lands on the "n" field


SEGFAULT = """
    import numpy as np
    from numpy.lib.stride_tricks import as_strided as numpy_as_strided
    import safestride
    rec = np.zeros(4, [("obj", object), ("val", "f8")])
    rec["obj"] = ["a", "b", "c", "d"]
    make = {make}
    try:
        v = make(rec["val"], (7,), (8,){keywords})
    except safestride.MisalignedError as error:
        print("REFUSED", error)
        raise SystemExit(0)
    v[1] = 1e-300  # over rec[1]["obj"]: the pointer to "b"
    print(repr(rec[1]["obj"]))
"""


def test_the_view_over_object_pointers_crashes_the_interpreter() -> None:
    # What safestride's default call returned before (numpy's view, unchanged):
    # a writeable float view whose odd elements are object pointers.
    result = run_python(code=SEGFAULT.format(make="numpy_as_strided", keywords=""))
    assert result.returncode != 0, result.stdout
    assert "REFUSED" not in result.stdout


@pytest.mark.parametrize(
    "keywords",
    [
        "",
        ', bounds="elements"',
        ', bounds="array"',
        ', bounds="buffer"',
        ", check_bounds=False",
        ", check_bounds=True",
    ],
)
def test_a_field_next_to_object_pointers_is_protected_at_every_level(
    keywords: str,
) -> None:
    code = SEGFAULT.format(make="safestride.as_strided", keywords=keywords)
    result = run_python(code=code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("REFUSED"), result.stdout
    message = " ".join(result.stdout.split())  # the message is wrapped
    assert "whose field 'obj' holds Python objects" in message
    assert "crashes the interpreter" in message


def test_check_view_and_the_guard_refuse_it_too() -> None:
    rec = np.zeros(4, [("obj", object), ("val", "f8")])
    with pytest.raises(MisalignedError, match="view\\[1\\] would start at byte 8"):
        check_view(rec["val"], (7,), (8,), bounds="buffer", writeable=True)
    code = """
        import numpy as np
        from numpy.lib.stride_tricks import as_strided
        import safestride
        rec = np.zeros(4, [("obj", object), ("val", "f8")])
        with safestride.guarded(policy="record") as report:
            as_strided(rec["val"], (7,), (8,))  # recorded: record never raises
        print([view.kind for view in report])
        with safestride.guarded():
            try:
                as_strided(rec["val"], (7,), (8,))
            except safestride.MisalignedError:
                print("REFUSED")
    """
    result = run_python(code=code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["['MisalignedError']", "REFUSED"]


def test_views_of_the_field_itself_are_allowed() -> None:
    rec = np.zeros(6, [("obj", object), ("val", "f8")])
    rec["val"] = np.arange(6.0)
    values = rec["val"]
    pairs = as_strided(values, (5, 2), values.strides * 2, writeable=False)
    assert pairs.tolist() == [[i, i + 1] for i in range(5)]
    assert as_strided(values, (3,), (32,), bounds="array").tolist() == [0, 2, 4]
    # Outside x, but only "val" bytes: proven from the records' layout.
    walked_back = as_strided(values[3:], (4,), (-16,), bounds="buffer")
    assert walked_back.tolist() == [3, 2, 1, 0]
    with pytest.raises(MisalignedError, match="reaches outside x"):
        as_strided(values[3:], (4,), (-8,), bounds="buffer")  # and "obj" bytes
    assert as_strided(values[::-1], (3,), (-32,), bounds="buffer").tolist() == [5, 3, 1]
    plain = np.zeros(8)[::2]  # no objects anywhere: the array level allows gaps
    assert as_strided(plain, (7,), (8,), bounds="array").shape == (7,)


def test_a_contiguous_field_view_cannot_reach_a_pointer_inside_its_span() -> None:
    rec = np.zeros(1, [("obj", object), ("val", "f8")])
    values = rec["val"]  # one element: contiguous, 8 bytes
    assert as_strided(values, (3,), (0,), writeable=False).tolist() == [0, 0, 0]
    with pytest.raises(MisalignedError, match="reaches outside x"):
        as_strided(values, (2,), (-8,), bounds="buffer")


def test_windows_over_a_strided_object_array_are_proven_not_enumerated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    x = np.empty(200_000, dtype=object)[::2]
    x[:] = 1

    def enumerated(*args: object) -> None:
        raise AssertionError("enumerated the offsets of a window view")

    monkeypatch.setattr(elements, "c_order_offsets", enumerated)
    windows = as_strided(x, (x.size - 99, 100), x.strides * 2, writeable=False)
    assert windows.shape == (99_901, 100)
    assert int(windows[-1, -1]) == 1


def test_a_view_of_an_x_already_over_the_pointers_is_refused() -> None:
    """x itself an earlier, unchecked view whose itemsize strides lie over
    the object pointers: a view of x's own elements writes over them too."""
    rec = np.zeros(6, [("obj", object), ("val", "f8")])
    x = np.lib.stride_tricks.as_strided(rec["val"], (11,), (8,))[1:]
    for bounds in ("elements", "array", "buffer"):
        with pytest.raises(MisalignedError, match=r"x itself\s+already lies over"):
            as_strided(x, (2,), (16,), bounds=bounds)  # type: ignore[arg-type]
    import safestride

    with safestride.guarded(policy="record") as report:
        np.lib.stride_tricks.as_strided(x, (2,), (16,))
    assert [view.kind for view in report] == ["MisalignedError"]


@pytest.mark.parametrize("order", ["C", "F"])
def test_fields_and_their_views_are_not_over_the_pointers(order: str) -> None:
    from safestride.core.extent import lies_over_pointers

    rec = np.zeros((3, 4), [("obj", object), ("val", "f8"), ("n", "i4")], order=order)
    for x in (rec["val"], rec["val"][::-1, 1:], rec["n"].T, rec["val"][:, ::2]):
        assert not lies_over_pointers(x, rec)
        assert as_strided(x, x.shape, x.strides, bounds="buffer").shape == x.shape
    straddling = np.lib.stride_tricks.as_strided(rec["n"], (2,), (4,))
    assert lies_over_pointers(straddling, rec)  # n's 4 bytes, then a pointer


def test_a_read_only_view_may_read_pointer_bytes_at_the_buffer_level() -> None:
    """Reading a pointer's bytes as a float cannot crash, and numpy refuses to
    make such a view writeable later: at the buffer level it is allowed."""
    rec = np.zeros(4, [("obj", object), ("val", "f8")])
    view = as_strided(rec["val"], (7,), (8,), writeable=False, bounds="buffer")
    assert view.shape == (7,)
    assert not view.flags.writeable
    with pytest.raises(ValueError, match="WRITEABLE"):
        view.flags.writeable = True
    with pytest.raises(MisalignedError):  # the same view, writeable
        as_strided(rec["val"], (7,), (8,), bounds="buffer")


def test_object_views_proven_on_the_records_layout() -> None:
    rec = np.zeros(5, [("n", "i4"), ("obj", object), ("val", "f8")])
    rec["obj"] = list("abcde")
    names = rec["obj"][2:4]
    back = as_strided(names, (3,), (-rec.itemsize,), bounds="buffer")
    assert back.tolist() == ["c", "b", "a"]
    big = as_strided(
        names, (10**6, 3), (0, -rec.itemsize), bounds="buffer", writeable=False
    )
    assert big.shape == (10**6, 3)  # proven by place in record, not enumerated
    with pytest.raises(MisalignedError):
        as_strided(names, (3,), (-rec.itemsize + 8,), bounds="buffer")


def test_the_layout_proof_gives_up_on_huge_records_rather_than_hang() -> None:
    rec = np.zeros(3, [("obj", object), ("pad", "V100000")])
    names = rec["obj"]
    with pytest.raises(MisalignedError):  # 10**8 places to list: refused
        as_strided(names, (10**4, 10**4), (1, 1), bounds="buffer", writeable=False)
