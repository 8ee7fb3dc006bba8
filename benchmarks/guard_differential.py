"""The process-wide guard against an independent oracle, on random calls.

Every case is a few lines of Python source (so any case is its own
reproducer): a memory owner (an ndarray, bytes, bytearray, mmap, ctypes,
memoryview, array.array, np.memmap, np.matrix, a subclass, an ``__array__``
object, a Python scalar or list), an ``x`` taken from it, and one call of
numpy's own ``as_strided`` with shape and strides as tuples, lists,
iterators, generators, arrays or numpy integers, sometimes omitted, with
extreme values (-2**63, near 2**63) and empty or 0-d arrays. Each call runs
twice: plainly, and under ``safestride.guarded(policy="record", bounds=B)``,
or with ``bounds`` left out (the default the user's own code gets, judged by
the oracle as "elements").

The oracle knows nothing of safestride: it takes the view the guarded call
returned and the array numpy really viewed (found through numpy's own
``DummyArray`` base), lists the byte offset of every element (or, for views
too large to list, the corners of the index box, where a linear function of
the index takes its extremes), and says whether some byte lies outside what
`B` allows: the owning allocation ("buffer", whose address range is taken
from the owner the case made), x's span ("array"), or x's elements
("elements": every element must start where one of x's elements starts).

Per case it records a *miss* (unsafe view, nothing recorded), a *false
alarm* (safe view recorded or refused), and a *change* (the guard altered
numpy's answer: a different view, type, writeable flag or exception type).
Views over object pointers that a writeable view could overwrite are a miss
of their own kind ("object slots"). A view the oracle finds safe for which the
guard recorded only ``MisalignedError`` (it could not prove that the view
lands on object pointers exactly) is an "object alarm"; any ``StrideError``
raised under ``policy="record"`` is a "refusal" (the guard must only record).

    python benchmarks/guard_differential.py --cases 1000000 --seed 0 [--jobs 2]

Cases run in child processes in chunks; a chunk whose child dies is re-run
case by case to name the case that killed it.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import itertools
import json
import random
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: What the guard holds the user's own code to when ``bounds`` is left out
#: (the oracle's copy of it, not safestride's).
DEFAULT_LEVEL = "elements"
#: Views with more elements than this are judged by the corners of their box.
ENUMERATE_LIMIT = 4096

NUMERIC = ["f8", "f4", "i2", "u1", "c16", ">i4", "V3", "M8[s]", "V0"]
STRUCTURED = "[('a', '<i4'), ('b', '<f8')]"
WITH_OBJECT = "[('obj', 'O'), ('val', '<f8')]"

PRELUDE = """\
import array, ctypes, mmap, tempfile
import numpy as np
from numpy.lib.stride_tricks import as_strided

class Sub(np.ndarray):
    pass

class Stable:
    def __init__(self, a):
        self.a = a
    def __array__(self, dtype=None, copy=None):
        return self.a

class Fresh:
    '''A new array on every call, alternately of 2 and 50 elements.'''
    def __init__(self):
        self.made = []
    def __array__(self, dtype=None, copy=None):
        self.made.append(np.arange(2.0 if len(self.made) % 2 else 50.0))
        return self.made[-1]
