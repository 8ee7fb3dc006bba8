"""``%load_ext safestride`` in a shell of this process, and loading it twice,
unloading under an open block, and the cells' names."""

from __future__ import annotations

from typing import Any

import pytest

import safestride
from safestride.errors import StrideError
from safestride.guard import current_config
from safestride.guard.callsite import CallSite

pytest.importorskip("IPython")
from IPython.utils.capture import capture_output


def test_loading_guards_the_shell_and_says_so(shell: Any) -> None:
    with capture_output() as captured:
        shell.run_line_magic("load_ext", "safestride")
    assert safestride.is_installed()
    assert captured.stdout.startswith("safestride: the guard is on (policy 'raise'")
    assert StrideError in shell.custom_exceptions


def test_loading_twice_changes_nothing(shell: Any) -> None:
    from safestride.notebook import extension

    with capture_output() as captured:
        shell.run_line_magic("load_ext", "safestride")
        first = extension.load(shell)
        shell.run_line_magic("load_ext", "safestride")
        assert extension.load(shell) is first
    assert captured.stdout.count("the guard is on") == 1
    assert "already loaded" in captured.stdout
    assert shell.custom_exceptions.count(StrideError) == 1


def test_reloading_starts_afresh(shell: Any) -> None:
    from safestride.notebook import extension

    shell.run_line_magic("load_ext", "safestride")
    first = extension.load(shell)
    with capture_output():
        shell.run_line_magic("reload_ext", "safestride")
    assert extension.load(shell) is not first
    assert shell.custom_exceptions.count(StrideError) == 1
    assert safestride.is_installed()


def test_unloading_restores_the_shell(shell: Any) -> None:
    before = (shell.custom_exceptions, shell.CustomTB)
    shell.run_line_magic("load_ext", "safestride")
    shell.run_line_magic("unload_ext", "safestride")
    assert not safestride.is_installed()
    assert (shell.custom_exceptions, shell.CustomTB) == before
    assert CallSite(shell.compile.cache("1", 7), 1, "f", "").location.endswith(":1")


def test_unloading_while_a_guarded_block_is_open_leaves_it_in_force(
    shell: Any,
) -> None:
    shell.run_line_magic("load_ext", "safestride")
    with safestride.guarded(policy="record", bounds="elements") as report:
        shell.run_line_magic("unload_ext", "safestride")
        assert safestride.is_installed()
        config = current_config()
        assert config is not None
        assert config.policy == "record"
        result = shell.run_cell(
            "import numpy as np\n"
            "np.lib.stride_tricks.as_strided(np.zeros(2), shape=(3,), strides=(8,))\n"
        )
        assert result.error_in_exec is None
    assert len(report) == 1
    assert not safestride.is_installed()


def test_a_user_install_outlives_the_extension(shell: Any) -> None:
    session = safestride.install(policy="warn")
    try:
        shell.run_line_magic("load_ext", "safestride")
        shell.run_line_magic("unload_ext", "safestride")
        config = current_config()
        assert config is not None
        assert config.policy == "warn"
    finally:
        assert safestride.uninstall() is session


def test_cells_are_named_as_ipython_names_them(shell: Any) -> None:
    shell.run_line_magic("load_ext", "safestride")
    with capture_output():
        shell.run_line_magic("safestride", "on --policy record")
    shell.run_cell("x = 1", store_history=True)
    shell.run_cell(
        "import numpy as np\n\nfenêtre = np.lib.stride_tricks.as_strided(\n"
        "    np.zeros(2), shape=(3,), strides=(8,))\n",
        store_history=True,
    )
    [view] = shell.run_line_magic("safestride", "report").views
    assert view.site.location == "Cell In[2], line 3"
    assert "np.zeros(2), shape=(3,), strides=(8,))" in view.site.source
