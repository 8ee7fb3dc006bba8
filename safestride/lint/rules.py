"""The lint rules: one table, each with what it flags, why, and what instead."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One lint rule, documented the way ruff documents its rules.

    `message` is the one-line finding, a format string over the names the
    checker supplies (``array``, ``source``, ``value``, ``view``).
    """

    code: str
    name: str
    message: str
    what: str
    why: str
    example: str
    instead: str
    limitations: str
    fixable: bool = False

    @property
    def summary(self) -> str:
        """The message with its placeholders in words, for rule listings."""
        return self.what


RULES: tuple[Rule, ...] = (
    Rule(
        code="SST001",
        name="stale-strides",
        message=(
            "strides come from `{source}`, not from the viewed array `{array}`: "
            "use {array}.strides (a stale or copied stride variable is the 1e300 bug)"
        ),
        what=(
            "Flags `as_strided(b, ..., strides=...)` whose strides are built from "
            "another array's `.strides` or `.itemsize`, directly or through local "
            "variables assigned earlier in the same function."
        ),
        why=(
            "Strides describe one array's memory layout. Another array's strides "
            "step through `b`'s memory as if it had that array's shape: the view "
            "silently reads past `b`, into whatever lies there. A student's CNN "
            "bias broadcast with the input's channel stride added values like 1e300 "
            "to the activations, and nothing crashed."
        ),
        example=(
            "bias_view = as_strided(bias, shape=x.shape, "
            "strides=(0, x.strides[1], 0, 0))"
        ),
        instead=(
            "bias_view = np.broadcast_to(bias[:, None, None], x.shape)  "
            "# or strides=(0, bias.strides[0], 0, 0)"
        ),
        limitations=(
            "Arrays are told apart by name. An alias made by plain assignment, "
            "slicing, `np.asarray` or `.view()` counts as the same array; anything "
            "else (a copy with the same layout) is reported."
        ),
    ),
    Rule(
        code="SST002",
        name="contiguous-strides",
        message=(
            "strides are computed from `{array}`'s shape and itemsize, which assumes "
            "it is C-contiguous: derive them from {array}.strides"
        ),
        what=(
            "Flags strides built from the viewed array's `.itemsize` (and its shape "
            "or constants) without any reference to its `.strides`."
        ),
        why=(
            "Such strides are only right for a fresh C-contiguous array. A slice, a "
            "transpose or a broadcast has other strides, and the view then reads the "
            "wrong elements or past the end."
        ),
        example="as_strided(x, shape=(n, k), strides=(x.itemsize, x.itemsize))",
        instead="as_strided(x, shape=(n, k), strides=(x.strides[0], x.strides[0]))",
        limitations=(
            "Code that calls np.ascontiguousarray first is still reported when the "
            "contiguous copy is not the array being viewed."
        ),
    ),
    Rule(
        code="SST003",
        name="hard-coded-strides",
        message=(
            "hard-coded stride {value}: strides depend on the dtype and the layout; "
            "derive them from {array}.strides"
        ),
        what="Flags integer literals (other than 0) used as strides.",
        why=(
            "A literal stride such as 8 is right for one dtype and one layout. Change "
            "float64 to float32, or pass a slice, and the same literal steps into the "
            "wrong bytes."
        ),
        example="as_strided(x, shape=(4, 3), strides=(8, 8))",
        instead="as_strided(x, shape=(4, 3), strides=(x.strides[0], x.strides[0]))",
        limitations="Literals reached through other modules' constants are not seen.",
    ),
    Rule(
        code="SST004",
        name="missing-writeable-false",
        message=(
            "as_strided views are writeable by default and often overlap: pass "
            "writeable=False unless you must write through the view"
        ),
        what="Flags `as_strided` calls that do not pass `writeable` at all.",
        why=(
            "numpy's documentation advises `writeable=False`: views made with "
            "as_strided often have elements that share memory, so one write changes "
            "several elements, differently for small, large or transposed inputs."
        ),
        example="windows = as_strided(x, shape=shape, strides=strides)",
        instead="windows = as_strided(x, shape, strides, writeable=False)",
        limitations="An explicit `writeable=` of any value is taken as a decision.",
    ),
    Rule(
        code="SST005",
        name="write-into-strided-view",
        message=(
            "in-place write into `{view}`, a writeable as_strided view whose elements "
            "may share memory: write into a copy, or make the view with writeable=False"
        ),
        what=(
            "Flags writes (`v[...] = `, `v += `, `out=v`, `np.copyto(v, ...)`, "
            "`v.fill()`) into a view made by `as_strided` without `writeable=False` "
            "in the same function."
        ),
        why=(
            "Elements of a strided view often alias each other; vectorised writes "
            "then give results that depend on the order numpy happens to use."
        ),
        example="v = as_strided(x, shape=(4, 3), strides=(8, 8))\nv += 1",
        instead="v = as_strided(x, ..., writeable=False)\nresult = v + 1",
        limitations="Only writes in the same function, through the same name.",
    ),
    Rule(
        code="SST006",
        name="use-broadcast-to",
        message=(
            "a zero stride repeats `{array}`: np.broadcast_to does this safely and "
            "read-only (np.broadcast_to({array}, shape))"
        ),
        what="Flags `as_strided` calls whose strides contain a literal 0.",
        why=(
            "Repeating an array along a dimension is a broadcast. np.broadcast_to "
            "checks the shapes and returns a read-only view; a hand-made zero-stride "
            "view checks nothing, and the other strides are easy to get wrong."
        ),
        example="as_strided(b, shape=(n, b.size), strides=(0, b.strides[0]))",
        instead="np.broadcast_to(b, (n, b.size))",
        limitations=(
            "Views that combine a zero stride with a window cannot always be a "
            "broadcast; check the suggestion applies."
        ),
    ),
    Rule(
        code="SST007",
        name="use-sliding-window-view",
        message=(
            "this is a sliding-window view of `{array}`: "
            "numpy.lib.stride_tricks.sliding_window_view({array}, window_shape) "
            "builds it with checked sizes, read-only"
        ),
        what=(
            "Flags `as_strided` calls whose strides repeat a stride of the array "
            "(`x.strides * 2`, `x.strides + x.strides`, `(s, s)`) or whose shape "
            "counts windows (`n - k + 1`)."
        ),
        why=(
            "Window views are the most common use of as_strided and the most common "
            "off-by-one. sliding_window_view computes the window count itself and "
            "returns a read-only view."
        ),
        example="as_strided(x, shape=(x.size - k + 1, k), strides=x.strides * 2)",
        instead="sliding_window_view(x, k)",
        limitations="Windows with steps need slicing after sliding_window_view.",
    ),
    Rule(
        code="SST008",
        name="numpy-as-strided",
        message=(
            "numpy's as_strided checks nothing: use safestride's drop-in "
            "(`from safestride import as_strided`)"
        ),
        what=(
            "Flags imports of `as_strided` from `numpy.lib.stride_tricks`, and calls "
            "of it through module attributes."
        ),
        why=(
            "safestride.as_strided returns the same view for every valid call and "
            "raises a precise error for every invalid one, at no extra cost."
        ),
        example="from numpy.lib.stride_tricks import as_strided",
        instead="from safestride import as_strided",
        limitations=(
            "Only `from ... import` statements are fixed automatically; attribute "
            "calls such as `np.lib.stride_tricks.as_strided(...)` are reported."
        ),
        fixable=True,
    ),
    Rule(
        code="SST900",
        name="syntax-error",
        message="cannot parse this file: {source}",
        what="Reports a file that is not valid Python.",
        why="A file that cannot be parsed cannot be checked.",
        example="def broken(:",
        instead="Fix the syntax error.",
        limitations="One finding per file, at the first error.",
    ),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