"""


@dataclass(frozen=True)
class Case:
    """One generated call; `setup` defines OWNER (or None) and x."""

    number: int
    setup: str
    call: str
    bounds: str | None  # None: left out, the default level
    tags: tuple[str, ...]

    @property
    def level(self) -> str:
        """The level the oracle judges: the default one when left out."""
        return self.bounds or DEFAULT_LEVEL

    def source(self) -> str:
        bounds = "" if self.bounds is None else f", bounds={self.bounds!r}"
        guard = (
            f"import safestride\nwith safestride.guarded(policy='record'"
            f"{bounds}) as report:\n    v = {self.call}\n"
            "print(len(report), v.shape, v.strides)"
        )
        return f"{self.setup}\n{guard}"


class Generator:
    """Random cases, each from its own seed: (seed, number) alone makes it."""

    def __init__(self, seed: int, number: int) -> None:
        self.rng = random.Random(seed * 10**12 + number)
        self.number = number
        self.tags: list[str] = []

    def pick(self, options: list[Any], weights: list[float] | None = None) -> Any:
        return self.rng.choices(options, weights)[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    # -- where x comes from ------------------------------------------------

    def owner(self) -> tuple[str, int, str]:
        """Source defining `parent` (an ndarray) and OWNER; its length; dtype."""
        kind = self.pick(
            [
                "ndarray",
                "bytes",
                "bytearray",
                "mmap",
                "ctypes",
                "memoryview",
                "array.array",
                "memmap",
                "structured",
                "object",
                "object field",
            ],
            [30, 5, 5, 4, 5, 4, 3, 3, 5, 3, 4],
        )
        self.tags.append(f"owner={kind}")
        n = self.pick([0, 1, 2, 5, 12, 24, 60], [3, 3, 4, 6, 10, 8, 4])
        if kind == "ndarray":
            dtype = self.pick(NUMERIC)
            self.tags.append(f"dtype={dtype}")
            return (
                f"parent = np.zeros({n}, dtype={dtype!r}); OWNER = parent",
                n,
                dtype,
            )
        if kind == "structured":
            field = self.pick(["", "['a']", "['b']"])
            return (
                f"OWNER = np.zeros({n}, dtype={STRUCTURED}); parent = OWNER{field}",
                n,
                "struct",
            )
        if kind == "object":
            return (
                f"parent = np.array([object() for _ in range({n})] + [None], "
                f"dtype=object)[:{n}]; OWNER = parent.base",
                n,
                "O",
            )
        if kind == "object field":
            return (
                f"OWNER = np.zeros({n}, dtype={WITH_OBJECT}); parent = OWNER['val']",
                n,
                "f8",
            )
        if kind == "ctypes":
            ctype = self.pick(["c_double", "c_uint8", "c_int16"])
            dtype = {"c_double": "f8", "c_uint8": "u1", "c_int16": "i2"}[ctype]
            if self.chance(0.3) and n:
                rows = self.pick([1, 2, 3])
                return (
                    f"OWNER = ((ctypes.{ctype} * {n}) * {rows})(); "
                    f"parent = np.ctypeslib.as_array(OWNER).reshape(-1)",
                    n * rows,
                    dtype,
                )
            return (
                f"OWNER = (ctypes.{ctype} * {n})(); "
                f"parent = np.ctypeslib.as_array(OWNER)"
                if n
                else f"OWNER = (ctypes.{ctype} * 0)(); "
                f"parent = np.frombuffer(OWNER, dtype={dtype!r})",
                n,
                dtype,
            )
        dtype = self.pick(["f8", "u1", "i4"])
        size = n * np.dtype(dtype).itemsize
        if kind == "memmap":
            return (
                f"parent = np.memmap(tempfile.TemporaryFile(), dtype={dtype!r}, "
                f"mode='w+', shape=({max(n, 1)},)); OWNER = parent._mmap",
                max(n, 1),
                dtype,
            )
        maker = {
            "bytes": f"bytes({size})",
            "bytearray": f"bytearray({size})",
            "mmap": f"mmap.mmap(-1, {max(size, 1)})",
            "memoryview": f"memoryview(bytearray({size}))",
            "array.array": f"array.array('B', bytes({size}))",
        }[kind]
        if kind == "mmap" and size == 0:
            n = 1 if dtype == "u1" else 0
        return (
            f"OWNER = {maker}; parent = np.frombuffer(OWNER, dtype={dtype!r}, "
            f"count={n})",
            n,
            dtype,
        )

    def x(self) -> str:
        """Source defining OWNER and x."""
        wrap = self.pick(
            ["none", "matrix", "subclass", "stable", "fresh", "scalar", "list"],
            [70, 4, 5, 5, 3, 3, 2],
        )
        if wrap == "scalar":
            self.tags.append("x=scalar")
            return f"OWNER = None; x = {self.pick(['0', '3.5', 'True', '1j'])}"
        if wrap == "list":
            self.tags.append("x=list")
            return "OWNER = None; x = [1.0, 2.0, 3.0]"
        if wrap == "fresh":
            self.tags.append("x=fresh __array__")
            return "OWNER = None; x = Fresh()"
        setup, n, _ = self.owner()
        lines = [setup]
        expression = "parent"
        if n >= 4 and self.chance(0.4):
            rows = self.pick([d for d in (2, 3, 4, 6) if n % d == 0] or [1])
            expression = f"parent.reshape({rows}, -1)"
            if self.chance(0.3):
                expression += ".T"
            if self.chance(0.5):
                expression += self.pick(
                    ["[::-1]", "[:, ::2]", "[1:, 1:]", "[::2, ::-1]", "[:, :0]"]
                )
        elif self.chance(0.6):
            start = self.integer(0, max(n - 1, 0))
            stop = self.integer(start, n)
            step = self.pick([1, 1, 2, 3, -1, -2])
            if step < 0:
                expression += f"[{stop}:{start}:{step}]" if stop > start else "[::-1]"
            else:
                expression += f"[{start}:{stop}:{step}]"
        elif n and self.chance(0.1):
            expression += "[0, ...]"  # 0-d
        elif n and self.chance(0.1):
            expression = f"np.broadcast_to({expression}, (3, {n}))"
            self.tags.append("x=broadcast")
        elif n > 2 and self.chance(0.05):
            expression = f"as_strided({expression}, ({n},), (parent.itemsize,))[1:]"
            self.tags.append("x=as_strided past its base")
        if wrap == "matrix":
            expression = f"np.asmatrix(np.atleast_2d({expression}))"
        elif wrap == "subclass":
            expression = f"{expression}.view(Sub)"
        elif wrap == "stable":
            expression = f"Stable({expression})"
        if wrap != "none":
            self.tags.append(f"x={wrap}")
        lines.append(f"x = {expression}")
        return "; ".join(lines)

    # -- the call ------------------------------------------------------------

    def numbers(self, count: int, itemsize_hint: int, kind: str) -> list[int]:
        values = []
        for _ in range(count):
            if kind == "shape":
                if self.chance(0.02):
                    values.append(self.pick([2**31, 2**40, 2**62, 2**63 - 1, -1]))
                    self.tags.append("huge shape")
                else:
                    values.append(self.pick([0, 1, 1, 2, 2, 3, 3, 4, 5, 7]))
            else:
                if self.chance(0.04):
                    extreme = self.pick(
                        [-(2**63), 2**63 - 1, 2**63, -(2**62), 2**62, -(2**63) + 8]
                    )
                    values.append(extreme)
                    self.tags.append("extreme stride")
                elif self.chance(0.1):
                    values.append(self.integer(-40, 40))
                else:
                    values.append(itemsize_hint * self.integer(-6, 6))
        return values

    def container(self, values: list[int], what: str) -> str:
        style = self.pick(
            ["tuple", "list", "iter", "generator", "ndarray", "np ints", "np int"],
            [40, 20, 10, 5, 10, 10, 5],
        )
        if style == "np int" and len(values) != 1:
            style = "tuple"
        self.tags.append(f"{what}={style}")
        text = ", ".join(map(str, values))
        one = f"({text},)" if len(values) == 1 else f"({text})"
        if style == "tuple":
            return one
        if style == "list":
            return f"[{text}]"
        if style == "iter":
            return f"iter({one})"
        if style == "generator":
            return f"(v for v in {one})"
        if style == "ndarray":
            safe = all(-(2**63) <= v < 2**63 for v in values)
            return f"np.array({one}, dtype=np.int64)" if safe else f"[{text}]"
        if style == "np int":
            value = values[0]
            kind = "np.uint64" if value >= 2**63 else "np.int64"
            return f"{kind}({value})" if -(2**63) <= value < 2**64 else str(value)
        parts = [f"np.int64({v})" if -(2**63) <= v < 2**63 else str(v) for v in values]
        return f"({', '.join(parts)},)" if parts else "()"

    def case(self) -> Case:
        setup = self.x()
        ndim = self.pick([0, 1, 1, 2, 2, 2, 3, 4, 65], [8, 16, 16, 16, 16, 16, 8, 4, 1])
        itemsize = self.pick([1, 2, 4, 8, 8, 16])
        shape_source = (
            None
            if self.chance(0.12)
            else self.container(self.numbers(ndim, 0, "shape"), "shape")
        )
        strides_ndim = ndim if self.chance(0.9) else self.pick([0, 1, 2])
        strides_source = (
            None
            if self.chance(0.22)
            else self.container(
                self.numbers(strides_ndim, itemsize, "strides"), "strides"
            )
        )
        if shape_source is None:
            self.tags.append("shape omitted")
        if strides_source is None:
            self.tags.append("strides omitted")
        subok = self.pick(["False", "True"], [3, 1])
        writeable = self.pick(["True", "False"], [3, 1])
        if self.chance(0.5):
            call = (
                f"as_strided(x, {shape_source}, {strides_source}, {subok}, {writeable})"
            )
        else:
            parts = ["x"]
            if shape_source is not None or self.chance(0.3):
                parts.append(f"shape={shape_source}")
            if strides_source is not None or self.chance(0.3):
                parts.append(f"strides={strides_source}")
            if subok == "True":
                parts.append("subok=True")
            if writeable == "False":
                parts.append("writeable=False")
            call = f"as_strided({', '.join(parts)})"
        bounds = self.pick(["array", "buffer", "elements", None], [4, 3, 2, 3])
        self.tags.append(f"bounds={bounds or 'default'}")
        return Case(self.number, setup, call, bounds, tuple(self.tags))


def make_case(seed: int, number: int) -> Case:
    return Generator(seed, number).case()


# -- the oracle ---------------------------------------------------------------


def address_range(owner: object) -> tuple[int, int]:
    """[start, end) of the memory `owner` allocated, in absolute addresses."""
    if isinstance(owner, np.ndarray):
        assert owner.flags.owndata
        assert owner.flags.c_contiguous
        start = int(owner.ctypes.data)
        return start, start + owner.nbytes
    if isinstance(owner, ctypes.Array):
        return ctypes.addressof(owner), ctypes.addressof(owner) + ctypes.sizeof(owner)
    flat = np.frombuffer(owner, dtype=np.uint8)  # type: ignore[call-overload]
    start = int(flat.ctypes.data)
    return start, start + flat.size


def numpy_viewed(view: np.ndarray) -> np.ndarray | None:
    """The array numpy's as_strided turned into `view` (through its DummyArray)."""
    node: Any = view
    for _ in range(50):
        if type(node).__name__ == "DummyArray":
            return node.base  # type: ignore[no-any-return]
        node = getattr(node, "base", None)
        if node is None:
            return None
    return None


