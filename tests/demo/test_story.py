"""``safestride.demo.run``: the story ``safestride demo`` prints."""

from __future__ import annotations

import inspect
import io
import os

import pytest

from safestride.demo import DemoOptions, check_options, model, run


@pytest.fixture(scope="module")
def quick_demo() -> str:
    out = io.StringIO()
    assert run(out, DemoOptions(quick=True)) == 0
    return out.getvalue()


def _bug_line() -> int:
    """The line of the `as_strided(` call in the demo's buggy bias."""
    lines, first = inspect.getsourcelines(model.stale_strides_bias)
    return first + next(i for i, text in enumerate(lines) if "as_strided(" in text)


def test_demo_tells_all_three_parts(quick_demo: str) -> None:
    assert "reads [0.1, 1e+300]" in quick_demo
    assert "1. The buggy network" in quick_demo
    assert "trained without a murmur: test accuracy" in quick_demo
    assert "only channel 0 is the bias" in quick_demo
    assert "stopped at the first step with OutOfBoundsError" in quick_demo
    assert "Stale strides?" in quick_demo
    made_at = f"demo{os.sep}model.py:{_bug_line()} in stale_strides_bias"
    assert made_at in quick_demo
    assert "strides=(0, activations.strides[1], 0, 0)" in quick_demo
    assert "3. The fixed network" in quick_demo
    table = quick_demo.split("run      test accuracy")[1]
    assert "stopped at step 1" in table


def test_the_fixed_network_beats_the_buggy_one(quick_demo: str) -> None:
    rows = {line.split()[0]: line.split() for line in quick_demo.splitlines()[-3:]}
    buggy, fixed = float(rows["buggy"][1][:-1]), float(rows["fixed"][1][:-1])
    assert fixed > buggy


def test_demo_is_reproducible(quick_demo: str) -> None:
    again = io.StringIO()
    run(again, DemoOptions(quick=True))
    assert again.getvalue() == quick_demo


def test_bad_options_are_refused_before_the_story_starts() -> None:
    out = io.StringIO()
    with pytest.raises(ValueError, match="unknown dataset 'mnist'"):
        run(out, DemoOptions(quick=True, dataset="mnist"))
    assert out.getvalue() == ""


def test_check_options_checks_the_plot_target() -> None:
    with pytest.raises(ValueError, match="the folder no-such-folder does not exist"):
        check_options(DemoOptions(plot="no-such-folder/curves.png"))
    check_options(DemoOptions())  # no plot, embedded data: nothing to refuse


def test_sizes_grow_without_quick() -> None:
    assert DemoOptions(quick=True).sizes == (1000, 400, 5)
    assert DemoOptions().sizes == (3000, 1000, 8)
