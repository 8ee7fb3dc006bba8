"""The safestride pytest plugin: ``pytest --safestride``.

Inactive unless asked for, so installing safestride changes nobody's test run:
``--safestride`` (fail tests that make unsafe views), ``--safestride=warn``
(only warn), or the ini option ``safestride = raise|warn|off``, with
``safestride_bounds = elements|array|buffer`` (elements by default). Per
test, the markers ``@pytest.mark.safestride(policy=..., bounds=...)`` and
``@pytest.mark.no_safestride``; the ``safestride_report`` fixture gives a test
the unsafe views made during it. When active, every phase of a test is
checked: its fixtures' setup and teardown (of any scope) as well as its body,
and a view a fixture made is put down to the tests that use the fixture.
safestride itself (and so numpy) is imported only once the plugin is active
or the fixture is used.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:
    from safestride.guard.report import Report

from safestride.options import (
    BOUNDS_CHOICES,
    DEFAULT_BOUNDS,
    DEFAULT_LIBRARY_BOUNDS,
    PLUGIN_MODE_MEANINGS,
    PLUGIN_MODES,
    Bounds,
    PluginMode,
    Policy,
    choose,
    parse_bounds,
    parse_plugin_mode,
)

PROPERTY = "safestride"
REPORT_KEY = pytest.StashKey["Report"]()
GUARD_KEY = pytest.StashKey[dict[str, Any]]()
SETTINGS_KEY = pytest.StashKey[tuple[PluginMode, Bounds]]()
#: Tests whose marker is wrong (in xdist workers, where the run cannot stop).
MARKER_PROBLEMS_KEY = pytest.StashKey[dict[str, str]]()
#: The keywords ``@pytest.mark.safestride`` takes, with what each sets.
MARKER_KEYWORDS: Mapping[str, str] = {
    "policy": f"sets {' | '.join(map(repr, PLUGIN_MODES))} for this test",
    "bounds": f"sets {' | '.join(map(repr, BOUNDS_CHOICES))} for this test",
}
_Word = TypeVar("_Word", bound=str)


def _words(default: Bounds) -> str:
    """The bounds words for --help and ini help, the default first and named."""
    rest = [word for word in BOUNDS_CHOICES if word != default]
    return f"{default} (default), {', '.join(rest[:-1])} or {rest[-1]}"


_BOUNDS_WORDS = _words(DEFAULT_BOUNDS)


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
        help=f"what a view made by your own code may touch: {_BOUNDS_WORDS}",
    )
    parser.addini("safestride", "raise, warn or off (default off)", default="off")
    parser.addini("safestride_bounds", _BOUNDS_WORDS, default=DEFAULT_BOUNDS)
    parser.addini(
        "safestride_library_bounds",
        "what views made by installed code may touch: "
        + _words(DEFAULT_LIBRARY_BOUNDS),
        default=DEFAULT_LIBRARY_BOUNDS,
    )
    parser.addini(
        "safestride_suppressions",
        "known-benign call sites, one 'module:function  # reason' a line",
        type="linelist",
        default=[],
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
        "safestride(policy='raise'|'warn'|'off', bounds='array'|'buffer'|'elements'):"
        " check this test's strided views with these settings",
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
    config.stash[SETTINGS_KEY] = (mode, bounds)
    if mode != "off":
        _guard_settings(config)  # a bad ini value is a usage error up front
        config.pluginmanager.register(
            ActivePlugin(mode, bounds, config), "safestride-active"
        )


def _guard_settings(config: pytest.Config) -> dict[str, Any]:
    """``library_bounds`` and ``suppressions`` for `guarded`, from the ini file.

    Read when first needed (it loads the guard, and so numpy), then kept.
    """
    if GUARD_KEY in config.stash:
        return config.stash[GUARD_KEY]
    from safestride.guard.suppressions import Suppression

    given = config.getini("safestride_library_bounds")
    library_bounds = _usage(
        lambda: parse_bounds(given, name="safestride_library_bounds")
    )
    rules = []
    for line in config.getini("safestride_suppressions"):
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                rules.append(Suppression.parse(line, "safestride_suppressions"))
            except ValueError as error:
                raise pytest.UsageError(str(error)) from None
    settings = {"library_bounds": library_bounds, "suppressions": rules}
    config.stash[GUARD_KEY] = settings
    return settings


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say what the plugin does in this run, as pytest-randomly does."""
    lines = []
    mode, bounds = config.stash.get(SETTINGS_KEY, ("off", DEFAULT_BOUNDS))
    if mode != "off":
        lines.append(
            f"safestride: {mode}, bounds={bounds} (every as_strided is checked; "
            f"a test that makes an unsafe view: {PLUGIN_MODE_MEANINGS[mode]})"
        )
    guarding = os.environ.get("SAFESTRIDE_GUARD")
    if guarding:
        settings = json.loads(guarding)
        lines.append(
            f"safestride: every process guarded by `safestride run` (policy "
            f"{settings['policy']}, bounds {settings['bounds']})"
        )
    return lines


