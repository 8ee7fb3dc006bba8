"""The pytest plugin, driven through pytester in child processes."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from tests.helpers import ROOT

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
            " in test_unsafe_but_caught (made once):",
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
            assert safestride_report.summary() == (
                "safestride: 2 unsafe views at 2 call sites, made 3 times "
                "(3 as_strided calls checked)"
            )
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


def test_your_code_is_held_to_the_elements_by_default(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import numpy as np
        from numpy.lib.stride_tricks import as_strided

        def test_frames_of_one_channel():
            channel = np.zeros((8, 2))[:, 0]
            as_strided(channel, shape=(4, 2), strides=(8, 8))
        """
    )
    result = pytester.runpytest_subprocess("--safestride")
    result.stdout.fnmatch_lines(
        ["safestride: raise, bounds=elements (every as_strided is checked; *)"]
    )
    result.assert_outcomes(failed=1)
    lenient = pytester.runpytest_subprocess("--safestride", "--safestride-bounds=array")
    lenient.assert_outcomes(passed=1)
    pytester.makeini("[pytest]\nsafestride = raise\nsafestride_bounds = array\n")
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


def test_help_states_the_default_bounds(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--help")
    text = " ".join(result.stdout.str().split())
    assert "may touch: elements (default), array or buffer" in text
    assert "may touch: buffer (default), array or elements" in text


def test_header_states_the_mode_only_when_on(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    result = pytester.runpytest_subprocess(
        "--safestride=warn", "--safestride-bounds=buffer"
    )
    result.stdout.fnmatch_lines(
        ["safestride: warn, bounds=buffer (every as_strided is checked; *)"]
    )
    plain = pytester.runpytest_subprocess()
    plain.stdout.no_fnmatch_line("safestride:*")


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ('polcy="warn"', "its keyword must be one of 'policy', 'bounds'; got 'polcy'"),
        ('"warn"', "takes keywords only, got ('warn',)"),
    ],
)
def test_marker_keywords_are_checked_before_any_test_runs(
    pytester: pytest.Pytester, arguments: str, expected: str
) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        def test_first():
            print("RAN")

        @pytest.mark.safestride({arguments})
        def test_x():
            pass
        """
    )
    for options in (["--safestride"], []):
        result = pytester.runpytest_subprocess("-s", *options)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        assert "test_x: @pytest.mark.safestride: " + expected in result.stderr.str()
        assert "RAN" not in result.stdout.str()


def test_summary_lists_node_ids_relative_to_where_pytest_started(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini("[pytest]\n")
    tests = pytester.mkdir("tests")
    (tests / "test_frames.py").write_text(textwrap.dedent(TESTS))
    monkeypatch.chdir(tests)
    result = pytester.runpytest_subprocess(
        "--safestride", "-p", "no:cacheprovider", "--rootdir", str(pytester.path)
    )
    result.stdout.fnmatch_lines(
        ["FAILED test_frames.py::test_unsafe - *"], consecutive=False
    )
    result.stdout.fnmatch_lines(
        ["test_frames.py::test_unsafe: test_frames.py:10 (once): as_strided would*"]
    )
    result.stdout.no_fnmatch_line("*tests/test_frames.py::*")


def test_the_docs_ini_example_works_when_pasted(pytester: pytest.Pytester) -> None:
    page = (ROOT / "docs" / "pytest_plugin.rst").read_text()
    block = page.split(".. code-block:: ini\n\n", 1)[1]
    lines = []
    for line in block.splitlines():
        if line and not line.startswith("   "):
            break
        lines.append(line[3:])
    pytester.makeini("\n".join(lines))
    pytester.makepyfile(TESTS)
    result = pytester.runpytest_subprocess("-v")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stderr.str()
    assert outcomes(result)["test_unsafe"] == "FAILED"


FIXTURES = """
import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

def unsafe_but_caught():
    try:
        as_strided(np.arange(4.0), shape=(5,), strides=(8,))
    except ValueError:
        pass

