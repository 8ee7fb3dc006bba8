"""The pytest plugin, driven through pytester in child processes."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytestmark = pytest.mark.subprocess

BAD_VIEW = "as_strided(np.arange(4.0), shape=(5,), strides=(8,))"

TESTS = f"""
import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

def test_clean():
    as_strided(np.arange(4.0), shape=(2, 2), strides=(16, 8))

def test_unsafe():
    {BAD_VIEW}

def test_unsafe_but_caught():
    try:
        {BAD_VIEW}
    except ValueError:
        pass

@pytest.mark.no_safestride
def test_opted_out():
    {BAD_VIEW}

@pytest.mark.safestride(bounds="buffer")
def test_buffer_bounds_allow_the_parent():
    as_strided(np.arange(10.0)[:2], shape=(10,), strides=(8,))
"""


def outcomes(result: pytest.RunResult) -> dict[str, str]:
    found = {}
    for line in result.outlines:
        for word in ("PASSED", "FAILED"):
            if line.startswith("test_") and f" {word}" in line:
                found[line.split("::")[1].split()[0]] = word
    return found


def test_inactive_unless_asked_for(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    result = pytester.runpytest_subprocess("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)
    result.stdout.no_fnmatch_line("*unsafe strided view*")
    result.stdout.no_fnmatch_line("*unsafe view made*")


def test_raise_mode_fails_unsafe_tests_even_when_caught(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(TESTS)
    result = pytester.runpytest_subprocess("-v", "--safestride")
    assert outcomes(result) == {
        "test_clean": "PASSED",
        "test_unsafe": "FAILED",
        "test_unsafe_but_caught": "FAILED",
        "test_opted_out": "PASSED",
        "test_buffer_bounds_allow_the_parent": "PASSED",
    }
    result.stdout.fnmatch_lines(
        [
            "*safestride: 1 unsafe strided view made during this test, which went on*",
            "*test_raise_mode_fails_unsafe_tests_even_when_caught.py:*"
            " in test_unsafe_but_caught (made once)",
            "*= safestride: unsafe strided views =*",
            "*::test_unsafe: *.py:9 (once): as_strided would read 8 bytes (~1 element)"
            " out of bounds, past the end of the memory it may use.",
            "*::test_unsafe_but_caught: *.py:13 (once): *",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_warn_mode_only_warns(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    result = pytester.runpytest_subprocess("-v", "--safestride=warn")
    result.assert_outcomes(passed=5, warnings=2)
    result.stdout.fnmatch_lines(["*UnsafeViewWarning: unsafe strided view*"])


def test_ini_options(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    pytester.makeini("[pytest]\nsafestride = raise\nsafestride_bounds = buffer\n")
    result = pytester.runpytest_subprocess("-v")
    assert outcomes(result)["test_unsafe"] == "FAILED"
    pytester.makeini("[pytest]\nsafestride = off\n")
    pytester.runpytest_subprocess().assert_outcomes(passed=5)


def test_option_overrides_ini(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    pytester.makeini("[pytest]\nsafestride = raise\n")
    pytester.runpytest_subprocess("--safestride=off").assert_outcomes(passed=5)


def test_fixture_gives_the_tests_views(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import numpy as np
        from numpy.lib.stride_tricks import as_strided

        def test_sees_its_views(safestride_report):
            for _ in range(2):
                {BAD_VIEW}
            {BAD_VIEW}
            first, second = safestride_report.views
            assert (first.count, first.site.lineno) == (2, 6)
            assert (second.count, second.site.lineno) == (1, 7)
            assert safestride_report.total == 3
        """
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


def test_fixture_under_warn_mode(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import numpy as np
        from numpy.lib.stride_tricks import as_strided

        def test_sees_its_views(safestride_report):
            for _ in range(3):
                {BAD_VIEW}
            assert safestride_report.total == 3
        """
    )
    pytester.runpytest_subprocess("--safestride=warn").assert_outcomes(
        passed=1, warnings=1
    )


def test_bad_option_value_says_what_to_write(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    result = pytester.runpytest_subprocess("--safestride=loud")
    result.stderr.fnmatch_lines(
        ["*--safestride must be one of 'raise', 'warn', 'off'; got 'loud'*"]
    )


def test_a_path_right_after_the_option_stays_a_path(pytester: pytest.Pytester) -> None:
    path = pytester.makepyfile(TESTS)
    result = pytester.runpytest_subprocess("--safestride", str(path))
    result.assert_outcomes(passed=3, failed=2)


def test_bad_marker_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.safestride(policy="loud")
        def test_x():
            pass
        """
    )
    result = pytester.runpytest_subprocess("--safestride")
    output = result.stdout.str() + result.stderr.str()
    assert "@pytest.mark.safestride: policy must be one of" in output
    assert "got 'loud'" in output


def test_works_under_xdist(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(TESTS)
    result = pytester.runpytest_subprocess("-n", "2", "--safestride")
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*= safestride: unsafe strided views =*",
            "*::test_unsafe: *(once): as_strided would read 8 bytes*",
        ]
    )


def test_numpy_own_stride_tricks_tests_have_no_false_alarms(
    pytester: pytest.Pytester,
) -> None:
    from pathlib import Path

    suite = Path(np.__file__).parent / "lib" / "tests" / "test_stride_tricks.py"
    if not suite.exists():
        pytest.skip("this numpy ships no tests")
    result = pytester.runpytest_subprocess(str(suite), "--safestride", "-q")
    assert result.ret == 0, result.stdout.str()
    assert "unsafe strided views" not in result.stdout.str()
    assert json.dumps  # report stays empty: nothing to parse
