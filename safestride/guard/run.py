"""``safestride run``: run a program exactly as python would, with the guard on.

The ``safestride run`` process is a supervisor: it starts the program as
``python script.py ...`` (or ``python -m module ...``, ``python - ...``) in a
child process whose ``sitecustomize`` (in ``_boot/``, put on PYTHONPATH)
installs the guard before the program's first line. Every guarded process,
the program and its children alike, appends what it finds to a spool file of
its own as it finds it. However the program ends (an exception, ``os._exit``,
a signal, a crash), the supervisor outlives it, reads the spool, prints the
report, and ends as the program ended: with its exit code, or killed by the
same signal.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.machinery
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from safestride import guard
from safestride.errors import StrideError
from safestride.guard.callsite import CallSite
from safestride.guard.report import Report, UnsafeView
from safestride.guard.suppressions import read_file
from safestride.options import DEFAULT_BOUNDS, DEFAULT_LIBRARY_BOUNDS, Bounds, Policy

ENVIRONMENT = "SAFESTRIDE_GUARD"
BOOT_DIRECTORY = str(Path(__file__).resolve().parent / "_boot")

#: Exit code when the program succeeded but made unsafe views.
UNSAFE_VIEWS_EXIT = 3
#: Exit code for a bad ``safestride run`` command line.
USAGE_EXIT = 2
#: The target that makes python read the program from standard input.
STDIN = "-"


@dataclass(frozen=True)
class RunOptions:
    """How to run the program and what to do with what the guard finds.

    `target` is a script path, a module name (with `module`), or ``"-"`` for
    a program read from standard input.
    """

    target: str
    arguments: tuple[str, ...]
    module: bool = False
    policy: Policy = "raise"
    bounds: Bounds = DEFAULT_BOUNDS
    library_bounds: Bounds = DEFAULT_LIBRARY_BOUNDS
    suppressions_path: str | None = None
    report_path: str | None = None
    keep_exit_code: bool = False


class RunUsageError(ValueError):
    """A ``safestride run`` request that cannot start: found before the
    program runs, so nothing of it is lost."""

    def __init__(self, message: str, *, summary: str) -> None:
        super().__init__(message)
        self.summary = summary


# --- before the program starts ------------------------------------------------


def _module_exists(name: str) -> bool:
    """Whether ``python -m name`` can find the top package of `name`, looking
    where that python would (the current directory first), importing nothing."""
    top = name.split(".")[0]
    if top in sys.builtin_module_names or top in sys.modules:
        return True
    if importlib.machinery.FrozenImporter.find_spec(top) is not None:
        return True
    search = [os.getcwd(), *sys.path[1:]]
    return importlib.machinery.PathFinder.find_spec(top, search) is not None


def check_options(options: RunOptions) -> None:
    """Refuse, before anything runs, what would fail only after the program.

    Raises
    ------
    RunUsageError
        The script or the module's package does not exist, or the report
        file cannot be written.
    """
    target = options.target
    if options.module:
        if not _module_exists(target):
            top = target.split(".")[0]
            raise RunUsageError(
                f"-m {target}: no module named {top!r} in the current directory "
                f"or on sys.path ({sys.executable}). Check the spelling, or run "
                f"from the directory that holds it.",
                summary=f"no module named {top!r}",
            )
    elif target != STDIN and not os.path.exists(target):
        raise RunUsageError(
            f"cannot find {target!r}: give a script path, -m for a module, or - "
            f"to read the program from standard input.",
            summary=f"cannot find {target!r}",
        )
    if options.report_path is not None:
        _check_writable(options.report_path)
    _suppressions(options)


def _suppressions(options: RunOptions) -> list[str]:
    """The rules of ``--suppressions FILE``, read before the program starts."""
    if options.suppressions_path is None:
        return []
    try:
        rules = read_file(options.suppressions_path)
    except OSError as error:
        raise RunUsageError(
            f"--suppressions {options.suppressions_path}: cannot read it "
            f"({error.strerror}).",
            summary=f"cannot read {options.suppressions_path!r}",
        ) from None
    except ValueError as error:
        raise RunUsageError(str(error), summary="a malformed suppression") from None
    return [f"{rule.name}  # {rule.reason}" for rule in rules]


def _check_writable(path: str) -> None:
    where = Path(path)
    folder = where.parent
    problem = None
    if where.is_dir():
        problem = "it is a directory"
    elif not folder.is_dir():
        problem = f"its directory {str(folder)!r} does not exist"
    elif not os.access(folder, os.W_OK) or (
        where.exists() and not os.access(where, os.W_OK)
    ):
        problem = "it is not writable"
    if problem is not None:
        raise RunUsageError(
            f"--report {path}: cannot write the report there: {problem}. Give a "
            f"file path in an existing, writable directory.",
            summary=f"cannot write the report to {path!r}",
        )


# --- in every guarded process -------------------------------------------------


@dataclass(eq=False)
class SpoolReport(Report):
    """A guarded process's report, appended to a spool file as it grows.

    The first time a view is made its whole record is written; every later
    time, a short line with its count and the calls checked so far. So what
    the process found is on disk however it ends. `close` writes the final
    count of checked calls (at exit, in ``os._exit``, on SIGTERM); a spool
    without it comes from a process that ended abruptly.
    """

    directory: str = ""
    program: bool = False
    pid: int = field(default_factory=os.getpid)
    _numbers: dict[int, int] = field(default_factory=dict)
    _file: int | None = None
    _closed: bool = False
    _write_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def _store(
        self, site: CallSite, error: StrideError, count: int
    ) -> tuple[UnsafeView, bool]:
        view, first_at_line = super()._store(site, error, count)
        self._spool(view)
        return view, first_at_line

    def _spool(self, view: UnsafeView) -> None:
        if os.getpid() != self.pid:  # a forked child spools to its own report
            return
        self._settle()
        with self._write_lock:
            number = self._numbers.get(id(view))
            line: dict[str, object] = {"checked": self.checked, "count": view.count}
            if number is None:
                number = self._numbers[id(view)] = len(self._numbers)
                line["record"] = view.to_dict()
            self._write({"view": number, **line})

    def add_suppressed(self, rule: str, count: int = 1) -> None:
        super().add_suppressed(rule, count)
        if os.getpid() != self.pid:
            return
        with self._write_lock:
            self._write({"suppressed": {rule: self.suppressed[rule]}})

    def open(self) -> None:
        """Create the spool file now (a process killed before finding
        anything still leaves one, so its count is known to be missing)."""
        with self._write_lock:
            self._ensure_file()

    def close(self) -> None:
        """Write how many calls were checked; later views are still spooled."""
        if os.getpid() != self.pid or self._closed:
            return
        self._settle()
        with self._write_lock:
            self._write({"checked": self.checked, "closed": True})
            self._closed = True

    def _ensure_file(self) -> int | None:
        if self._file is None:
            try:
                handle, _ = tempfile.mkstemp(
                    ".jsonl", f"{self.pid}-", dir=self.directory
                )
            except OSError as error:
                _spool_failed(error)
                return None
            self._file = handle
            header = {"pid": self.pid, "program": self.program, "started": time.time()}
            self._write(header)
        return self._file

    def _write(self, record: Mapping[str, object]) -> None:
        handle = self._ensure_file()
        if handle is None:
            return
        try:
            os.write(handle, (json.dumps(record) + "\n").encode())
        except OSError as error:
            _spool_failed(error)


def _spool_failed(error: OSError) -> None:
    print(
        f"safestride: cannot write this process's report to the spool of "
        f"`safestride run` ({error}); its unsafe views will be missing.",
        file=sys.stderr,
    )


@dataclass
class _ChildState:
    """This process's spooling: its settings and its report."""

    settings: dict[str, Any]
    report: SpoolReport | None = None


