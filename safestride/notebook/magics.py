"""The ``%safestride`` line magic: ``on [options]``, ``off``, ``report``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from safestride.guard.report import Report
from safestride.notebook.command import USAGE, CommandError, parse_command

if TYPE_CHECKING:  # IPython is imported by whoever loads the extension
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.magic import MagicsManager

    from safestride.notebook.extension import NotebookGuard

NAME = "safestride"


def status(extension: NotebookGuard) -> str:
    """One line: whether the guard is on, with what, and how to see its report."""
    command = extension.command
    if command is None:
        return (
            "safestride: the guard is off (%safestride on turns it on; "
            "%safestride report lists what it found)"
        )
    return (
        f"safestride: the guard is on (policy {command.policy!r}, bounds "
        f"{command.bounds!r}, library bounds {command.library_bounds!r}); "
        f"%safestride report lists what it found"
    )


def run(extension: NotebookGuard, line: str) -> Report | None:
    """Do what one ``%safestride`` line says; the report for ``report``."""
    try:
        command = parse_command(line)
    except CommandError as error:
        from IPython.core.error import UsageError  # IPython shows it without traceback

        raise UsageError(str(error)) from None
    if command.action == "report":
        return extension.report
    if command.action == "on":
        extension.on(command)
    elif not extension.off():
        print("safestride: the guard was not on; nothing to turn off")
        return None
    print(status(extension))
    return None


def register(shell: InteractiveShell, extension: NotebookGuard) -> None:
    """Make ``%safestride`` drive `extension`."""

    def safestride(line: str) -> Report | None:
        return run(extension, line)

    safestride.__doc__ = (
        f"Turn safestride's guard on or off, or show what it found.\n\n{USAGE}"
    )
    _manager(shell).register_function(  # type: ignore[no-untyped-call,unused-ignore]
        safestride, magic_kind="line", magic_name=NAME
    )


def unregister(shell: InteractiveShell) -> None:
    """Remove ``%safestride``: IPython has no call for it, so take it out of
    the tables `register` put it in."""
    manager = _manager(shell)
    manager.magics["line"].pop(NAME, None)
    if NAME in vars(manager.user_magics):
        delattr(manager.user_magics, NAME)


def _manager(shell: InteractiveShell) -> MagicsManager:
    """The shell's magics manager (IPython 8 types it as optional)."""
    manager: MagicsManager | None = shell.magics_manager
    if manager is None:  # pragma: no cover - every InteractiveShell has one
        raise RuntimeError("this IPython shell has no magics manager")
    return manager
