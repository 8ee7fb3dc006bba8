"""Errors and reports as HTML: the same facts as the text, escaped, sane."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import as_strided as numpy_as_strided

import safestride
from safestride.core.extent import Allocation
from safestride.core.violation import Violation
from safestride.errors import MisalignedError, OutOfBoundsError, StrideError
from safestride.guard.callsite import CallSite
from safestride.guard.report import Report
from safestride.notebook.display import (
    BAR_WIDTH,
    MOST_DIMENSIONS,
    error_html,
    memory_picture,
    report_html,
    site_of,
)

HOSTILE = '<script>alert("x")</script>&"\''


class Markup(HTMLParser):
    """The tags, attributes and text of a page, as a browser would read them."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def words(self) -> str:
        return "".join(self.text)


def overrun() -> OutOfBoundsError:
    with pytest.raises(OutOfBoundsError) as caught:
        safestride.as_strided(np.zeros(3), shape=(4,), strides=(8,))
    return caught.value


def test_an_error_shows_the_facts_of_its_text_message() -> None:
    error = overrun()
    page = Markup(error_html(error))
    assert "OutOfBoundsError:" in page.words
    assert error.summary in page.words
    assert "8 bytes (~1 element) out of bounds, past the end" in page.words
    assert "shape (4,), strides (8,), itemsize 8 (float64)" in page.words
    assert "bytes [0, 24)" in page.words
    assert "bytes [0, 32)" in page.words
    assert "dimension 0 (size 4, stride 8)" in page.words
    assert "Likely cause: Off by one?" in page.words
    assert "What to do: compute strides from x.strides" in page.words
    assert "svg" in page.tags
    assert page.tags.count("rect") == 3


def test_the_site_is_the_callers_line_from_the_traceback() -> None:
    error = overrun()
    site = site_of(error)
    assert site is not None
    assert site.filename == __file__
    assert site.function == "overrun"
    assert "safestride.as_strided(np.zeros(3)" in site.source
    assert f"{__file__}:{site.lineno}" in Markup(error_html(error)).words


def test_the_site_of_code_shipped_by_value_names_its_file(tmp_path: Path) -> None:
    script = tmp_path / "pipeline.py"
    script.write_text(
        "import numpy as np\nimport safestride\n\ndef frames(x):\n"
        "    return safestride.as_strided(x, shape=(4,), strides=(8,))\n"
    )
    # What a dask worker runs: cloudpickle's copy, its file renamed.
    shipped = {"__name__": "__main__", "__file__": str(script)}
    exec(compile(script.read_text(), "<dynamic-code>", "exec"), shipped)
    with pytest.raises(OutOfBoundsError) as caught:
        shipped["frames"](np.zeros(3))  # type: ignore[operator]
    site = site_of(caught.value)
    assert site == CallSite(
        str(script),
        5,
        "frames",
        "return safestride.as_strided(x, shape=(4,), strides=(8,))",
    )


def test_the_guard_gives_its_error_the_site_it_reported() -> None:
    with (
        pytest.raises(OutOfBoundsError) as caught,
        safestride.guarded(policy="raise") as report,
    ):
        numpy_as_strided(np.zeros(3), shape=(5,), strides=(8,))
    assert caught.value.site == report.views[0].site
    assert site_of(caught.value) is caught.value.site


def test_an_error_without_numbers_shows_its_summary_alone() -> None:
    error = MisalignedError("the long message", summary="a view of objects")
    page = Markup(error_html(error))
    assert page.words == "MisalignedError: a view of objects"
    assert "svg" not in page.tags


def test_jupyter_finds_html_and_terminals_find_the_message() -> None:
    error = overrun()
    assert error._repr_html_() == error_html(error)
    printed: list[str] = []

    class Printer:
        def text(self, words: str) -> None:
            printed.append(words)

    error._repr_pretty_(Printer(), False)
    assert printed == [str(error)]


def hostile_violation() -> Violation:
    return Violation(
        shape=(4,),
        strides=(8,),
        itemsize=8,
        dtype=HOSTILE,
        bounds=HOSTILE,
        x_shape=None,
        x_strides=None,
        view_low=0,
        view_high=32,
        allowed=Allocation(0, 24, HOSTILE),
        overruns=(),
        causes=(HOSTILE,),
    )


def test_nothing_interpolated_can_inject_markup() -> None:
    error = OutOfBoundsError(hostile_violation(), summary=HOSTILE)
    site = CallSite(HOSTILE, 3, HOSTILE, HOSTILE)
    page = error_html(error, site)
    parsed = Markup(page)
    assert "script" not in parsed.tags
    assert set(parsed.tags) <= {
        "div", "b", "code", "pre", "svg", "rect", "title", "text", "line",
        "table", "tr", "th", "td", "ul", "li", "p",
    }  # fmt: skip
    assert not any(name.startswith("on") for name, _ in parsed.attributes)
    assert parsed.words.count(HOSTILE) >= 6  # shown, as text


def test_a_hostile_site_cannot_inject_markup_into_a_report() -> None:
    report = Report()
    report.add(CallSite(HOSTILE, 1, HOSTILE, HOSTILE), overrun())
    parsed = Markup(report_html(report))
    assert "script" not in parsed.tags
    assert HOSTILE in parsed.words


