"""``%load_ext safestride``: the guard, the ``%safestride`` magic and the
rich errors for one IPython shell, and ``%unload_ext safestride`` taking
exactly those back.

The guard is held as an open `safestride.guarded` block of the kernel's own:
turning it off closes that block only, so a ``guarded()`` block the user's
code has open stays in force, and the user's ``safestride.install()`` too.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from safestride.guard import guarded
from safestride.guard.callsite import add_block_namer, remove_block_namer
from safestride.guard.report import Report
from safestride.notebook import magics
from safestride.notebook.command import Command
from safestride.notebook.exceptions import RichErrors, frontend_shows_html

if TYPE_CHECKING:  # IPython is imported by whoever loads the extension
    from IPython.core.interactiveshell import InteractiveShell


class NotebookGuard:
    """What the extension added to one shell.

    Attributes
    ----------
    report : Report
        Every unsafe view made while the guard was on, since the extension
        was loaded.
    command : Command or None
        The ``%safestride on`` in force; None while off.
    """

    def __init__(self, shell: InteractiveShell) -> None:
        self.shell = shell
        self.report = Report()
        self.command: Command | None = None
        self.errors = RichErrors(shell, html=frontend_shows_html(shell))
        self._block: contextlib.ExitStack | None = None

    def name_cell(self, filename: str) -> str | None:
        """``"Cell In[3]"`` for the file IPython compiled cell 3 under."""
        formatter = getattr(self.shell.compile, "format_code_name", None)
        named = formatter(filename) if formatter is not None else None
        if not named:
            return None
        label, name = named
        return f"{label} {name}"

    def on(self, command: Command) -> None:
        """Guard every ``as_strided`` as `command` says (again, if already on)."""
        self.off()
        block = contextlib.ExitStack()
        block.enter_context(
            guarded(
                command.policy,
                command.bounds,
                self.report,
                library_bounds=command.library_bounds,
            )
        )
        self._block, self.command = block, command

    def off(self) -> bool:
        """Stop guarding; False when it was not on."""
        if self._block is None:
            return False
        block, self._block, self.command = self._block, None, None
        block.close()
        return True

    def attach(self) -> None:
        add_block_namer(self.name_cell)
        self.errors.attach()
        magics.register(self.shell, self)

    def detach(self) -> None:
        magics.unregister(self.shell)
        self.errors.detach()
        remove_block_namer(self.name_cell)
        self.off()


_loaded: dict[int, NotebookGuard] = {}


def load(shell: InteractiveShell) -> NotebookGuard:
    """Load the extension into `shell` and turn the guard on; loading it
    again changes nothing."""
    found = _loaded.get(id(shell))
    if found is not None and found.shell is shell:
        return found
    extension = NotebookGuard(shell)
    extension.attach()
    extension.on(Command("on"))
    _loaded[id(shell)] = extension
    print(magics.status(extension))
    return extension


def unload(shell: InteractiveShell) -> None:
    """Take back everything `load` added to `shell`; harmless when not loaded."""
    extension = _loaded.pop(id(shell), None)
    if extension is not None and extension.shell is shell:
        extension.detach()
