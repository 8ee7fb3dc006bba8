"""``safestride lint``: a static checker for risky ``as_strided`` call sites.

It reads source text and never imports numpy or runs the code it checks.
"""

from safestride.lint.engine import Selection, apply_fixes, lint_file, lint_source
from safestride.lint.findings import Edit, Finding, Fix
from safestride.lint.rules import RULES, RULES_BY_CODE, Rule

__all__ = [
    "RULES",
    "RULES_BY_CODE",
    "Edit",
    "Finding",
    "Fix",
    "Rule",
    "Selection",
    "apply_fixes",
    "lint_file",
    "lint_source",
]