def _marker_settings(
    item: pytest.Item, mode: PluginMode, bounds: Bounds
) -> tuple[PluginMode, Bounds] | None:
    """(mode, bounds) for this test, or None when it opts out.

    Raises `pytest.UsageError` for a marker pytest would take silently: an
    unknown keyword (``polcy=``), a positional argument, a bad value.
    """
    if item.get_closest_marker("no_safestride") is not None:
        return None
    marker = item.get_closest_marker("safestride")
    if marker is not None:
        where = f"{item.nodeid}: @pytest.mark.safestride: "
        if marker.args:
            raise pytest.UsageError(
                f"{where}takes keywords only, got {marker.args!r}: write "
                f"@pytest.mark.safestride(policy='warn') or (bounds='buffer')."
            )
        for keyword in marker.kwargs:
            _usage(
                functools.partial(choose, keyword, MARKER_KEYWORDS, name="its keyword"),
                where,
            )
        policy = marker.kwargs.get("policy", mode)
        mode = _usage(lambda: parse_plugin_mode(policy, name="policy"), where)
        given = marker.kwargs.get("bounds", bounds)
        bounds = _usage(lambda: parse_bounds(given), where)
    if mode == "off":
        return None
    return mode, bounds


def pytest_collection_modifyitems(config: pytest.Config, items: list[Any]) -> None:
    """Check every test's markers before any test runs, active or not.

    A bad marker stops the run as a usage error; in a pytest-xdist worker,
    which cannot stop the run, it makes its test fail at setup instead.
    """
    mode, bounds = config.stash.get(SETTINGS_KEY, ("off", DEFAULT_BOUNDS))
    problems = config.stash.setdefault(MARKER_PROBLEMS_KEY, {})
    for item in items:
        try:
            _marker_settings(item, "raise" if mode == "off" else mode, bounds)
        except pytest.UsageError as error:
            if not hasattr(config, "workerinput"):
                raise
            problems[item.nodeid] = str(error)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    problem = item.config.stash.get(MARKER_PROBLEMS_KEY, {}).get(item.nodeid)
    if problem is not None:
        pytest.fail(f"usage error: {problem}", pytrace=False)


def _relative_nodeid(config: pytest.Config, nodeid: str) -> str:
    """`nodeid` relative to where pytest was started, as pytest lists it."""
    path, separator, rest = nodeid.partition("::")
    here = config.invocation_params.dir
    if path and here != config.rootpath:
        path = os.path.relpath(config.rootpath / path, here)
    return f"{path}{separator}{rest}"


def _relative_file(config: pytest.Config, filename: str) -> str:
    here = str(config.invocation_params.dir)
    if os.path.isabs(filename) and filename.startswith(here + os.sep):
        return os.path.relpath(filename, here)
    return filename


@dataclass
class _Fixture:
    """A fixture instance that made unsafe views, and who uses it."""

    name: str
    scope: str
    scope_nodeid: str
    baseid: str
    made_for: str
    users: list[str] = field(default_factory=list)
    setup_views: list[dict[str, Any]] = field(default_factory=list)

    def used_by(self, item: pytest.Item) -> bool:
        fixturenames = getattr(item, "fixturenames", ())
        return (
            self.name in fixturenames
            and item.nodeid.startswith(self.scope_nodeid)
            and item.nodeid.startswith(self.baseid)
        )

    @property
    def label(self) -> str:
        return f"fixture {self.name!r} ({self.scope} scope)"


