"""The ``safestride`` command: ``safestride demo``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safestride",
        description="numpy's stride tricks, checked.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "demo", help="the 1e300 story: a stale-strides bias broadcast, caught"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    arguments = _parser().parse_args(argv)
    if arguments.command == "demo":
        from safestride import _demo

        return _demo.run(sys.stdout)
    raise AssertionError(arguments.command)  # pragma: no cover - argparse rejects


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
