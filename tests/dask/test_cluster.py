"""safestride.dask.guarded on a real cluster: two worker processes, started once."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safestride
from safestride import OutOfBoundsError

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")
sst_dask = pytest.importorskip("safestride.dask")

pytestmark = pytest.mark.subprocess

HERE = str(Path(__file__).resolve())


def moving_sum(block: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """A safe per-chunk computation: numpy's sliding_window_view (as_strided)."""
    windows = np.lib.stride_tricks.sliding_window_view(block, 3)
    return np.pad(windows.sum(axis=-1), 1)


def overreaching_frames(block: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """One frame too many: the view reads one element past its chunk (but
    inside the buffer the chunk was cut from: only the user's bounds see it)."""
    buffer = np.concatenate([block, [0.0]])
    chunk = buffer[: block.size]
    frames = np.lib.stride_tricks.as_strided(  # noqa: SST007  the bug under test
        chunk, shape=(chunk.size, 2), strides=(8, 8)
    )
    return frames[:1, 0]  # the chunk's first element


#: The line of the unsafe as_strided call above, as reports must name it.
UNSAFE_LINE = overreaching_frames.__code__.co_firstlineno + 5


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
    )
    with distributed.Client(cluster) as started:
        yield started
    cluster.close()


def addresses(client: Any) -> list[str]:
    return sorted(client.scheduler_info()["workers"])


def unsafe_on(client: Any, worker: str) -> float:
    """Run the unsafe computation's tasks on `worker` only (new keys each
    time, so no result is reused from an earlier run)."""
    x = da.arange(12.0, chunks=4)
    name = f"overreaching-{uuid.uuid4().hex}"
    blocks = x.map_blocks(overreaching_frames, chunks=(1,), dtype=float, name=name)
    return float(client.compute(blocks.sum(), workers=[worker]).result())


def test_a_safe_computation_gives_the_same_result_and_no_findings(client: Any) -> None:
    x = da.arange(40.0, chunks=10)
    smoothed = x.map_overlap(moving_sum, depth=1, boundary=0, dtype=float)
    plain = smoothed.compute()
    with sst_dask.guarded(client, policy="raise") as report:
        checked = smoothed.compute()
    np.testing.assert_array_equal(checked, plain)
    assert len(report) == 0
    assert report.checked >= 4  # the guard did run on the workers: one per chunk
    assert report.workers == addresses(client)
    assert report.lost_workers == []


def test_an_unsafe_view_is_reported_once_per_site_with_every_worker(
    client: Any,
) -> None:
    workers = addresses(client)
    with sst_dask.guarded(client, policy="record") as report:
        for worker in workers:
            unsafe_on(client, worker)
    [site] = report.sites()
    assert (site.site.filename, site.site.lineno) == (HERE, UNSAFE_LINE)
    assert site.site.function == "overreaching_frames"
    assert "np.lib.stride_tricks.as_strided(" in site.site.source
    assert site.workers == tuple(workers)
    assert site.count == 6  # three chunks on each worker
    [view] = site.views
    assert view.to_dict()["bounds"] == "elements"  # the user's bounds, not a library's
    rendered = report.render()
    assert f"on 2 workers: {', '.join(workers)}" in rendered
    assert f"{HERE}:{UNSAFE_LINE} in overreaching_frames (made 6 times)" in rendered


