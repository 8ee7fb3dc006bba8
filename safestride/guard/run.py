"""``safestride run``: run a program exactly as python would, with the guard on."""

from __future__ import annotations

import json
import multiprocessing.util
import os
import runpy
import signal
import sys
import tempfile
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from safestride import guard
from safestride.errors import StrideError
from safestride.guard.callsite import CallSite
from safestride.guard.report import Report, UnsafeView
from safestride.options import Bounds, Policy

ENVIRONMENT = "SAFESTRIDE_GUARD"
BOOT_DIRECTORY = str(Path(__file__).resolve().parent / "_boot")

#: Exit code when the program succeeded but made unsafe views.
UNSAFE_VIEWS_EXIT = 3


@dataclass(frozen=True)
class RunOptions:
    """How to run the program and what to do with what the guard finds."""

    target: str
    arguments: tuple[str, ...]
    module: bool = False
    policy: Policy = "raise"
    bounds: Bounds = "array"
    report_path: str | None = None
    exit_zero: bool = False


@dataclass
class SpoolReport(Report):
    """A child process's report that also appends to the parent's spool file.

    Each unsafe view is written when first seen, at every count up to 16 and
    at powers of two after that, so the parent learns of it even if the child
    dies abruptly; `close` writes the exact counts at exit or on SIGTERM (a
    pool's workers are terminated, not asked to exit).
    """

    path: str = ""

    def add(self, site: CallSite, error: StrideError, count: int = 1) -> UnsafeView:
        view = super().add(site, error, count)
        if view.count <= 16 or view.count & (view.count - 1) == 0:
            self._write({**view.to_dict(), "pid": os.getpid()})
        return view

    def close(self) -> None:
        """Write the exact counts and how many calls were checked."""
        guard.settle(self)
        for view in self.views:
            self._write({**view.to_dict(), "pid": os.getpid()})
        self._write({"pid": os.getpid(), "checked": self.checked})
        self.checked = 0

    def _write(self, record: dict[str, object]) -> None:
        with open(self.path, "a") as out:
            out.write(json.dumps(record) + "\n")


#: Spool reports stay referenced: multiprocessing keeps only weak references.
_SPOOLS: list[SpoolReport] = []


def _spool_in_this_process(spool: str) -> None:
    """Install the guard here with a report spooled to the parent."""
    settings = json.loads(os.environ[ENVIRONMENT])
    guard.uninstall()  # a forked child inherits the parent's guard and reports
    guard.install(settings["policy"], settings["bounds"])
    report = SpoolReport(path=os.path.join(spool, f"{os.getpid()}.jsonl"))
    _SPOOLS.append(report)
    guard.add_collector(report)
    multiprocessing.util.Finalize(report, report.close, exitpriority=100)
    _close_on_sigterm(report)


def _close_on_sigterm(report: SpoolReport) -> None:
    """Flush the report when terminated, then die of SIGTERM as before.

    Only where nobody else handles SIGTERM, and only from the main thread.
    """
    is_main = threading.current_thread() is threading.main_thread()
    if not is_main or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        return

    def flush_then_die(signum: int, frame: object) -> None:
        report.close()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, flush_then_die)


def _after_fork(spool: _ForkWatch) -> None:
    _spool_in_this_process(spool.directory)


@dataclass(eq=False)
class _ForkWatch:
    directory: str


_WATCHES: list[_ForkWatch] = []


def _watch_forks(spool: str) -> None:
    """Make forked children (fork start method) spool a report of their own."""
    watch = _ForkWatch(spool)
    _WATCHES.append(watch)
    multiprocessing.util.register_after_fork(watch, _after_fork)


def start_child() -> None:
    """Install the guard in a spawned child process (from sitecustomize)."""
    spool = json.loads(os.environ[ENVIRONMENT])["spool"]
    _spool_in_this_process(spool)
    _watch_forks(spool)


def _merge_children(report: Report, spool: str) -> None:
    """Add what child processes spooled: the last count of each view per child."""
    latest: dict[tuple[object, ...], dict[str, object]] = {}
    for path in sorted(Path(spool).glob("*.jsonl")):
        for line in path.read_text().splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line cut short by a killed child
            if "checked" in record:
                report.checked += record["checked"]
                continue
            key = (
                record["pid"],
                record["file"],
                record["line"],
                str(record.get("shape")),
                str(record.get("strides")),
                record.get("dtype"),
                record["message"],
            )
            latest[key] = record
    report.merge([dict(record) for record in latest.values()])


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _print_user_traceback(
    kind: type[BaseException], error: BaseException, tb: TracebackType | None
) -> None:
    """The traceback python would print, without safestride's and runpy's frames."""
    ours = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frames = [
        frame
        for frame in traceback.extract_tb(tb)
        if not frame.filename.startswith(ours)
        and frame.filename not in (runpy.__file__, "<frozen runpy>")
    ]
    lines = ["Traceback (most recent call last):\n"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(kind, error)
    sys.stderr.write("".join(lines))


def _run_target(options: RunOptions) -> int:
    sys.argv = [options.target, *options.arguments]
    try:
        if options.module:
            sys.path[0] = os.getcwd()
            runpy.run_module(options.target, run_name="__main__", alter_sys=True)
        else:
            sys.path[0] = os.path.dirname(os.path.abspath(options.target))
            runpy.run_path(options.target, run_name="__main__")
    except SystemExit as stop:
        return _exit_code(stop.code)
    except KeyboardInterrupt:
        _print_user_traceback(*sys.exc_info())
        return 130
    except BaseException:  # the program's own error: report it as python would
        _print_user_traceback(*sys.exc_info())
        return 1
    return 0


def run_program(options: RunOptions) -> int:
    """Run `options.target` under the guard; print the report; return the exit code."""
    if not options.module and not os.path.exists(options.target):
        print(
            f"safestride run: cannot find {options.target!r}: give a script path, "
            f"or -m for a module.",
            file=sys.stderr,
        )
        return 2
    spool = tempfile.mkdtemp(prefix="safestride-")
    settings = {"policy": options.policy, "bounds": options.bounds, "spool": spool}
    os.environ[ENVIRONMENT] = json.dumps(settings)
    previous_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (BOOT_DIRECTORY, previous_path) if p
    )
    report = guard.install(options.policy, options.bounds)
    _watch_forks(spool)
    try:
        code = _run_target(options)
    finally:
        guard.uninstall()
        os.environ.pop(ENVIRONMENT, None)
        if previous_path is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = previous_path
    _merge_children(report, spool)
    sys.stdout.flush()
    print(report.render() if len(report) else report.summary(), file=sys.stderr)
    if options.report_path:
        Path(options.report_path).write_text(report.to_json())
    if code == 0 and len(report) and not options.exit_zero:
        return UNSAFE_VIEWS_EXIT
    return code
