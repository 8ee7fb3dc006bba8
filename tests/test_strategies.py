"""safestride.strategies: usable with hypothesis, a clear ImportError without it."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from hypothesis import given, settings

from safestride.strategies import DTYPES, StridedCase, parents, sliced, strided_cases


@settings(max_examples=50)
@given(strided_cases())
def test_cases_are_views_of_their_parent(case: StridedCase) -> None:
    assert case.x.dtype in DTYPES
    assert len(case.shape) == len(case.strides)
    if case.x.size:
        assert np.shares_memory(case.x, case.parent)
    assert case.parent.base is None


@settings(max_examples=30)
@given(parents(dtype=np.dtype(np.bool_)).flatmap(sliced))
def test_bool_parents_hold_valid_bools(x: np.ndarray) -> None:
    assert set(np.unique(x.view(np.uint8))) <= {0, 1}


def test_import_without_hypothesis_says_how_to_get_it() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n    import safestride.strategies\n"
        "except ImportError as error:\n    print(error)\n"
        "import safestride; print('core imports fine', safestride.as_strided)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "safestride.strategies needs hypothesis" in result.stdout
    assert "core imports fine" in result.stdout