@dataclass
class _Part:
    """The views one source made during a test phase: the test itself
    (`fixture` None) or one fixture's setup or teardown."""

    fixture: _Fixture | None
    report: Report


class _Phase:
    """Sorts the views of one phase of one test by what made them.

    The test's own report collects everything; besides it, exactly one
    collector at a time receives the views of whoever runs now.
    """

    def __init__(self, when: str) -> None:
        from safestride.guard import add_collector
        from safestride.guard.report import Report

        self.when = when
        self.parts = [_Part(None, Report())]
        self.current = self.parts[0]
        add_collector(self.current.report)

    def switch(self, fixture: _Fixture | None) -> _Part:
        """From now on the views are `fixture`'s (or the test's); returns the
        part that was collecting."""
        from safestride.guard import add_collector, remove_collector
        from safestride.guard.report import Report

        previous = self.current
        remove_collector(previous.report)
        self.current = _Part(fixture, Report())
        self.parts.append(self.current)
        add_collector(self.current.report)
        return previous

    def resume(self, part: _Part) -> None:
        """Give collecting back to `part` (see `switch`)."""
        from safestride.guard import add_collector, remove_collector

        remove_collector(self.current.report)
        self.current = part
        add_collector(part.report)

    def close(self) -> list[_Part]:
        """Stop collecting; the parts that found something."""
        from safestride.guard import remove_collector

        remove_collector(self.current.report)
        return [part for part in self.parts if len(part.report)]


