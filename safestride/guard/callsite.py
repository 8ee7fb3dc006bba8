"""Where user code asked for a view: the call site a report names.

A frame belongs to the machinery between the user's line and numpy's function
when its module is numpy's or safestride's own, told by the module's name
(``__name__`` in the frame's globals), never by file names: moving a file
cannot make safestride report its own line as the user's.
"""

from __future__ import annotations

import ast
import functools
import linecache
import textwrap
import types
from collections.abc import Callable
from dataclasses import dataclass

from safestride._public import public

#: Gives a block of code that is not a file a reader's name (``"Cell In[3]"``
#: for a notebook's cell), or None when the block is not its own.
BlockNamer = Callable[[str], "str | None"]

_namers: list[BlockNamer] = []


def add_block_namer(namer: BlockNamer) -> None:
    """Let `namer` name the code blocks it knows in every call site shown."""
    _namers.append(namer)


def remove_block_namer(namer: BlockNamer) -> None:
    """Stop asking `namer`; harmless when it was never added."""
    if namer in _namers:
        _namers.remove(namer)


def block_name(filename: str) -> str | None:
    """A reader's name for the code block `filename` holds, if a namer has one.

    Examples
    --------
    >>> def cells(filename):
    ...     return "Cell In[3]" if filename == "/tmp/ipykernel_1/42.py" else None
    >>> add_block_namer(cells)
    >>> block_name("/tmp/ipykernel_1/42.py"), block_name("train.py")
    ('Cell In[3]', None)
    >>> remove_block_namer(cells)
    >>> print(block_name("/tmp/ipykernel_1/42.py"))
    None
    """
    for namer in reversed(_namers):
        name = namer(filename)
        if name is not None:
            return name
    return None


@public
@dataclass(frozen=True)
class CallSite:
    """Where user code asked for a view: the first frame outside numpy and
    safestride."""

    filename: str
    lineno: int
    function: str
    source: str

    @property
    def location(self) -> str:
        """``file:line``, or ``Cell In[3], line 5`` for a notebook's cell."""
        block = block_name(self.filename)
        if block is None:
            return f"{self.filename}:{self.lineno}"
        return f"{block}, line {self.lineno}"

    def __str__(self) -> str:
        return f"{self.location} in {self.function}"


UNKNOWN = CallSite("<unknown>", 0, "<unknown>", "")


#: The demo's model plays the user's code: its bias bug is the story's user line.
DEMO = "safestride.demo"


def in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def is_machinery(module: str) -> bool:
    """Whether frames of `module` stand between the user's line and numpy.

    numpy's and safestride's modules do, except numpy's own test modules
    and safestride's demo, whose model plays the user's code on purpose.

    Examples
    --------
    >>> is_machinery("numpy.lib._stride_tricks_impl")
    True
    >>> is_machinery("safestride.guard.patch")
    True
    >>> is_machinery("numpy.lib.tests.test_stride_tricks")
    False
    >>> is_machinery("numpyro.util")
    False
    """
    if in_package(module, "safestride"):
        return not in_package(module, DEMO)
    if in_package(module, "numpy"):
        return ".tests." not in module
    return False


#: What cloudpickle names the file of code it ships by value (dask sends the
#: functions of a script, a notebook or a test this way to its workers).
SHIPPED_CODE = "<dynamic-code>"


def frame_filename(frame: types.FrameType) -> str:
    """The file the code running in `frame` was written in.

    Code shipped by value by cloudpickle has lost its file name, but its
    globals still carry the ``__file__`` of the module it came from.
    """
    filename = frame.f_code.co_filename
    if filename == SHIPPED_CODE:
        shipped = frame.f_globals.get("__file__")
        if isinstance(shipped, str) and shipped:
            return shipped
    return filename


def find_call_site(frame: types.FrameType | None) -> CallSite:
    """The first frame from `frame` outwards that is not machinery."""
    while frame is not None:
        module = frame.f_globals.get("__name__")
        if not isinstance(module, str) or not is_machinery(module):
            return CallSite(
                frame_filename(frame),
                frame.f_lineno,
                frame.f_code.co_name,
                statement_source(frame),
            )
        frame = frame.f_back
    return UNKNOWN


def statement_source(frame: types.FrameType, most: int = 8) -> str:
    """All lines (at most `most`) of the call or statement running in `frame`.

    Python 3.11+ knows where each instruction's expression starts and ends;
    on 3.10 the smallest simple statement around the current line stands in.
    """
    filename, first = frame_filename(frame), frame.f_lineno
    last = first
    positions = getattr(frame.f_code, "co_positions", None)
    if positions is not None:
        start, end, _, _ = list(positions())[frame.f_lasti // 2]
        if start is not None and end is not None and start <= first <= end:
            first, last = start, end
    else:  # pragma: no cover - Python 3.10
        first, last = enclosing_statement(filename, first)
    last = min(last, first + most - 1)
    lines = [linecache.getline(filename, n).rstrip() for n in range(first, last + 1)]
    return textwrap.dedent("\n".join(lines)).strip()


def enclosing_statement(filename: str, lineno: int) -> tuple[int, int]:
    """(first, last) line of the simple statement spanning `lineno`.

    Simple statements never nest; statements with a body (``if``, ``def``...)
    do not count, as their span is the whole block. Where no statement spans
    the line (no source, a compound statement's header), the line on its own.

    Examples
    --------
    >>> import linecache
    >>> linecache.cache["<example>"] = (0, None, ["x = f(\\n", "    1,\\n", ")\\n"], "")
    >>> enclosing_statement("<example>", 2)
    (1, 3)
    >>> enclosing_statement("<example>", 7)
    (7, 7)
    """
    for first, last in _simple_statements(filename):
        if first <= lineno <= last:
            return first, last
    return lineno, lineno


@functools.lru_cache(maxsize=64)
def _simple_statements(filename: str) -> tuple[tuple[int, int], ...]:
    try:
        tree = ast.parse("".join(linecache.getlines(filename)))
    except (SyntaxError, ValueError):
        return ()
    return tuple(
        (node.lineno, node.end_lineno or node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.stmt) and not hasattr(node, "body")
    )