def test_non_ascii_names_pass_through() -> None:
    site = CallSite("/home/zoë/données.py", 7, "fenêtres_λ", "ответ = окна(x)")
    words = Markup(error_html(overrun(), site)).words
    assert "/home/zoë/données.py:7" in words
    assert "fenêtres_λ" in words
    assert "ответ = окна(x)" in words


def widths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'width="([-0-9.]+)"', svg)[1:]]


def xs(svg: str) -> list[float]:
    return [float(x) for x in re.findall(r' x="([-0-9.e+]+)"', svg)]


@pytest.mark.parametrize(
    ("view", "allowed"),
    [
        ((0, 32), (0, 24)),
        ((-16, 24), (0, 24)),
        ((0, 8 + 2**62), (0, 8)),  # huge: the array is a sliver, still drawn
        ((0, 2**20 + 8), (0, 2**20)),  # 8 bytes past a MiB: the overrun shows
        ((0, 0), (0, 0)),
    ],
)
def test_the_picture_stays_on_its_canvas_and_shows_every_part(
    view: tuple[int, int], allowed: tuple[int, int]
) -> None:
    svg = memory_picture(view, allowed)
    canvas = float(re.search(r'width="([0-9.]+)"', svg)[1])  # type: ignore[index]
    assert all(w >= 3 for w in widths(svg)), "every part at least 3 pixels"
    assert all(0 <= x <= canvas for x in xs(svg))
    assert max(x + w for x, w in zip(xs(svg), widths(svg), strict=False)) <= canvas
    assert f"bytes [{view[0]}, {view[1]})" in svg


def test_the_labels_of_offsets_near_2_63_have_room() -> None:
    label = f"bytes [{-(2**63)}, 24)"
    svg = memory_picture((-(2**63), 24), (0, 24))
    canvas = float(re.search(r'width="([0-9.]+)"', svg)[1])  # type: ignore[index]
    start = float(re.findall(r'<text x="([0-9.]+)"', svg)[-1])
    assert canvas - start >= 7 * len(label)  # 12px digits are narrower than 7px
    assert label in svg


def test_the_bars_use_one_scale() -> None:
    svg = memory_picture((0, 40), (0, 20))
    memory, view, past = widths(svg)[:3]
    assert view == pytest.approx(BAR_WIDTH)
    assert memory == pytest.approx(BAR_WIDTH / 2)
    assert past == pytest.approx(BAR_WIDTH / 2)


def test_a_32_dimensional_view_stays_readable() -> None:
    x = np.zeros(2)
    most = 32  # numpy 1's limit; numpy 2 allows 64
    shape, strides = (2,) * most, (8,) * most
    with pytest.raises(OutOfBoundsError) as caught:
        safestride.as_strided(x, shape=shape, strides=strides)
    error = caught.value
    assert len(error.overruns) > MOST_DIMENSIONS
    page = Markup(error_html(error))
    assert page.tags.count("li") == MOST_DIMENSIONS + 1
    more = len(error.overruns) - MOST_DIMENSIONS
    assert f"and {more} more dimensions (the text message lists all)" in page.words
    assert page.tags.count("svg") == 1
    assert page.tags.count("rect") == 3
    assert len(error_html(error)) < 20_000


def test_a_foreign_element_is_pointed_at() -> None:
    x = np.zeros((3, 3))[:, 0]
    with pytest.raises(StrideError) as caught:
        safestride.as_strided(x, shape=(3,), strides=(8,), bounds="elements")
    page = Markup(error_html(caught.value))  # type: ignore[arg-type]
    assert "line" in page.tags
    assert "not elements of x" in page.words


def test_a_report_lists_each_site_with_its_picture() -> None:
    with safestride.guarded(policy="record") as report:
        numpy_as_strided(np.zeros(3), shape=(4,), strides=(8,))
        for _ in range(2):
            numpy_as_strided(np.zeros(2), shape=(3,), strides=(8,))
    page = Markup(report._repr_html_())
    assert report.summary() in page.words
    assert page.words.count(__file__) == 2
    assert "(made once)" in page.words
    assert "(made twice)" in page.words
    assert page.tags.count("svg") == 2


def test_a_view_from_other_processes_shows_its_workers_and_picture() -> None:
    with safestride.guarded(policy="record") as found:
        numpy_as_strided(np.zeros(3), shape=(4,), strides=(8,))
    workers = ["tcp://10.0.0.1:4000", "tcp://10.0.0.2:4000"]
    report = Report()
    report.merge([{**view.to_dict(), "workers": workers} for view in found])
    page = Markup(report_html(report))
    assert "on 2 workers: tcp://10.0.0.1:4000, tcp://10.0.0.2:4000" in page.words
    assert page.tags.count("svg") == 1
    assert "bytes [0, 32)" in page.words
    assert "dimension 0 (size 4, stride 8)" in page.words  # the text's facts


def test_an_empty_report_is_one_line() -> None:
    assert Markup(report_html(Report(checked=3))).words == (
        "safestride: no unsafe views (3 as_strided calls checked)"
    )


def test_a_report_prints_its_listing_in_a_terminal() -> None:
    printed: list[str] = []

    class Printer:
        def text(self, words: str) -> None:
            printed.append(words)

    report = Report(checked=1)
    report._repr_pretty_(Printer(), False)
    assert printed == [report.render()]