_child: _ChildState | None = None


def _begin_report(settings: dict[str, Any], *, program: bool) -> SpoolReport:
    """Start a spool report here; outside the program itself (in its
    children), flush it when terminated, as pool workers are."""
    report = SpoolReport(directory=settings["spool"], program=program)
    guard.add_collector(report)
    if not program:
        _close_on_sigterm(report)
    return report


def _close_current() -> None:
    if _child is not None and _child.report is not None:
        _child.report.close()


def _close_on_sigterm(report: SpoolReport) -> None:
    """Flush the report when terminated, then die of SIGTERM as before.

    Only where nobody else handles SIGTERM, and only from the main thread.
    """
    is_main = threading.current_thread() is threading.main_thread()
    if not is_main or signal.getsignal(signal.SIGTERM) != signal.SIG_DFL:
        return

    def flush_then_die(signum: int, frame: FrameType | None) -> None:
        report.close()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, flush_then_die)


def _after_fork_in_child() -> None:
    """A forked child inherits its parent's report: give it one of its own."""
    if _child is None or _child.report is None:
        return
    guard.remove_collector(_child.report)
    _child.report = _begin_report(_child.settings, program=False)


def _flushing_exit(real_exit: Callable[[int], NoReturn]) -> Callable[[int], NoReturn]:
    @functools.wraps(real_exit)
    def _exit(status: int) -> NoReturn:
        _close_current()
        real_exit(status)

    return _exit


def start_child() -> None:
    """Install the guard in this process and spool its report (called by
    ``sitecustomize`` in every process ``safestride run`` starts, directly
    or through the program)."""
    global _child
    if _child is not None:
        return
    settings = json.loads(os.environ[ENVIRONMENT])
    program = os.getppid() == settings["supervisor"]
    guard.install(
        settings["policy"],
        settings["bounds"],
        library_bounds=settings["library_bounds"],
        suppressions=settings["suppressions"],
    )
    _child = _ChildState(settings)
    _child.report = _begin_report(settings, program=program)
    _child.report.open()
    atexit.register(_close_current)
    os._exit = _flushing_exit(os._exit)  # type: ignore[assignment]
    if hasattr(os, "register_at_fork"):  # not on Windows
        os.register_at_fork(after_in_child=_after_fork_in_child)


# --- in the supervisor --------------------------------------------------------


