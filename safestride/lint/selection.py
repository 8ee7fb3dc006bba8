"""Which rules run on which file, in ruff's terms.

The default selection is the rules that point at defects (``Rule.default``);
advice rules run when selected. ``select`` replaces the selection below it,
``extend-select`` adds to it, ``ignore`` removes from it; within one layer the
more specific selector wins (``--select SST --ignore SST004``, ``--ignore SST
--select SST001``), and ``ignore`` wins a tie. The command line is a layer
over the configuration file. ``per-file-ignores`` then remove rules from the
files their patterns cover.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from safestride.lint.globs import Glob
from safestride.lint.rules import RULES, Rule

#: The selector that names every rule.
ALL = "ALL"

#: Test suites build out-of-bounds and odd views on purpose: every finding in
#: the test suites of 19 libraries was wrong. Replace with ``per-file-ignores``.
DEFAULT_PER_FILE_IGNORES: Mapping[str, tuple[str, ...]] = {
    "tests": ("SST",),
    "test": ("SST",),
    "test_*.py": ("SST",),
    "*_test.py": ("SST",),
    "conftest.py": ("SST",),
}


class SelectorError(ValueError):
    """A rule selector that names no rule."""


def is_default(rule: Rule) -> bool:
    """Whether `rule` is in the default selection (advice rules are not)."""
    return bool(getattr(rule, "default", True))


def rule_listing() -> str:
    """Every rule as ``CODE (name)``, for error messages."""
    return ", ".join(f"{rule.code} ({rule.name})" for rule in RULES)


def _codes_of(selector: str) -> Iterator[str]:
    for rule in RULES:
        if selector == ALL or rule.code.startswith(selector):
            yield rule.code


def parse_selectors(values: Iterable[str]) -> tuple[str, ...]:
    """Upper-cased selectors; a code or prefix that names no rule is an error.

    Examples
    --------
    >>> from safestride.lint.selection import parse_selectors
    >>> parse_selectors(["sst001", " SST00", "ALL"])
    ('SST001', 'SST00', 'ALL')
    >>> parse_selectors(["SST0001"])
    Traceback (most recent call last):
    ...
    safestride.lint.selection.SelectorError: 'SST0001' is not a rule code or prefix...
    """
    selectors = []
    for value in values:
        selector = value.strip().upper()
        if not selector:
            continue
        if next(_codes_of(selector), None) is None:
            raise SelectorError(
                f"{value.strip()!r} is not a rule code or prefix; the rules are "
                f"{rule_listing()}, or ALL (safestride explain --all)"
            )
        selectors.append(selector)
    return tuple(selectors)


def _specificity(selector: str) -> int:
    return 0 if selector == ALL else len(selector)


@dataclass(frozen=True)
class Selection:
    """The rules that run: `select` (None: the default rules), plus
    `extend_select`, minus `ignore`, over the selection `base`.

    Examples
    --------
    >>> from safestride.lint import Selection
    >>> Selection(["SST00"], ignore=["SST004"]).wants("SST004")
    False
    >>> Selection(ignore=["SST"], extend_select=["SST001"]).wants("SST001")
    True
    >>> cli = Selection(["SST002"])  # the command line replaces the file's select
    >>> sorted(cli.over(Selection(["SST001"])).codes)
    ['SST002']
    """

    select: Sequence[str] | None = None
    ignore: Sequence[str] = ()
    extend_select: Sequence[str] = ()
    base: Selection | None = None

    def __post_init__(self) -> None:
        if self.select is not None:
            object.__setattr__(self, "select", parse_selectors(self.select))
        object.__setattr__(self, "ignore", parse_selectors(self.ignore))
        object.__setattr__(self, "extend_select", parse_selectors(self.extend_select))

    @cached_property
    def codes(self) -> frozenset[str]:
        """The codes of the rules that run."""
        if self.base is not None:
            enabled = set(self.base.codes)
        else:
            enabled = {rule.code for rule in RULES if is_default(rule)}
        chosen = [(s, True) for s in (*(self.select or ()), *self.extend_select)]
        chosen += [(s, False) for s in self.ignore]
        updates: dict[str, bool] = {}
        # least specific first, and at equal specificity ignore last: it wins
        for selector, on in sorted(
            chosen, key=lambda c: (_specificity(c[0]), not c[1])
        ):
            updates.update(dict.fromkeys(_codes_of(selector), on))
        if self.select is not None:
            enabled = set()
        enabled |= {code for code, on in updates.items() if on}
        enabled -= {code for code, on in updates.items() if not on}
        return frozenset(enabled)

    def wants(self, code: str) -> bool:
        """Whether the rule `code` runs."""
        return code in self.codes

    def over(self, base: Selection) -> Selection:
        """This selection as a layer over `base` (a command line over a file)."""
        below = base if self.base is None else self.base.over(base)
        return replace(self, base=below)


@dataclass(frozen=True)
class PerFileIgnore:
    """Rules (`selectors`) that do not apply to the files `glob` covers.

    A `negated` entry applies to the files it does *not* cover.
    """

    glob: Glob
    negated: bool
    selectors: tuple[str, ...]

    def applies_to(self, relative: str) -> bool:
        return self.glob.covers(relative) != self.negated


def per_file_ignores(
    mapping: Mapping[str, Iterable[str]],
) -> tuple[PerFileIgnore, ...]:
    """Entries from a ``{pattern: [selectors]}`` table."""
    entries = []
    for pattern, selectors in mapping.items():
        negated = pattern.startswith("!")
        glob = Glob.compile(pattern[1:] if negated else pattern)
        entries.append(PerFileIgnore(glob, negated, parse_selectors(selectors)))
    return tuple(entries)


def ignored_codes(entries: Sequence[PerFileIgnore], relative: str) -> frozenset[str]:
    """The codes `entries` ignore in the file at `relative` (from the root)."""
    return frozenset(
        code
        for entry in entries
        if entry.applies_to(relative)
        for selector in entry.selectors
        for code in _codes_of(selector)
    )
