"""The worker side on its own: GuardPlugin set up and torn down in this process."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

import safestride
from tests.helpers import run_python

pytest.importorskip("distributed")

from distributed.core import Status

from safestride.dask import plugin
from safestride.dask.plugin import GuardPlugin, take_findings


@dataclass
class FakeWorker:
    """What the plugin reads of a dask Worker."""

    address: str = "tcp://127.0.0.1:9"
    status: Status = Status.running
    events: list[tuple[str, Any]] = field(default_factory=list)

    def log_event(self, topic: str, message: Any) -> None:
        self.events.append((topic, message))


@pytest.fixture(autouse=True)
def _always_uninstall() -> Iterator[None]:
    yield
    safestride.uninstall()


def overreach() -> None:
    as_strided(np.arange(4.0), shape=(5,), strides=(8,))  # noqa: SST007  on purpose


def test_setup_guards_and_teardown_keeps_the_findings_once() -> None:
    worker = FakeWorker()
    guard = GuardPlugin(policy="record")
    guard.setup(worker)
    assert safestride.is_installed()
    assert worker.events == [(guard.name, {"worker": worker.address, "guarded": True})]
    overreach()
    guard.teardown(worker)
    assert not safestride.is_installed()
    found = take_findings(guard.name, worker)  # type: ignore[arg-type]
    assert found is not None
    assert (found["worker"], found["checked"]) == (worker.address, 1)
    [view] = found["views"]
    assert view["workers"] == [worker.address]
    assert view["function"] == "overreach"
    assert take_findings(guard.name, worker) is None  # type: ignore[arg-type]


def test_a_closing_worker_sends_its_findings_to_the_event_log() -> None:
    worker = FakeWorker()
    guard = GuardPlugin(policy="record")
    guard.setup(worker)
    overreach()
    worker.status = Status.closing
    guard.teardown(worker)
    topic, event = worker.events[-1]
    assert topic == guard.name
    assert event["findings"]["views"][0]["count"] == 1
    assert take_findings(guard.name, worker) is None  # type: ignore[arg-type]


def test_taking_the_findings_closes_a_layer_teardown_missed() -> None:
    worker = FakeWorker()
    guard = GuardPlugin(policy="record")
    guard.setup(worker)
    found = take_findings(guard.name, worker)  # type: ignore[arg-type]
    assert found is not None
    assert found["views"] == []
    assert not safestride.is_installed()
    guard.teardown(worker)  # harmless afterwards


@pytest.mark.parametrize("second_teardown", [True, False])
def test_a_plugin_registered_again_keeps_what_its_first_layer_found(
    second_teardown: bool,
) -> None:
    worker = FakeWorker()
    guard = GuardPlugin(policy="record")
    guard.setup(worker)
    overreach()
    guard.teardown(worker)  # what a worker does when the same name comes again
    guard.setup(worker)
    overreach()
    if second_teardown:
        guard.teardown(worker)
    found = take_findings(guard.name, worker)  # type: ignore[arg-type]
    assert found is not None
    assert found["checked"] == 2
    assert sum(view["count"] for view in found["views"]) == 2


def test_a_worker_in_the_clients_process_is_left_alone() -> None:
    worker = FakeWorker()
    guard = GuardPlugin()
    plugin.client_blocks.add(guard.name)
    try:
        guard.setup(worker)
    finally:
        plugin.client_blocks.discard(guard.name)
    assert not safestride.is_installed()
    assert worker.events == []


def test_options_are_checked_in_the_client() -> None:
    with pytest.raises(ValueError, match=r"^policy must be one of"):
        GuardPlugin(policy="loud")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^bounds must be one of"):
        GuardPlugin(bounds="everywhere")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^name must be a str"):
        GuardPlugin(name=3)  # type: ignore[arg-type]
    assert GuardPlugin().name != GuardPlugin().name


@pytest.mark.subprocess
def test_without_the_extra_the_error_says_what_to_install() -> None:
    result = run_python(
        code="""
        import sys
        sys.modules["distributed"] = None  # as if not installed
        import safestride
        assert "dask" not in sys.modules
        import safestride.dask
        """
    )
    assert result.returncode == 1
    assert 'pip install "safestride[dask]"' in result.stderr


@pytest.mark.subprocess
def test_importing_safestride_imports_no_dask() -> None:
    result = run_python(
        code="""
        import sys
        import safestride
        safestride.guarded, safestride.Report
        tops = {name.split(".")[0] for name in sys.modules}
        print(sorted(tops & {"dask", "distributed"}))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
