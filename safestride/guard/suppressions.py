"""Known-benign call sites the guard does not report, as sanitizers do.

A rule names the function that called ``as_strided`` by module and function
name (shell-style wildcards allowed), with the reason it is benign. Every
view a rule hides is counted in the report's summary, so nothing is hidden
silently. A suppressions file has one rule a line, ``module:function``,
then ``#`` and the reason; blank lines and lines starting with ``#`` are
skipped, as in ASan's and TSan's suppression files.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Suppression:
    """One known-benign call site: who calls ``as_strided``, and why it is fine.

    Examples
    --------
    >>> rule = Suppression.parse("mylib.frames:_shape_only  # only the shape is used")
    >>> rule.matches("mylib.frames", "_shape_only"), rule.reason
    (True, 'only the shape is used')
    """

    module: str
    function: str
    reason: str = ""

    @property
    def name(self) -> str:
        """``module:function``, as written in a suppressions file."""
        return f"{self.module}:{self.function}"

    def matches(self, module: str, function: str) -> bool:
        """Whether a call from `function` in `module` is this rule's."""
        return fnmatch.fnmatchcase(module, self.module) and fnmatch.fnmatchcase(
            function, self.function
        )

    @classmethod
    def parse(cls, line: str, where: str = "suppression") -> Suppression:
        """Read ``module:function  # reason``; raise naming `where` if malformed."""
        rule, _, reason = line.partition("#")
        module, colon, function = rule.strip().partition(":")
        if (
            not colon
            or not module.strip()
            or not function.strip()
            or " " in rule.strip()
        ):
            raise ValueError(
                f"{where}: {line.strip()!r} is not a suppression. Write "
                f"'module:function  # reason', for example "
                f"'scipy.linalg._special_matrices:toeplitz  # walks back on purpose'."
            )
        return cls(module.strip(), function.strip(), reason.strip())


#: Sites in numpy whose out-of-bounds views are never read.
BUILT_IN: tuple[Suppression, ...] = tuple(
    Suppression(
        module,
        "_parse_input_dimensions",
        "np.vectorize(signature=...) views a 0-d array with a loop's shape only "
        "to broadcast shapes; nothing reads its memory",
    )
    for module in ("numpy.lib._function_base_impl", "numpy.lib.function_base")
)


def read_file(path: str | Path) -> tuple[Suppression, ...]:
    """The rules of a suppressions file, each error naming its line.

    Raises
    ------
    OSError
        The file cannot be read.
    ValueError
        A line is not ``module:function  # reason``.
    """
    rules = []
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            rules.append(Suppression.parse(line, f"{path}:{number}"))
    return tuple(rules)


def rules(given: Iterable[str | Suppression]) -> tuple[Suppression, ...]:
    """The built-in rules plus `given` ones (strings are parsed)."""
    if isinstance(given, str):
        raise TypeError(
            f"suppressions must be a list of 'module:function' rules; got the "
            f"string {given!r}. Wrap it in a list: [{given!r}]."
        )
    try:
        listed = list(given)
    except TypeError:
        raise TypeError(
            f"suppressions must be a list of 'module:function' rules; got "
            f"{type(given).__name__} {given!r}. Leave it out for none."
        ) from None
    for rule in listed:
        if not isinstance(rule, (str, Suppression)):
            raise TypeError(
                f"suppressions: each rule must be a 'module:function  # reason' "
                f"string or a Suppression; got {type(rule).__name__} {rule!r}."
            )
    extra = [
        rule if isinstance(rule, Suppression) else Suppression.parse(rule)
        for rule in listed
    ]
    return (*BUILT_IN, *extra)


def matching(
    suppressions: Iterable[Suppression], module: str, function: str
) -> Suppression | None:
    """The first rule for a call from `function` in `module`, if any."""
    for rule in suppressions:
        if rule.matches(module, function):
            return rule
    return None
