"""The lint rules: one table, each with what it flags, why, and what instead."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One lint rule, documented the way ruff documents its rules.

    `message` is the one-line finding, a format string over the names the
    checker supplies (``array``, ``source``, ``value``, ``view``, ``detail``).
    `default` says whether the rule is in the default selection: True for
    rules that point at defects, False for advice (opt in with ``--select``,
    ``extend-select`` or ``ALL``).
    """

    code: str
    name: str
    message: str
    what: str
    why: str
    example: str
    instead: str
    limitations: str
    default: bool = True
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
            "Flags a stride taken whole from another array's `.strides` (directly "
            "or through local variables), when the code shows that other thing is "
            "an array, it is not the viewed array (or a slice, view or copy of "
            "it), and it is not known to have the viewed array's shape."
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
        instead="bias_view = np.broadcast_to(bias[:, None, None], x.shape)",
        limitations=(
            "Another array's `.itemsize` is not reported: it is the same whenever "
            "the dtypes are. A `strides` attribute of something the code does not "
            "show to be an array (`layer.strides`, `self.strides`, a name never "
            "used with `.shape` or `.dtype`) is taken for a setting, not strides. "
            "Arrays made by `np.asarray`, slicing, `.view()`, copies and "
            "`np.*_like` count as the array they come from."
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
            "Flags strides built from an `.itemsize` (and shapes or constants) "
            "without any `.strides`, on an array that is not known to be "
            "C-contiguous. Quiet on a call that SST009 or SST010 reports (one "
            "finding per defect: those name what the strides get wrong)."
        ),
        why=(
            "Such strides are only right for a C-contiguous array. A slice, a "
            "transpose or a broadcast has other strides, and the view then reads "
            "the wrong elements, or past the end."
        ),
        example="as_strided(x, shape=(n - k + 1, k), strides=(x.itemsize, x.itemsize))",
        instead=(
            "as_strided(x, shape=(n - k + 1, k), strides=(x.strides[0], x.strides[0]), "
            "writeable=False)"
        ),
        limitations=(
            "An array is known to be C-contiguous when the same function made it "
            "(`np.zeros`, `np.ascontiguousarray`, `np.pad`, `.copy()`, "
            "`.ravel()`...); a contiguous array passed in from elsewhere is "
            "reported."
        ),
    ),
    Rule(
        code="SST003",
        name="hard-coded-strides",
        message=(
            "hard-coded stride {value}: strides depend on the dtype and the layout; "
            "derive them from {array}.strides"
        ),
        what=(
            "Flags integer literals (other than 0) used as strides, unless the same "
            "function made the array with a known dtype and shape. Quiet on a call "
            "that SST009 or SST010 reports."
        ),
        why=(
            "A literal stride such as 8 is right for one dtype and one layout. Pass "
            "a float32 array, or a slice, and the same literal steps into the wrong "
            "bytes. On an array made next to the call, SST009 and SST010 check the "
            "literal instead."
        ),
        example="as_strided(x, shape=(4, 3), strides=(8, 8))",
        instead=(
            "as_strided(x, shape=(4, 3), strides=(x.strides[0], x.strides[0]), "
            "writeable=False)"
        ),
        limitations="Literals reached through other modules' constants are not seen.",
    ),
    Rule(
        code="SST004",
        name="missing-writeable-false",
        message=(
            "as_strided views are writeable by default and often overlap: pass "
            "writeable=False unless you must write through the view"
        ),
        what=(
            "Flags `as_strided` calls that do not pass `writeable`, unless the view "
            "is used up at once: copied (`.copy()`, `np.ascontiguousarray`), "
            "reduced (`.max()`, `.sum()`, `np.einsum`, `@`), reshaped (also after "
            "`.transpose()`), dropped, or kept in a name that is only ever used "
            "that way or whose flag is set by hand (`.setflags(write=...)`)."
        ),
        why=(
            "numpy's documentation advises `writeable=False`: views made with "
            "as_strided often have elements that share memory, so one write changes "
            "several elements, differently for small, large or transposed inputs. "
            "Advice, not a defect (not in the default selection): SST005 reports "
            "the writes that do happen."
        ),
        example="windows = as_strided(x, shape, strides)",
        instead="windows = as_strided(x, shape, strides, writeable=False)",
        limitations=(
            "An explicit `writeable=` of any value is taken as a decision. A "
            "`.reshape()` is taken to copy; one that does not returns a writeable "
            "view."
        ),
        default=False,
    ),
    Rule(
        code="SST005",
        name="write-into-strided-view",
        message=(
            "in-place write into `{view}`, a writeable as_strided view whose elements "
            "share memory: write into a copy, or make the view with writeable=False"
        ),
        what=(
            "Flags writes (`v[...] = `, `v += `, `out=v`, `np.copyto(v, ...)`, "
            "`v.fill()`) into a view made by `as_strided` without `writeable=False` "
            "in the same function, when its elements share memory: a zero stride, "
            "or the same stride on two dimensions longer than 1."
        ),
        why=(
            "Elements of such a view alias each other: a vectorised write then gives "
            "results that depend on the order numpy happens to use."
        ),
        example="v = as_strided(x, shape=(4, 3), strides=(x.strides[0],) * 2)\nv += 1",
        instead=(
            "v = as_strided(x, shape=(4, 3), strides=(x.strides[0],) * 2, "
            "writeable=False)\nresult = v + 1"
        ),
        limitations=(
            "Only writes in the same function, through the same name; views whose "
            "overlap depends on sizes the code does not show are not reported."
        ),
    ),
    Rule(
        code="SST006",
        name="use-broadcast-to",
        message=(
            "a zero stride repeats `{array}` along an axis: np.broadcast_to does "
            "this with checked shapes, read-only (give `{array}` as many axes as "
            "the new shape first, such as {array}[:, None, None])"
        ),
        what="Flags `as_strided` calls whose strides contain a 0.",
        why=(
            "Repeating an array along a dimension is a broadcast. np.broadcast_to "
            "checks the shapes and returns a read-only view; a hand-made zero-stride "
            "view checks nothing, and the other strides are easy to get wrong. "
            "Advice, not a defect (not in the default selection)."
        ),
        example="as_strided(b, shape=(n, b.size), strides=(0, b.strides[0]))",
        instead="np.broadcast_to(b, (n, b.size))",
        limitations=(
            "Views that combine a zero stride with a window cannot always be a "
            "broadcast; check the suggestion applies."
        ),
        default=False,
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
            "returns a read-only view. Advice, not a defect (not in the default "
            "selection): SST009 reports window counts that are wrong."
        ),
        example="as_strided(x, shape=(x.size - k + 1, k), strides=x.strides * 2)",
        instead="sliding_window_view(x, k)",
        limitations="Windows with steps need slicing after sliding_window_view.",
        default=False,
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
            "raises a precise error for every invalid one, at no extra cost. "
            "Advice, not a defect (not in the default selection): libraries and "
            "test suites use numpy's on purpose."
        ),
        example="from numpy.lib.stride_tricks import as_strided",
        instead="from safestride import as_strided",
        limitations=(
            "Only `from ... import` statements are fixed automatically; attribute "
            "calls such as `np.lib.stride_tricks.as_strided(...)` are reported."
        ),
        default=False,
        fixable=True,
    ),
    Rule(
        code="SST009",
        name="view-out-of-bounds",
        message="as_strided view out of bounds: it {detail}",
        what=(
            "Flags views that the source proves reach outside their array. Sizes "
            "are worked out from literals, module constants, arrays made in the "
            "same function (`np.zeros`, `np.arange`, `np.array([...])`, `np.pad`, "
            "...), and symbolically: sizes written in terms of `x.shape[i]` "
            "(or names unpacked from `x.shape`) with strides that are multiples of "
            "`x.strides[i]`. The message says which dimensions reach how far, as "
            "the runtime error does. A window count that fits one size only is "
            "reported with the condition that keeps it in bounds: `n - 2` windows "
            "of `k` items (`unless k <= 3`), `h - kh + 1` windows stepping "
            "`sh` rows (`unless sh == 1`)."
        ),
        why=(
            "A view that reaches past its array reads whatever lies there, "
            "silently: other arrays, allocator bookkeeping, values like 1e300. "
            "Typical causes are one window too many (`n - k + 2`), and offset axes "
            "stacked on top of full windows (`shape=(kh, kw, n, c, oh, ow, kh, kw)` "
            "with `oh = (h - kh) // s + 1`), which reads `kh - 1` rows past the "
            "input, and window counts that hard-code a kernel size (`h - 2`) or "
            "forget the step: right for the sizes the author tried, out of bounds "
            "for the next model."
        ),
        example=(
            "a = np.arange(5.0)\n"
            "pairs = as_strided(a, shape=(5, 2), strides=a.strides * 2)"
        ),
        instead=(
            "a = np.arange(5.0)\n"
            "pairs = as_strided(a, shape=(len(a) - 1, 2), strides=a.strides * 2, "
            "writeable=False)"
        ),
        limitations=(
            "Only what the source proves: sizes from parameters or helpers are "
            "unknown, and a view is reported when some sizes make it overrun "
            "(floor divisions that divide evenly, axes it does not step along of "
            "length 1), assuming the array's strides are positive. A condition "
            "is only stated on one size the code takes as it comes (a parameter, "
            "an array's shape, a setting on `self`), when every large enough "
            "array overruns without it; checks elsewhere (`assert k == 3`) are not "
            "read. Views whose bounds depend on how two arrays' sizes relate "
            "(windows counted from the forward pass's input over the backward "
            "pass's gradient), or on values only known at run time, are not "
            "reported: `safestride.as_strided` checks them at run time."
        ),
    ),
    Rule(
        code="SST010",
        name="misaligned-strides",
        message="stride is not a whole number of items: {detail}",
        what=(
            "Flags strides divided by an itemsize (`xw // itemsize`, "
            "`x.strides[0] // 8`), and literal strides that are not a multiple of "
            "the itemsize of an array of known dtype."
        ),
        why=(
            "Strides count bytes. A byte stride divided by the itemsize counts "
            "items, so each step lands inside an item and the view reads bytes "
            "of two neighbours as one number: misaligned garbage such as 1e306 in "
            "a max-pool."
        ),
        example=(
            "step = x.strides[0] // x.itemsize\n"
            "rows = as_strided(x, shape=(3, 2), strides=(2 * step, step))"
        ),
        instead=(
            "step = x.strides[0]\n"
            "rows = as_strided(x, shape=(3, 2), strides=(2 * step, step), "
            "writeable=False)"
        ),
        limitations=(
            "A stride divided by a number is reported when the number is the "
            "array's itemsize, or (dtype unknown) 2, 4, 8 or 16; dividing by a "
            "shape (`x.strides[0] // x.shape[1]`) is not."
        ),
    ),
    Rule(
        code="SST011",
        name="windows-from-another-array",
        message="windows counted from another array: {detail}",
        what=(
            "Flags a window view (two or more dimensions stepping along one "
            "axis: a window count and a window) over an array the function "
            "made with a length worked out from other sizes (`np.pad(grad, k - "
            "1)`), when the view fits that length only through a relation "
            "between two arrays' sizes that nothing in the function states, "
            "and the windows are counted from an array the viewed one is not "
            "made of. The message states the relation that keeps the view in "
            "bounds."
        ),
        why=(
            "A convolution's backward pass that counts its windows from the "
            "forward input's height and lays them over the padded output "
            "gradient is in bounds only while the gradient is exactly as tall "
            "as a stride-1 output. With a stride of 2 it reads thousands of "
            "bytes past the gradient, silently, the first time a model uses "
            "that stride. Counting the windows from the padded array itself "
            "cannot overrun."
        ),
        example=(
            "def input_gradient(x, grad, w):\n"
            "    k = w.shape[0]\n"
            "    padded = np.pad(grad, ((k - 1, k - 1),))\n"
            "    s = padded.strides[0]\n"
            "    return as_strided(padded, (x.shape[0], k), (s, s)) @ w[::-1]"
        ),
        instead=(
            "def input_gradient(grad, w):\n"
            "    k = w.shape[0]\n"
            "    padded = np.pad(grad, ((k - 1, k - 1),))\n"
            "    s = padded.strides[0]\n"
            "    count = padded.shape[0] - k + 1\n"
            "    windows = as_strided(padded, (count, k), (s, s), writeable=False)\n"
            "    return windows @ w[::-1]"
        ),
        limitations=(
            "Only views over an array made in the same function, whose length "
            "there is computed (padded, dilated, allocated from sizes): a view "
            "over an array the function receives (a weight gradient counted "
            "from the output gradient over the forward input) rests on the "
            "caller's contract and is not reported. A buffer allocated from "
            "the input's sizes and read with windows counted from the output "
            "gradient (`col2im`) is correct code this rule would report: the "
            "relation holds through the forward pass, out of sight. A helper "
            "defined in the same module (a function, or a method called "
            "through `self`) that makes the view is read with each call's "
            "arguments, and the finding is at the call "
            "(`self.get_windows(dz, out_shape=x.shape)`); there the array's "
            "length may be unknown, if a numpy call that makes an array of a "
            "new length (`np.pad`, `np.insert`, `np.zeros`, ...) made it. "
            "Helpers in other modules are not followed."
        ),
    ),
    Rule(
        code="SST012",
        name="lowest-byte-offset",
        message=(
            "offset of `{array}`'s lowest byte kept with {array}.strides (together "
            "at line {line}): when a stride is negative, the first element of "
            "`{array}` is not at its lowest byte, so a view rebuilt from this offset "
            "with these strides starts at the wrong byte and reaches before the "
            "memory; keep the offset of {array}[0, ..., 0] (the lowest byte minus "
            "the reach of the negative strides, sum((n - 1) * s for n, s in "
            "zip({array}.shape, {array}.strides) if s < 0)), or make it contiguous "
            "first (np.ascontiguousarray)"
        ),
        what=(
            "Flags the lowest byte of an array (`byte_bounds(a)[0]`, through any "
            "name numpy's `byte_bounds` has, and through local names and sums) "
            "kept with the same array's `a.strides` in one tuple, list, dict or "
            "call, when nothing in the function shows the strides are not "
            "negative: a sign test on them (`any(s < 0 for s in a.strides)`), "
            "a contiguity flag (`a.flags.c_contiguous`) tested in a branch that "
            "holds them, or `a` made contiguous."
        ),
        why=(
            "An array's layout is its first element's place and its strides. "
            "`byte_bounds(a)[0]` is the lowest byte, which is the first "
            "element's only while no stride is negative: in a reversed view "
            "(`x[::-1]`) the first element is the highest byte. A view rebuilt "
            "from the lowest byte with negative strides walks backwards from "
            "there, out of its memory. joblib 1.6.0 pickles memory-mapped views "
            "this way, and its workers read other values than the parent sent."
        ),
        example=(
            "def layout(a, base):\n"
            "    start = np.lib.array_utils.byte_bounds(a)[0]\n"
            "    offset = start - np.lib.array_utils.byte_bounds(base)[0]\n"
            "    return (offset, a.shape, a.strides)"
        ),
        instead=(
            "def layout(a, base):\n"
            "    first = a.__array_interface__['data'][0]  # where a[0, ..., 0] is\n"
            "    offset = first - base.__array_interface__['data'][0]\n"
            "    return (offset, a.shape, a.strides)\n"
            "\n"
            "offset, shape, strides = layout(x[::-2], x)"
        ),
        limitations=(
            "Read by name within one function, not by order: a sign test or "
            "a contiguity check anywhere in it quiets the rule, and an offset "
            "kept in one function with strides taken in another is not seen. "
            "Offsets taken from `a.__array_interface__` or `a.ctypes.data` are "
            "the first element's and are not reported."
        ),
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