@pytest.fixture
def made_in_setup():
    unsafe_but_caught()

@pytest.fixture(scope="module")
def shared():
    unsafe_but_caught()

@pytest.fixture(scope="module")
def spoiled_at_teardown():
    yield
    unsafe_but_caught()

def test_function_scope(made_in_setup):
    pass

def test_sets_up_shared(shared):
    pass

def test_reuses_shared(shared):
    pass

def test_clean():
    pass

def test_first_user(spoiled_at_teardown):
    pass

def test_second_user(spoiled_at_teardown):
    pass

def test_last():
    pass
"""


def test_views_made_in_fixtures_are_put_down_to_their_tests(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_fixtures=FIXTURES)
    result = pytester.runpytest_subprocess("-rA", "--safestride", "-p", "no:randomly")
    result.assert_outcomes(passed=4, errors=4)
    result.stdout.fnmatch_lines(
        [
            "ERROR test_fixtures.py::test_function_scope - Failed: safestride: 1 *",
            "ERROR test_fixtures.py::test_sets_up_shared - Failed: safestride: 1 *",
            "ERROR test_fixtures.py::test_reuses_shared - Failed: safestride: this *",
            "ERROR test_fixtures.py::test_last - Failed: safestride: 1 *",
        ],
        consecutive=False,
    )
    result.stdout.fnmatch_lines(
        [
            "in the setup of fixture 'made_in_setup' (function scope):",
            "*uses fixture 'shared' (module scope), which made 1 unsafe strided view "
            "when it was set up for test_fixtures.py::test_sets_up_shared*",
            "in the teardown of fixture 'spoiled_at_teardown' (module scope), used by "
            "test_fixtures.py::test_first_user, test_fixtures.py::test_second_user:",
        ],
        consecutive=False,
    )
    result.stdout.fnmatch_lines(
        [
            "*= safestride: unsafe strided views =*",
            "test_fixtures.py::test_function_scope (fixture 'made_in_setup' setup): "
            "test_fixtures.py:7 (once): *",
            "test_fixtures.py::test_sets_up_shared (fixture 'shared' setup): *",
            "test_fixtures.py::test_first_user, test_fixtures.py::test_second_user "
            "(fixture 'spoiled_at_teardown' teardown): test_fixtures.py:7 (once): *",
        ]
    )


def test_views_made_in_fixtures_warn_under_warn_mode(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_fixtures=FIXTURES)
    result = pytester.runpytest_subprocess("--safestride=warn", "-p", "no:randomly")
    result.assert_outcomes(passed=7, warnings=3)
    result.stdout.fnmatch_lines(
        [
            "*= safestride: unsafe strided views =*",
            "test_fixtures.py::test_first_user, test_fixtures.py::test_second_user "
            "(fixture 'spoiled_at_teardown' teardown): *",
        ]
    )


def test_a_bad_marker_under_xdist_fails_its_test(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(
        """
        import pytest

        def test_fine():
            pass

        @pytest.mark.safestride(polcy="warn")
        def test_typo():
            pass
        """
    )
    result = pytester.runpytest_subprocess("-n", "2", "--safestride")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at setup of test_typo*",
            "usage error: *::test_typo: @pytest.mark.safestride: its keyword must be *",
        ]
    )
    result.stdout.no_fnmatch_line("*INTERNALERROR*")


def test_ini_suppressions_and_library_bounds(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        safestride = raise
        safestride_suppressions =
            test_ini_suppressions_and_library_bounds:shape_only
        """
    )
    pytester.makepyfile(
        """
        import numpy as np

        def shape_only(a):
            return np.lib.stride_tricks.as_strided(a, (8,), (8,)).shape

        def test_shape():
            assert shape_only(np.arange(2.0)) == (8,)
        """
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


def test_a_bad_ini_suppression_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        safestride = raise
        safestride_suppressions =
            not a rule
        """
    )
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "safestride_suppressions: 'not a rule' is not a suppression" in (
        result.stderr.str()
    )