def element_starts(shape: tuple[int, ...], strides: tuple[int, ...]) -> list[int]:
    return [
        sum(i * s for i, s in zip(index, strides, strict=True))
        for index in itertools.product(*(range(n) for n in shape))
    ]


def corner_starts(shape: tuple[int, ...], strides: tuple[int, ...]) -> list[int]:
    """The starts of the box's corner elements: a linear function of the index
    takes its least and greatest values there."""
    if 0 in shape:
        return []
    return element_starts(
        tuple(2 if n > 1 else 1 for n in shape),
        tuple(s * (n - 1) for n, s in zip(shape, strides, strict=True)),
    )


def distinct_starts(
    shape: tuple[int, ...], strides: tuple[int, ...]
) -> list[int] | None:
    """Every distinct element start, or None when there are too many to list."""
    kept = [(n, s) for n, s in zip(shape, strides, strict=True) if n > 1 and s != 0]
    if 0 in shape:
        return []
    count = 1
    for n, _ in kept:
        count *= n
    if count > ENUMERATE_LIMIT:
        return None
    return element_starts(tuple(n for n, _ in kept), tuple(s for _, s in kept))


@dataclass(frozen=True)
class Verdict:
    unsafe: bool | None  # None: too large to judge at this level
    object_slots: bool  # a writeable view over object pointers it does not own


