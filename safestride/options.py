"""The values safestride's options take. Free of numpy: the CLI, the linter
and the pytest plugin import it without loading numpy."""

from __future__ import annotations

from typing import Literal

Bounds = Literal["array", "buffer", "elements"]
BOUNDS_CHOICES: tuple[Bounds, ...] = ("array", "buffer", "elements")

Policy = Literal["raise", "warn", "record"]
POLICIES: tuple[Policy, ...] = ("raise", "warn", "record")

#: What ``pytest --safestride`` takes.
PLUGIN_MODES = ("raise", "warn", "off")