def _started(path: Path) -> tuple[bool, float]:
    """(not the program, start time) of a spool: the program's comes first."""
    with path.open() as lines:
        try:
            header = json.loads(lines.readline())
        except ValueError:
            return (True, float("inf"))
    return (not header.get("program", False), float(header.get("started", 0.0)))


def _read_spool(path: Path, report: Report) -> None:
    """Add one process's spool to `report`: each view at its highest count."""
    records: dict[int, dict[str, Any]] = {}
    counts: dict[int, int] = {}
    checked, closed = 0, False
    suppressed: dict[str, int] = {}
    for line in path.read_text().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut short by a killed process
        checked = max(checked, entry.get("checked", 0))
        closed = closed or entry.get("closed", False)
        for rule, count in entry.get("suppressed", {}).items():
            suppressed[rule] = max(suppressed.get(rule, 0), count)
        if "view" in entry:
            number = entry["view"]
            if "record" in entry:
                records[number] = entry["record"]
            counts[number] = max(counts.get(number, 0), entry["count"])
    report.checked += checked
    for rule, count in suppressed.items():
        report.add_suppressed(rule, count)
    if not closed:
        report.uncounted += 1
    report.merge(
        [
            {**record, "count": counts.get(number, record["count"])}
            for number, record in sorted(records.items())
        ]
    )


def collect(spool: str) -> Report:
    """Everything every guarded process spooled, in one report."""
    report = Report()
    for path in sorted(Path(spool).glob("*.jsonl"), key=_started):
        _read_spool(path, report)
    return report


def _command(options: RunOptions) -> list[str]:
    if options.module:
        return [sys.executable, "-m", options.target, *options.arguments]
    return [sys.executable, options.target, *options.arguments]


def _environment(options: RunOptions, spool: str) -> dict[str, str]:
    environment = dict(os.environ)
    environment[ENVIRONMENT] = json.dumps(
        {
            "policy": options.policy,
            "bounds": options.bounds,
            "library_bounds": options.library_bounds,
            "suppressions": _suppressions(options),
            "spool": spool,
            "supervisor": os.getpid(),
        }
    )
    previous = environment.get("PYTHONPATH")
    environment["PYTHONPATH"] = os.pathsep.join(
        path for path in (BOOT_DIRECTORY, previous) if path
    )
    return environment


#: Signals the supervisor passes on to the program. SIGINT and SIGQUIT are
#: not among them: the terminal sends those to the program itself.
_FORWARDED = ("SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2")
_LEFT_TO_THE_PROGRAM = ("SIGINT", "SIGQUIT")


@contextlib.contextmanager
def _signals_go_to(process: subprocess.Popen[bytes]) -> Iterator[None]:
    """While the program runs, pass signals meant for it on to it."""

    def forward(signum: int, frame: FrameType | None) -> None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signum)

    def leave(signum: int, frame: FrameType | None) -> None:
        pass  # a handler, not SIG_IGN: an ignored signal would stay ignored

    saved: dict[int, Any] = {}
    handlers = [(name, forward) for name in _FORWARDED]
    handlers += [(name, leave) for name in _LEFT_TO_THE_PROGRAM]
    for name, handler in handlers:
        number = getattr(signal, name, None)
        if number is not None:
            saved[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, previous in saved.items():
            signal.signal(number, previous)


def _run_child(options: RunOptions, spool: str) -> int:
    """Run the program; its return code (negative: killed by that signal)."""
    process = subprocess.Popen(_command(options), env=_environment(options, spool))
    with _signals_go_to(process):
        return process.wait()


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def run_program(options: RunOptions) -> int:
    """Run `options.target` under the guard; print the report; return the
    program's return code, negative when a signal killed it (see `end_like`).
    """
    try:
        check_options(options)
    except RunUsageError as error:
        print(f"safestride run: {error}", file=sys.stderr)
        return USAGE_EXIT
    spool = tempfile.mkdtemp(prefix="safestride-")
    try:
        code = _run_child(options, spool)
        report = collect(spool)
    finally:
        shutil.rmtree(spool, ignore_errors=True)
    sys.stdout.flush()
    if code < 0 and (len(report) or report.uncounted):
        print(
            f"safestride: the program was killed by {_signal_name(-code)}; "
            f"what the guard found until then:",
            file=sys.stderr,
        )
    # Under "raise" each view's diagnosis was raised with it: do not repeat it.
    diagnoses = options.policy != "raise"
    print(report.render(diagnoses=diagnoses), file=sys.stderr)
    if options.report_path:
        Path(options.report_path).write_text(report.to_json())
    if code == 0 and len(report) and not options.keep_exit_code:
        return UNSAFE_VIEWS_EXIT
    return code


def _dump_no_core() -> None:
    """The program already dumped its core, if any: this process adds none."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def end_like(code: int) -> int:
    """The exit code for `code` from `run_program`; a negative one (the
    program died of a signal) kills this process with the same signal, as
    the shell expects, falling back to 128 + the signal's number."""
    if code >= 0:
        return code
    number = -code
    with contextlib.suppress(OSError, ValueError):
        _dump_no_core()
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    return 128 + number