def judge(
    view: np.ndarray, viewed: np.ndarray, owner: object, bounds: str, pointers: set[int]
) -> Verdict:
    """Whether `view` (of `viewed`, in `owner`'s memory) touches forbidden bytes."""
    itemsize = view.itemsize
    base = int(view.ctypes.data)
    shape, strides = tuple(view.shape), tuple(view.strides)
    starts = distinct_starts(shape, strides)
    if itemsize == 0 or (not starts and starts is not None):
        return Verdict(False, False)
    extremes = starts if starts is not None else corner_starts(shape, strides)
    low = base + min(extremes)
    high = base + max(extremes) + itemsize
    origin = int(viewed.ctypes.data)
    own = distinct_starts(tuple(viewed.shape), tuple(viewed.strides)) or []
    if bounds == "buffer":
        start, end = address_range(owner if owner is not None else viewed)
    elif own:
        start, end = origin + min(own), origin + max(own) + viewed.itemsize
    else:
        start = end = origin
    unsafe: bool | None = low < start or high > end
    if not unsafe and bounds == "elements":
        if starts is None:
            unsafe = None
        else:
            mine = {origin + o for o in own}
            unsafe = any(base + o not in mine for o in starts)
    if view.dtype.hasobject and starts is not None and not unsafe:
        # An object element must be one of the allocation's object pointers.
        unsafe = any(base + o not in pointers for o in starts)
    slots = False
    if pointers and view.flags.writeable and starts is not None:
        touched = [(base + o, base + o + itemsize) for o in starts]
        slots = any(a < p + 8 and p < b for a, b in touched for p in pointers)
        if view.dtype.hasobject:
            slots = slots and any(base + o not in pointers for o in starts)
    return Verdict(unsafe, slots)


