"""Object arrays: a misaligned view would dereference garbage pointers.

Every case that could crash runs in a child process, so a crash fails one
test instead of the whole run.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from safestride import MisalignedError, OverlapWarning, as_strided
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
    "object view reaching into the rest of the buffer": """
        x = np.array([object()] * 8, dtype=object)[2:4]
        as_strided(x, shape=(2,), strides=(-16,), bounds="buffer")
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
    assert "crashes the interpreter" in result.stdout


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
