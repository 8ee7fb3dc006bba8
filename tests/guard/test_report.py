"""The guard's report: distinct views stay distinct, listings group them by
call site, and its counts never contradict each other."""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided

from safestride import guarded, uninstall
from safestride.guard.callsite import CallSite
from safestride.guard.report import Report, ReportedElsewhereError


@pytest.fixture(autouse=True)
def _always_uninstall() -> Iterator[None]:
    yield
    uninstall()


def overruns(sizes: tuple[int, ...]) -> Report:
    with guarded(policy="record") as report:
        for size in sizes:
            as_strided(np.arange(float(size)), shape=(8,), strides=(8,))
    return report


def test_views_of_arrays_of_other_sizes_stay_distinct() -> None:
    report = overruns((4, 5, 6))
    assert len(report) == 3
    assert [view.count for view in report] == [1, 1, 1]
    records = json.loads(report.to_json())["unsafe_views"]
    assert [record["bytes_past_end"] for record in records] == [32, 24, 16]
    assert [record["x_shape"] for record in records] == [[4], [5], [6]]


def test_the_same_view_made_again_is_counted() -> None:
    report = overruns((5, 5, 5))
    (view,) = report.views
    assert view.count == 3


def test_listing_has_one_entry_per_call_site_with_its_worst_view() -> None:
    report = overruns((5, 4, 6, 6))
    (site,) = report.sites()
    assert site.count == 4
    assert site.worst.overrun == 32
    text = report.render()
    assert text.count("in overruns (3 distinct views, made 4 times; the worst):") == 1
    assert text.count("What to do:") == 1
    assert "read 32 bytes (~4 elements) out of bounds, past the end" in text


def test_listing_without_diagnoses_keeps_the_first_sentence() -> None:
    text = overruns((4,)).render(diagnoses=False)
    assert "read 32 bytes (~4 elements) out of bounds, past the end" in text
    assert "What to do:" not in text
    assert "--report FILE.json" in text


def test_summary_counts_agree_while_collecting() -> None:
    with guarded(policy="record") as report:
        as_strided(np.arange(4.0), shape=(5,), strides=(8,))
        during = report.summary()
    assert during == (
        "safestride: 1 unsafe view at 1 call site, made once "
        "(1 as_strided call checked)"
    )
    assert report.summary() == during
    assert json.loads(report.to_json())["checked"] == 1


def test_summary_words_agree_in_number() -> None:
    report = overruns((5, 5))
    assert report.summary() == (
        "safestride: 1 unsafe view at 1 call site, made twice "
        "(2 as_strided calls checked)"
    )
    assert Report(checked=1).summary() == (
        "safestride: no unsafe views (1 as_strided call checked)"
    )


def test_uncounted_processes_make_checked_a_lower_bound() -> None:
    report = Report(checked=3, uncounted=1)
    assert report.summary() == (
        "safestride: no unsafe views (at least 3 as_strided calls checked: "
        "1 process ended before counting its own)"
    )
    assert json.loads(report.to_json())["checked_complete"] is False


def test_records_from_other_processes_merge_by_view() -> None:
    records = json.loads(overruns((4, 5)).to_json())["unsafe_views"]
    merged = Report()
    merged.merge(records)
    merged.merge(records[:1])
    assert [view.count for view in merged] == [2, 1]
    assert all(isinstance(view.error, ReportedElsewhereError) for view in merged)
    assert merged.sites()[0].worst.overrun == 32
    assert merged.views[0].kind == "OutOfBoundsError"


def test_record_says_whether_the_line_is_new() -> None:
    report = overruns((4,))
    error = report.views[0].error
    here = CallSite("a.py", 3, "f", "")
    assert report.record(here, error) is True
    assert report.record(here, error) is False
    assert report.record(CallSite("a.py", 4, "f", ""), error) is True


def test_the_same_view_from_several_workers_names_them_all() -> None:
    [record] = json.loads(overruns((4,)).to_json())["unsafe_views"]
    merged = Report()
    merged.merge([{**record, "workers": ["tcp://b:1"]}])
    merged.merge([{**record, "workers": ["tcp://a:1", "tcp://b:1"]}])
    [view] = merged.views
    assert view.count == 2
    assert view.workers == ("tcp://a:1", "tcp://b:1")
    assert merged.sites()[0].workers == ("tcp://a:1", "tcp://b:1")
    assert "   on 2 workers: tcp://a:1, tcp://b:1\n" in merged.render()
    assert record.get("workers") is None  # the caller's records are left alone


def test_views_made_here_name_no_worker() -> None:
    report = overruns((4,))
    assert report.views[0].workers == ()
    assert " on " not in report.render().splitlines()[2]
