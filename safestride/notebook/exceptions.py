"""A `StrideError` raised by a cell shows as a picture above its traceback.

IPython shows exceptions as text; the one way to add to that is its custom
exception handler (``InteractiveShell.set_custom_exc``). Ours publishes the
error's HTML (in a kernel, whose frontends can show it), then lets IPython
print the usual traceback, which keeps the full text message for terminals.
A handler set before ours keeps handling its own exception types, and gets
its place back when ours is removed.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING

from safestride.errors import StrideError
from safestride.guard.callsite import is_machinery
from safestride.notebook.display import error_html, site_of

if TYPE_CHECKING:  # IPython is imported by whoever loads the extension
    from IPython.core.interactiveshell import InteractiveShell


def _is_machinery(entry: types.TracebackType) -> bool:
    module = entry.tb_frame.f_globals.get("__name__")
    return isinstance(module, str) and is_machinery(module)


def user_traceback(tb: types.TracebackType | None) -> types.TracebackType | None:
    """`tb` ending at the user's line: without the numpy and safestride frames
    the error passed through last (pytest hides them the same way). A copy:
    the error's own traceback is left whole."""
    entries = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    while entries and _is_machinery(entries[-1]):
        entries.pop()
    if not entries:
        return None
    trimmed = None
    for entry in reversed(entries):
        trimmed = types.TracebackType(
            trimmed, entry.tb_frame, entry.tb_lasti, entry.tb_lineno
        )
    return trimmed


def frontend_shows_html(shell: InteractiveShell) -> bool:
    """Whether the shell runs in a kernel (Jupyter, VS Code...), whose
    frontends show HTML; a terminal IPython shows only the text."""
    return getattr(shell, "kernel", None) is not None


class RichErrors:
    """Our custom exception handler on one shell, and what it replaced."""

    def __init__(self, shell: InteractiveShell, *, html: bool) -> None:
        self.shell = shell
        self.html = html
        self._previous_types: tuple[type[BaseException], ...] = ()
        # IPython's handlers are bound: (etype, value, tb, tb_offset=None).
        self._previous_handler: types.MethodType | None = None
        self._ours: types.MethodType | None = None

    def attach(self) -> None:
        """Handle `StrideError` from now on (and what a handler set earlier did)."""
        if self._ours is not None:
            return
        self._previous_types = tuple(self.shell.custom_exceptions)
        self._previous_handler = self.shell.CustomTB
        self.shell.set_custom_exc(  # type: ignore[no-untyped-call]  # IPython's
            (StrideError, *self._previous_types), self._handle
        )
        self._ours = self.shell.CustomTB

    def detach(self) -> None:
        """Give the shell back the handler it had, unless someone replaced ours
        since (theirs stays: taking it away would be worse)."""
        if self._ours is None:
            return
        if self.shell.CustomTB is self._ours and self._previous_handler is not None:
            self.shell.custom_exceptions = self._previous_types
            self.shell.CustomTB = self._previous_handler
        self._ours = None

    def _handle(
        self,
        shell: InteractiveShell,
        etype: type[BaseException],
        value: BaseException,
        tb: types.TracebackType | None,
        tb_offset: int | None = None,
    ) -> list[str] | None:
        if not isinstance(value, StrideError):
            if self._previous_handler is None:  # pragma: no cover - set in attach
                return None
            result: list[str] | None = self._previous_handler(
                etype, value, tb, tb_offset=tb_offset
            )
            return result
        if self.html:
            self._publish(shell, value)
        shown = user_traceback(tb) or tb
        # IPython 8 leaves showtraceback untyped; 9 types it.
        shell.showtraceback(  # type: ignore[no-untyped-call,unused-ignore]
            (etype, value, shown), tb_offset=tb_offset
        )
        return None

    @staticmethod
    def _publish(shell: InteractiveShell, error: StrideError) -> None:
        site = site_of(error)
        where = f" (made at {site})" if site is not None else ""
        try:
            page = error_html(error, site)
        except Exception as failure:  # the traceback must show whatever happens
            print(
                f"safestride: could not draw the error ({failure!r}); its text "
                f"follows.",
                file=sys.stderr,
            )
            return
        shell.display_pub.publish(
            data={
                "text/html": page,
                "text/plain": f"{type(error).__name__}: {error.summary}{where}",
            },
            metadata={"safestride": {"error": type(error).__name__}},
        )