def object_pointers(owner: object) -> set[int]:
    """Addresses of the object pointers in `owner`, if it holds any."""
    if not isinstance(owner, np.ndarray) or not owner.dtype.hasobject:
        return set()
    start = int(owner.ctypes.data)
    if owner.dtype.fields is None:
        return {start + 8 * i for i in range(owner.size)}
    offsets = [
        offset for dtype, offset, *_ in owner.dtype.fields.values() if dtype.hasobject
    ]
    return {start + owner.itemsize * i + o for i in range(owner.size) for o in offsets}


# -- running a case -----------------------------------------------------------


@dataclass
class Run:
    view: Any = None
    error: BaseException | None = None
    warnings: tuple[str, ...] = ()
    recorded: int = 0
    kinds: tuple[str, ...] = ()


def call(case: Case, namespace: dict[str, Any], guard: bool) -> Run:
    """Evaluate the call (plainly, or guarded at the case's bounds)."""
    import safestride

    run = Run()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if not guard:
            try:
                run.view = eval(case.call, namespace)
            except Exception as error:
                run.error = error
        else:
            level = {} if case.bounds is None else {"bounds": case.bounds}
            with safestride.guarded(policy="record", **level) as report:  # type: ignore[arg-type]
                try:
                    run.view = eval(case.call, namespace)
                except Exception as error:
                    run.error = error
            run.recorded = len(report)
            run.kinds = tuple(sorted({view.kind for view in report}))
    run.warnings = tuple(sorted({type(w.message).__name__ for w in caught}))
    return run


def describe(view: Any, relative_to: Any) -> dict[str, Any]:
    described: dict[str, Any] = {"type": type(view).__name__}
    if isinstance(view, np.ndarray):
        described.update(
            shape=view.shape,
            strides=view.strides,
            dtype=str(view.dtype),
            writeable=view.flags.writeable,
            aligned=view.flags.aligned,
        )
        if relative_to is not None:
            described["offset"] = int(view.ctypes.data) - int(relative_to.ctypes.data)
        else:
            described["pointer"] = int(view.ctypes.data)
    return described


