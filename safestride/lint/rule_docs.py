"""The rule reference, written from the rule table so the two never drift.

``docs/lint_rules.rst`` is this module's output (a test keeps them equal);
``safestride explain SST001`` prints one rule the same way.
"""

from __future__ import annotations

import re
import textwrap

from safestride.lint.rules import RULES, Rule

HEADER = """\
Lint rule reference
===================

.. This page is generated from safestride/lint/rules.py:
   python -m safestride.lint.rule_docs > docs/lint_rules.rst

Every rule has a stable code with the prefix ``SST``. Select or ignore them
with ``--select``/``--ignore`` or ``[tool.safestride.lint]``, and silence one
line with ``# noqa: SST001``.

The default selection holds the rules that point at defects; the advice
rules (SST004, SST006, SST007, SST008) run when selected, for example with
``--extend-select SST004`` or ``--select ALL``.
"""


def _literal(text: str) -> str:
    """Markdown-style `code` as reStructuredText ``code``."""
    return re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text)


def _code_block(text: str) -> str:
    return ".. code-block:: python\n\n" + textwrap.indent(text, "   ") + "\n"


def render_rule(rule: Rule) -> str:
    """One rule, in the sections of ruff's rule pages."""
    title = f"{rule.code} ({rule.name})"
    fixable = "\n*An automatic fix is available (``--fix``).*\n" if rule.fixable else ""
    return "\n".join(
        [
            f".. _{rule.code.lower()}:",
            "",
            title,
            "-" * len(title),
            "",
            f"*{_selection(rule)}*",
            fixable,
            "**What it does.** " + _literal(rule.what),
            "",
            "**Why is this bad?** " + _literal(rule.why),
            "",
            "**Example.**",
            "",
            _code_block(rule.example),
            "**Use instead.**",
            "",
            _code_block(rule.instead),
            "**Known limitations.** " + _literal(rule.limitations),
            "",
        ]
    )


def _selection(rule: Rule) -> str:
    if rule.default:
        return "In the default selection: it points at a defect."
    return (
        "Advice, not in the default selection: select it with "
        f"``--select {rule.code}``."
    )


def render_all() -> str:
    """The whole reference page."""
    return HEADER + "\n" + "\n".join(render_rule(rule) for rule in RULES)


def explain(code: str) -> str | None:
    """A rule as plain text, for the terminal; None for an unknown code."""
    for rule in RULES:
        if rule.code == code.upper():
            return (
                f"{rule.code} {rule.name}\n\n"
                f"{_selection(rule).replace('``', '')}\n\n"
                f"What it does: {rule.what}\n\n"
                f"Why is this bad? {rule.why}\n\n"
                f"Example:\n{textwrap.indent(rule.example, '    ')}\n\n"
                f"Use instead:\n{textwrap.indent(rule.instead, '    ')}\n\n"
                f"Known limitations: {rule.limitations}\n"
            )
    return None


if __name__ == "__main__":
    print(render_all(), end="")
