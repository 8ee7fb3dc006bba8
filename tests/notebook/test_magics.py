"""``%safestride`` in a shell of this process."""

from __future__ import annotations

from typing import Any

import pytest

import safestride
from safestride.guard import current_config, state
from safestride.notebook.command import USAGE

pytest.importorskip("IPython")
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output


def magic(shell: Any, line: str) -> tuple[Any, str]:
    with capture_output() as captured:
        result = shell.run_line_magic("safestride", line)
    return result, captured.stdout


def test_on_with_options_sets_the_guard_and_says_so(shell: Any) -> None:
    shell.run_line_magic("load_ext", "safestride")
    _, said = magic(shell, "on --policy record --bounds elements")
    config = current_config()
    assert config is not None
    assert (config.policy, config.bounds, config.library_bounds) == (
        "record",
        "elements",
        "buffer",
    )
    assert said == (
        "safestride: the guard is on (policy 'record', bounds 'elements', library "
        "bounds 'buffer'); %safestride report lists what it found\n"
    )


def test_on_twice_replaces_the_first(shell: Any) -> None:
    shell.run_line_magic("load_ext", "safestride")
    layers = len(state.layers())
    magic(shell, "on --policy warn")
    magic(shell, "on --policy record")
    assert len(state.layers()) == layers
    config = current_config()
    assert config is not None
    assert config.policy == "record"


def test_off_when_not_on_says_so_and_changes_nothing(shell: Any) -> None:
    shell.run_line_magic("load_ext", "safestride")
    _, said = magic(shell, "off")
    assert said.startswith("safestride: the guard is off")
    assert not safestride.is_installed()
    _, said = magic(shell, "off")
    assert said == "safestride: the guard was not on; nothing to turn off\n"


def test_report_is_the_extensions_report_across_on_and_off(shell: Any) -> None:
    shell.run_line_magic("load_ext", "safestride")
    magic(shell, "on --policy record")
    shell.run_cell(
        "import numpy as np\n"
        "from numpy.lib.stride_tricks import as_strided\n"
        "v = as_strided(np.zeros(3), shape=(4,), strides=(8,))\n",
        store_history=True,
    )
    magic(shell, "off")
    magic(shell, "on")
    report, said = magic(shell, "report")
    assert said == ""
    assert isinstance(report, safestride.Report)
    [view] = report.views
    assert view.site.location == "Cell In[1], line 3"
    assert str(view.site) == "Cell In[1], line 3 in <module>"


def test_a_bad_line_is_a_usage_error_naming_the_argument(shell: Any) -> None:
    shell.run_line_magic("load_ext", "safestride")
    with pytest.raises(UsageError, match=r"--policy must be one of") as caught:
        magic(shell, "on --policy loud")
    assert str(caught.value).endswith(USAGE)
    config = current_config()
    assert config is not None
    assert config.policy == "raise", "left as it was"


def test_the_magic_says_how_to_use_it(shell: Any) -> None:
    shell.run_line_magic("load_ext", "safestride")
    function = shell.find_line_magic("safestride")
    assert USAGE in function.__doc__


def test_unloading_takes_the_magic_away(shell: Any) -> None:
    shell.run_line_magic("load_ext", "safestride")
    shell.run_line_magic("unload_ext", "safestride")
    assert shell.find_line_magic("safestride") is None
    assert "safestride" not in vars(shell.magics_manager.user_magics)