def check(case: Case, prelude: dict[str, Any]) -> list[dict[str, Any]]:
    """Run `case` plainly and guarded; return its findings (empty: all agree)."""
    from safestride.errors import StrideError

    namespace = dict(prelude)
    exec(case.setup, namespace)
    plain = call(case, namespace, False)
    if namespace["OWNER"] is None:  # x converts to a new array each time
        exec(case.setup, namespace)
    guarded = call(case, namespace, True)
    found = []

    def finding(kind: str, **details: Any) -> None:
        found.append({"kind": kind, "case": case.number, "tags": case.tags, **details})

    refused = isinstance(guarded.error, StrideError)
    if plain.error is not None:
        if guarded.error is None or type(guarded.error) is not type(plain.error):
            finding(
                "change",
                what="exception",
                plain=repr(plain.error)[:200],
                guarded=repr(guarded.error)[:200] if guarded.error else "a view",
            )
        return found
    if guarded.error is not None and not refused:
        finding(
            "change",
            what="exception",
            plain="a view",
            guarded=repr(guarded.error)[:300],
        )
        return found
    stable = namespace["OWNER"] is not None
    view = guarded.view if guarded.error is None else plain.view
    # numpy views an ndarray x as itself (np.array(x, copy=None)); only other
    # objects need finding through numpy's DummyArray, as a view the guard's
    # fast path made may lead to the DummyArray that made x, not the view.
    x = namespace["x"]
    viewed = np.asarray(x) if isinstance(x, np.ndarray) else numpy_viewed(view)
    if viewed is None:  # the guard's fast path viewed x itself
        viewed = np.asarray(namespace["x"])
    if guarded.error is None:
        relative_plain = None if stable else numpy_viewed(plain.view)
        relative_guarded = None if stable else viewed
        ours = describe(guarded.view, relative_guarded)
        theirs = describe(plain.view, relative_plain)
        if ours != theirs or plain.warnings != guarded.warnings:
            finding(
                "change",
                what="view",
                plain=[theirs, plain.warnings],
                guarded=[ours, guarded.warnings],
            )
    owner = namespace["OWNER"]
    verdict = judge(view, viewed, owner, case.level, object_pointers(owner))
    flagged = guarded.recorded > 0 or refused
    if refused:  # under policy="record" the guard must never raise
        finding("refusal", error=repr(guarded.error)[:200])
    if verdict.unsafe and not flagged:
        finding("miss", view=[view.shape, view.strides])
    elif verdict.unsafe is False and flagged and not verdict.object_slots:
        only_objects = guarded.kinds == ("MisalignedError",)
        finding(
            "object alarm" if only_objects else "false alarm",
            view=[view.shape, view.strides],
            recorded=guarded.kinds,
        )
    elif verdict.unsafe is None:
        finding("unjudged", view=[view.shape, view.strides])
    if verdict.object_slots and not flagged:
        finding("object slots", view=[view.shape, view.strides])
    return found


def limit_memory() -> None:
    import resource

    limit = 2 << 30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def worker(seed: int, start: int, stop: int, trace: bool) -> None:
    """Run cases [start, stop); print one JSON line per finding, then counts."""
    limit_memory()
    prelude: dict[str, Any] = {}
    exec(PRELUDE, prelude)
    counts: collections.Counter[str] = collections.Counter()
    for number in range(start, stop):
        if trace:
            print(json.dumps({"started": number}), flush=True)
        case = make_case(seed, number)
        counts["cases"] += 1
        try:
            findings = check(case, prelude)
        except Exception as error:  # the harness itself: say so, go on
            findings = [
                {
                    "kind": "harness error",
                    "case": number,
                    "tags": case.tags,
                    "error": repr(error)[:300],
                }
            ]
        for item in findings:
            counts[item["kind"]] += 1
            print(json.dumps(item, default=str), flush=True)
    print(json.dumps({"counts": counts}), flush=True)


