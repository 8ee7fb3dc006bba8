"""The safestride pytest plugin: ``pytest --safestride``.

Inactive unless asked for, so installing safestride changes nobody's test run:
``--safestride`` (fail tests that make unsafe views), ``--safestride=warn``
(only warn), or the ini option ``safestride = raise|warn|off``, with
``safestride_bounds = array|buffer|elements``. Per test, the markers
``@pytest.mark.safestride(policy=..., bounds=...)`` and
``@pytest.mark.no_safestride``; the ``safestride_report`` fixture gives a test
the unsafe views made during it. safestride itself (and so numpy) is imported
only once the plugin is active or the fixture is used.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:
    from safestride.guard.report import Report

from safestride.options import (
    BOUNDS_CHOICES,
    PLUGIN_MODES,
    Bounds,
    PluginMode,
    Policy,
    parse_bounds,
    parse_plugin_mode,
)

PROPERTY = "safestride"
REPORT_KEY = pytest.StashKey["Report"]()
_Word = TypeVar("_Word", bound=str)


def _usage(parse: Callable[[], _Word], where: str = "") -> _Word:
    """Run an option parser; turn its ValueError into pytest's usage error."""
    try:
        return parse()
    except ValueError as error:
        raise pytest.UsageError(f"{where}{error}") from None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("safestride", "safestride: checked stride tricks")
    group.addoption(
        "--safestride",
        nargs="?",
        const="raise",
        default=None,
        metavar="raise|warn|off",
        help="check every as_strided made by the tests: fail tests that make "
        "unsafe views (raise, the default), only warn, or off",
    )
    group.addoption(
        "--safestride-bounds",
        choices=BOUNDS_CHOICES,
        default=None,
        help="what a view may touch: array (default), buffer or elements",
    )
    parser.addini("safestride", "raise, warn or off (default off)", default="off")
    parser.addini(
        "safestride_bounds", "array (default), buffer or elements", default="array"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    """Let ``--safestride`` stand before a path: ``pytest --safestride tests/``.

    The option takes an optional value, so argparse would swallow the path as
    the mode. Runs before the final parse, so rewriting `args` in place works.
    """
    for position, argument in enumerate(args[:-1]):
        following = args[position + 1]
        is_path = following not in PLUGIN_MODES and not following.startswith("-")
        if argument == "--safestride" and is_path:
            args[position] = "--safestride=raise"


def pytest_configure(config: pytest.Config) -> None:

    config.addinivalue_line(
        "markers",
        "safestride(policy='raise'|'warn', bounds='array'|'buffer'|'elements'): "
        "check this test's strided views with these settings",
    )
    config.addinivalue_line(
        "markers", "no_safestride: do not check this test's strided views"
    )
    given = config.getoption("safestride") or config.getini("safestride")
    mode = _usage(lambda: parse_plugin_mode(given))
    ini_bounds = config.getoption("safestride_bounds") or config.getini(
        "safestride_bounds"
    )
    bounds = _usage(lambda: parse_bounds(ini_bounds, name="safestride_bounds"))
    if mode != "off":
        config.pluginmanager.register(ActivePlugin(mode, bounds), "safestride-active")


def _settings(
    item: pytest.Item, mode: PluginMode, bounds: Bounds
) -> tuple[PluginMode, Bounds] | None:
    """(mode, bounds) for this test, or None when it opts out."""
    if item.get_closest_marker("no_safestride") is not None:
        return None
    marker = item.get_closest_marker("safestride")
    if marker is not None:
        where = f"{item.nodeid}: @pytest.mark.safestride: "
        policy = marker.kwargs.get("policy", mode)
        mode = _usage(lambda: parse_plugin_mode(policy, name="policy"), where)
        given = marker.kwargs.get("bounds", bounds)
        bounds = _usage(lambda: parse_bounds(given), where)
    if mode == "off":
        return None
    return mode, bounds


class ActivePlugin:
    """The hooks that run when the plugin is switched on."""

    def __init__(self, mode: PluginMode, bounds: Bounds) -> None:
        self.mode = mode
        self.bounds = bounds
        self.found: list[tuple[str, dict[str, Any]]] = []

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        settings = _settings(item, self.mode, self.bounds)
        if settings is None:
            return (yield)
        from safestride.guard import guarded
        from safestride.guard.report import Report

        mode, bounds = settings
        report = item.stash.setdefault(REPORT_KEY, Report())
        policy: Policy = "raise" if mode == "raise" else "warn"
        with guarded(policy=policy, bounds=bounds, report=report):
            try:
                outcome = yield
            finally:
                if len(report):
                    item.user_properties.append((PROPERTY, report.to_json()))
        if len(report) and mode == "raise":
            count = len(report)
            pytest.fail(
                f"safestride: {count} unsafe strided view{'s' if count > 1 else ''} "
                f"made during this test, which went on anyway (the error was "
                f"caught):\n\n{report.render_views()}",
                pytrace=False,
            )
        return outcome

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties:
            if name == PROPERTY and report.when == "call":
                for view in json.loads(str(value))["unsafe_views"]:
                    self.found.append((report.nodeid, view))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.found:
            return
        terminalreporter.section("safestride: unsafe strided views", sep="=")
        for nodeid, view in self.found:
            times = "once" if view["count"] == 1 else f"{view['count']} times"
            terminalreporter.write_line(
                f"{nodeid}: {view['file']}:{view['line']} ({times}): {view['summary']}"
            )


@pytest.fixture
def safestride_report(request: pytest.FixtureRequest) -> Iterator[Report]:
    """The unsafe strided views made during this test, as a `safestride.Report`.

    Works with or without ``--safestride``: without it, the test's views are
    recorded (never raised) for the test to inspect.
    """
    from safestride.guard import guarded
    from safestride.guard.report import Report

    node = request.node
    report = node.stash.setdefault(REPORT_KEY, Report())
    if node.config.pluginmanager.has_plugin("safestride-active"):
        yield report
        return
    given = node.config.getini("safestride_bounds")
    bounds = _usage(lambda: parse_bounds(given, name="safestride_bounds"))
    with guarded(policy="record", bounds=bounds, report=report):
        yield report