def test_a_function_shipped_by_value_names_its_file(client: Any) -> None:
    def local_frames(block: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.lib.stride_tricks.as_strided(block, (block.size + 1,), (8,))[:1]

    x = da.arange(4.0, chunks=4)
    with sst_dask.guarded(client, policy="record") as report:
        x.map_blocks(local_frames, chunks=(1,), dtype=float).compute()
    [view] = report.views
    assert view.site.filename == HERE  # not cloudpickle's "<dynamic-code>"
    assert view.site.lineno == local_frames.__code__.co_firstlineno + 1


def test_raise_fails_the_task_and_the_client_sees_the_error(client: Any) -> None:
    worker = addresses(client)[0]
    with (
        pytest.raises(OutOfBoundsError) as caught,
        sst_dask.guarded(client, policy="raise") as report,
    ):
        unsafe_on(client, worker)
    message = str(caught.value)
    assert message.startswith("as_strided would read 8 bytes")
    assert f"made at {HERE}:{UNSAFE_LINE} in overreaching_frames" in message
    assert caught.value.bytes_past_end == 8
    assert caught.value.violation.shape == (4, 2)
    assert len(report) == 1  # collected on the way out of the failed block
    assert report.views[0].workers == (worker,)
    assert set(client.run(safestride.is_installed).values()) == {False}


def test_registering_that_fails_half_way_leaves_no_worker_guarded(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    register = client.register_plugin

    def interrupted(plugin: Any) -> None:
        register(plugin)  # on every worker, then Ctrl-C before the block starts
        raise KeyboardInterrupt

    monkeypatch.setattr(client, "register_plugin", interrupted)
    with pytest.raises(KeyboardInterrupt), sst_dask.guarded(client, policy="raise"):
        pass  # pragma: no cover
    assert set(client.run(safestride.is_installed).values()) == {False}
    assert not any(
        name.startswith("safestride-guard-")
        for name in client.run_on_scheduler(
            lambda dask_scheduler: list(dask_scheduler.worker_plugins)
        )
    )


def test_exit_uninstalls_from_every_worker(client: Any) -> None:
    with sst_dask.guarded(client, policy="raise"):
        pass
    assert unsafe_on(client, addresses(client)[0]) == 12.0  # 0 + 4 + 8, unchecked
    assert set(client.run(safestride.is_installed).values()) == {False}


def test_nested_blocks_use_the_newest_policy_and_both_collect(client: Any) -> None:
    worker = addresses(client)[0]
    with sst_dask.guarded(client, policy="raise") as outer:
        with sst_dask.guarded(client, policy="record") as inner:
            unsafe_on(client, worker)  # recorded, not raised
        assert set(client.run(safestride.is_installed).values()) == {True}
        with pytest.raises(OutOfBoundsError):
            unsafe_on(client, worker)
    assert inner.total == 3
    # The inner block's three, then those made before the raised one stopped
    # the computation: at least it, at most all three chunks.
    assert 4 <= outer.total <= 6
    assert set(client.run(safestride.is_installed).values()) == {False}


def test_a_plugin_registered_by_hand_stays_under_a_block(client: Any) -> None:
    worker = addresses(client)[0]
    standing = sst_dask.GuardPlugin(policy="raise")
    client.register_plugin(standing)
    try:
        with sst_dask.guarded(client, policy="record") as report:
            unsafe_on(client, worker)
        with pytest.raises(OutOfBoundsError):  # the standing plugin's policy again
            unsafe_on(client, worker)
    finally:
        kept = sst_dask.unregister(client, standing)
    assert report.total == 3
    assert 4 <= kept.total <= 6  # as in the nested blocks above
    assert set(client.run(safestride.is_installed).values()) == {False}


def test_workers_that_join_or_die_during_a_block(client: Any) -> None:
    cluster = client.cluster
    before = addresses(client)
    try:
        with sst_dask.guarded(client, policy="record") as report:
            cluster.scale(3)
            client.wait_for_workers(3)
            [joined] = sorted(set(addresses(client)) - set(before))
            unsafe_on(client, joined)
            unsafe_on(client, before[0])
            [doomed] = client.run(os.getpid, workers=[before[0]]).values()
            os.kill(doomed, signal.SIGKILL)
    finally:
        cluster.scale(2)
        client.wait_for_workers(2)
    [site] = report.sites()
    assert site.workers == (joined,)  # the survivor's findings came back
    assert report.lost_workers == [before[0]]
    assert "lost before reporting: " + before[0] in report.summary()


# distributed's own noise in this process: its port search leaves a socket
# unclosed, and its in-process worker asks for the taken dashboard port.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore:Port 8787 is already in use:UserWarning")
def test_threads_in_this_process_are_refused() -> None:
    with (
        distributed.LocalCluster(
            n_workers=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as threads,
        pytest.raises(ValueError, match=r"client: its workers .* run in this process"),
        sst_dask.guarded(threads),
    ):
        pass  # pragma: no cover
    assert not safestride.is_installed()


def test_a_bad_policy_is_named_before_any_worker_sees_it(client: Any) -> None:
    with (
        pytest.raises(ValueError, match=r"^policy must be one of"),
        sst_dask.guarded(client, policy="loud"),  # type: ignore[arg-type]
    ):
        pass  # pragma: no cover
    with (
        pytest.raises(ValueError, match=r"^library_bounds must be one of"),
        sst_dask.guarded(client, library_bounds="everything"),  # type: ignore[arg-type]
    ):
        pass  # pragma: no cover
    assert not any(
        name.startswith("safestride-guard-")
        for names in client.run(lambda dask_worker: list(dask_worker.plugins)).values()
        for name in names
    )


def test_what_is_not_a_synchronous_client_is_named() -> None:
    with (
        pytest.raises(TypeError, match=r"^client must be a distributed\.Client"),
        sst_dask.guarded(object()),  # type: ignore[arg-type]
    ):
        pass  # pragma: no cover


def test_unregister_names_what_is_not_a_client_or_a_plugin(client: Any) -> None:
    with pytest.raises(TypeError, match=r"^client must be a distributed\.Client"):
        sst_dask.unregister(None, sst_dask.GuardPlugin())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^plugin must be the GuardPlugin"):
        sst_dask.unregister(client, "safestride-guard-0")  # type: ignore[arg-type]