def run_chunk(
    seed: int, start: int, stop: int, trace: bool = False
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--worker",
            "--seed",
            str(seed),
            "--start",
            str(start),
            "--stop",
            str(stop),
            *(["--trace"] if trace else []),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


def collect(
    process: subprocess.Popen[str],
    seed: int,
    start: int,
    stop: int,
    findings: list[dict[str, Any]],
    counts: collections.Counter[str],
) -> None:
    output, _ = process.communicate()
    done = False
    for line in output.splitlines():
        item = json.loads(line)
        if "counts" in item:
            counts.update(item["counts"])
            done = True
        elif "kind" in item:
            findings.append(item)
    if done:
        return
    # The child died: find the case that killed it, one case per child.
    for number in range(start, stop):
        single = run_chunk(seed, number, number + 1)
        out, _ = single.communicate()
        if single.returncode == 0:
            for line in out.splitlines():
                item = json.loads(line)
                if "counts" in item:
                    counts.update(item["counts"])
                elif "kind" in item:
                    findings.append(item)
        else:
            counts["cases"] += 1
            counts["crash"] += 1
            findings.append(
                {
                    "kind": "crash",
                    "case": number,
                    "tags": make_case(seed, number).tags,
                    "returncode": single.returncode,
                }
            )


def signature(item: dict[str, Any]) -> tuple[str, ...]:
    """What a finding is about, for grouping: its kind and the case's tags
    that are not random numbers."""
    tags = [t for t in item["tags"] if not t.startswith(("shape=", "strides="))]
    return (item["kind"], *sorted(set(tags)))


def report(
    seed: int,
    findings: list[dict[str, Any]],
    counts: collections.Counter[str],
    seconds: float,
    shown: int,
) -> None:
    print("Every reproducer below runs after this prelude:\n" + PRELUDE)
    print(f"\n{counts['cases']} cases, seed {seed}, {seconds:.0f} s")
    for kind in (
        "miss",
        "false alarm",
        "object slots",
        "object alarm",
        "refusal",
        "change",
        "crash",
        "harness error",
        "unjudged",
    ):
        print(f"  {kind}: {counts[kind]}")
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = collections.defaultdict(list)
    for item in findings:
        if item["kind"] != "unjudged":
            groups[signature(item)].append(item)
    by_kind: dict[str, list[tuple[str, ...]]] = collections.defaultdict(list)
    for key in groups:
        by_kind[key[0]].append(key)
    for kind, keys in by_kind.items():
        keys.sort(key=lambda k: -len(groups[k]))
        print(f"\n== {kind}: {sum(len(groups[k]) for k in keys)} in {len(keys)} groups")
        for key in keys[:shown]:
            members = groups[key]
            cases = [make_case(seed, m["case"]) for m in members]
            smallest = min(cases, key=lambda c: len(c.setup) + len(c.call))
            detail = next(m for m in members if m["case"] == smallest.number)
            extra = {
                k: v for k, v in detail.items() if k not in ("kind", "case", "tags")
            }
            print(f"\n-- {len(members)} x {', '.join(key[1:])}")
            print(f"   details: {json.dumps(extra, default=str)[:400]}")
            print(f"   reproducer (case {smallest.number}):")
            for line in smallest.source().splitlines():
                print("     " + line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--first", type=int, default=0, help="first case number")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=20_000)
    parser.add_argument("--groups", type=int, default=12, help="groups shown per kind")
    parser.add_argument("--json", type=Path, help="write every finding here")
    parser.add_argument("--show", type=int, help="print case N's source and exit")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stop", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.show is not None:
        print(PRELUDE)
        print(make_case(options.seed, options.show).source())
        return
    if options.worker:
        worker(options.seed, options.start, options.stop, options.trace)
        return
    began = time.perf_counter()
    findings: list[dict[str, Any]] = []
    counts: collections.Counter[str] = collections.Counter()
    chunks = [
        (start, min(start + options.chunk, options.first + options.cases))
        for start in range(options.first, options.first + options.cases, options.chunk)
    ]
    running: list[tuple[subprocess.Popen[str], int, int]] = []
    while chunks or running:
        while chunks and len(running) < options.jobs:
            start, stop = chunks.pop(0)
            running.append((run_chunk(options.seed, start, stop), start, stop))
        process, start, stop = running.pop(0)
        collect(process, options.seed, start, stop, findings, counts)
        print(
            f"  ... {counts['cases']} cases, {counts['miss']} misses, "
            f"{counts['false alarm']} false alarms, {counts['change']} changes "
            f"({time.perf_counter() - began:.0f} s)",
            flush=True,
        )
    report(options.seed, findings, counts, time.perf_counter() - began, options.groups)
    if options.json:
        options.json.write_text(json.dumps(findings, default=str))


if __name__ == "__main__":
    main()
