"""The command line. (``safestride demo``'s tests live in tests/demo/.)"""

from __future__ import annotations

import pytest

from safestride.cli import main


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main([])
    assert stop.value.code == 2