class ActivePlugin:
    """The hooks that run when the plugin is switched on."""

    def __init__(self, mode: PluginMode, bounds: Bounds, config: pytest.Config) -> None:
        self.mode = mode
        self.bounds = bounds
        self.config = config
        self.found: list[tuple[str, str, dict[str, Any]]] = []
        self._phase: _Phase | None = None
        self._item: pytest.Item | None = None
        self._fixtures: dict[tuple[int, str], _Fixture] = {}

    def _guarded_phase(
        self, item: pytest.Item, when: str
    ) -> Generator[None, None, None]:
        if item.nodeid in item.config.stash.get(MARKER_PROBLEMS_KEY, {}):
            return (yield)  # failed at setup for its marker
        settings = _marker_settings(item, self.mode, self.bounds)
        if settings is None:
            return (yield)
        from safestride.guard import guarded
        from safestride.guard.report import Report

        mode, bounds = settings
        policy: Policy = "raise" if mode == "raise" else "warn"
        report = item.stash.setdefault(REPORT_KEY, Report())
        parts: list[_Part] = []
        extra = _guard_settings(item.config)
        with guarded(policy=policy, bounds=bounds, report=report, **extra):
            self._item, self._phase = item, _Phase(when)
            try:
                outcome = yield
            finally:
                parts = self._phase.close()
                self._item = self._phase = None
                if parts:
                    views = [v for part in parts for v in self._record(part, when)]
                    value = json.dumps({"when": when, "views": views})
                    item.user_properties.append((PROPERTY, value))
        messages = [self._failure(parts, when)]
        if when == "setup":
            messages.append(self._inherited(item))
        message = "\n\n".join(text for text in messages if text)
        if message and mode == "raise":
            pytest.fail(message, pytrace=False)
        return outcome

    def _failure(self, parts: list[_Part], when: str) -> str:
        """The failure message for the unsafe views of a test phase."""
        total = sum(len(part.report) for part in parts)
        if not total:
            return ""
        during = {
            "setup": "while setting up this test",
            "call": "during this test",
            "teardown": "while tearing down this test",
        }[when]
        lines = [
            f"safestride: {total} unsafe strided view{'s' if total > 1 else ''} "
            f"made {during}, which went on anyway (the error was caught):"
        ]
        for part in parts:
            fixture = part.fixture
            if fixture is not None:
                users = ""
                if when == "teardown" and fixture.users:
                    named = (_relative_nodeid(self.config, u) for u in fixture.users)
                    users = f", used by {', '.join(named)}"
                lines.append(f"\nin the {when} of {fixture.label}{users}:")
            lines.append(f"\n{part.report.render_views()}")
        return "\n".join(lines)

    def _record(self, part: _Part, when: str) -> list[dict[str, Any]]:
        fixture = part.fixture
        views = [view.to_dict() for view in part.report]
        if fixture is None:
            return views
        if when == "setup":
            fixture.setup_views = views
        extra = {
            "fixture": fixture.name,
            "scope": fixture.scope,
            "made_for": fixture.made_for,
            "users": list(fixture.users),
        }
        return [{**view, **extra} for view in views]

    def _inherited(self, item: pytest.Item) -> str:
        """Count `item` among the users of the higher-scoped fixtures it uses;
        say what they made when they were set up for an earlier test."""
        messages = []
        for fixture in self._fixtures.values():
            if fixture.made_for == item.nodeid or not fixture.used_by(item):
                continue
            if item.nodeid not in fixture.users:
                fixture.users.append(item.nodeid)
            if fixture.setup_views:
                count = len(fixture.setup_views)
                messages.append(
                    f"safestride: this test uses {fixture.label}, which made "
                    f"{count} unsafe strided view{'s' if count > 1 else ''} when "
                    f"it was set up for "
                    f"{_relative_nodeid(self.config, fixture.made_for)}: see that "
                    f"test's report."
                )
        return "\n".join(messages)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        return (yield from self._guarded_phase(item, "setup"))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        return (yield from self._guarded_phase(item, "call"))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, None, None]:
        return (yield from self._guarded_phase(item, "teardown"))

    def _fixture(self, fixturedef: Any, request: Any) -> _Fixture:
        scope_node = getattr(request, "node", None)
        scope_nodeid = getattr(scope_node, "nodeid", "")
        key = (id(fixturedef), scope_nodeid)
        found = self._fixtures.get(key)
        if found is None:
            item = self._item
            found = self._fixtures[key] = _Fixture(
                name=fixturedef.argname,
                scope=str(fixturedef.scope),
                scope_nodeid=scope_nodeid,
                baseid=str(getattr(fixturedef, "baseid", "")),
                made_for=item.nodeid if item is not None else "",
                users=[item.nodeid] if item is not None else [],
            )
        return found

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any, request: Any) -> Any:
        phase = self._phase
        if phase is None:
            return (yield)
        previous = phase.switch(self._fixture(fixturedef, request))
        try:
            return (yield)
        finally:
            phase.resume(previous)

    def pytest_fixture_post_finalizer(self, fixturedef: Any, request: Any) -> None:
        """The fixture's teardown is over: what was made since is its."""
        scope_node = getattr(request, "node", None)
        scope_nodeid = getattr(scope_node, "nodeid", "")
        fixture = self._fixtures.pop((id(fixturedef), scope_nodeid), None)
        phase = self._phase
        if phase is None or phase.when != "teardown":
            return
        if fixture is None:  # set up while not checked (no_safestride)
            fixture = _Fixture(
                fixturedef.argname, str(fixturedef.scope), scope_nodeid, "", ""
            )
        phase.current.fixture = fixture
        phase.switch(None)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for name, value in report.user_properties:
            if name != PROPERTY:
                continue
            found = json.loads(str(value))
            if found["when"] == report.when:
                for view in found["views"]:
                    self.found.append((report.nodeid, report.when, view))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.found:
            return
        terminalreporter.section("safestride: unsafe strided views", sep="=")
        for nodeid, when, view in self.found:
            times = "once" if view["count"] == 1 else f"{view['count']} times"
            where = _relative_file(self.config, view["file"])
            who = _relative_nodeid(self.config, nodeid)
            if "fixture" in view:
                users = [_relative_nodeid(self.config, u) for u in view["users"]]
                who = ", ".join(users) if users else who
                who += f" (fixture {view['fixture']!r} {when})"
            elif when != "call":
                who += f" ({when})"
            terminalreporter.write_line(
                f"{who}: {where}:{view['line']} ({times}): {view['summary']}"
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
    extra = _guard_settings(node.config)
    with guarded(policy="record", bounds=bounds, report=report, **extra):
        yield report
