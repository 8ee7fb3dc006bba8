"""The ``safestride`` command: ``demo``, ``run``, ``lint`` and ``explain``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from safestride.options import BOUNDS_CHOICES, POLICIES


def _add_run(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = commands.add_parser(
        "run",
        help="run a Python program with every as_strided checked",
        description=(
            "Run a program exactly as `python script.py` or `python -m module` would, "
            "with the safestride guard installed in it and in its multiprocessing "
            "children. At exit, print every unsafe view with the line that made it."
        ),
        usage="safestride run [options] (script.py | -m module) [args ...]",
    )
    run.add_argument(
        "--policy",
        choices=POLICIES,
        default="raise",
        help="raise at the first unsafe view (default), warn once per line, or "
        "only record",
    )
    run.add_argument(
        "--bounds",
        choices=BOUNDS_CHOICES,
        default="array",
        help="what a view may touch (default: array; elements is exhaustive)",
    )
    run.add_argument(
        "--report", metavar="FILE.json", help="also write the report as JSON"
    )
    run.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit with the program's own code even if unsafe views were made",
    )
    run.add_argument(
        "-m", dest="module", metavar="MODULE", help="run a module as a script"
    )
    run.add_argument("target", nargs="?", help="the script to run")
    run.add_argument("arguments", nargs=argparse.REMAINDER, help="its arguments")


def _add_lint(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from safestride.lint.command import add_arguments

    lint = commands.add_parser(
        "lint",
        help="flag risky as_strided call sites, statically",
        description=(
            "Check Python source for risky as_strided call sites without running "
            "or importing it. Exit codes: 0 clean, 1 findings, 2 usage or internal "
            "error."
        ),
    )
    add_arguments(lint)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safestride",
        description="numpy's stride tricks, checked.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="the 1e300 story: a CNN with a stale-strides bias, caught and fixed",
        description=(
            "Train a small numpy CNN three times on an embedded dataset: with the "
            "stale-strides bias bug, under the safestride guard, and fixed."
        ),
    )
    demo.add_argument("--quick", action="store_true", help="a short run (seconds)")
    demo.add_argument(
        "--dataset",
        choices=("glyphs", "digits"),
        default="glyphs",
        help="embedded glyphs (default) or scikit-learn's digits",
    )
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument(
        "--plot",
        metavar="FILE.png",
        help="draw loss/accuracy curves and filters (needs matplotlib)",
    )
    _add_run(commands)
    _add_lint(commands)
    _add_explain(commands)
    return parser


def _add_explain(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    explain = commands.add_parser(
        "explain",
        help="explain a lint rule: safestride explain SST001",
        description="Print what a lint rule flags, why, and what to write instead.",
    )
    explain.add_argument("code", nargs="?", help="a rule code such as SST001")
    explain.add_argument("--all", action="store_true", help="explain every rule")


def _explain(arguments: argparse.Namespace) -> int:
    from safestride.lint.rule_docs import explain
    from safestride.lint.rules import RULES
    from safestride.lint.selection import rule_listing

    if arguments.all:
        rule = "\n" + "-" * 72 + "\n\n"
        print(rule.join(explain(r.code) or "" for r in RULES), end="")
        return 0
    if arguments.code is None:
        print(
            "safestride explain: name a rule (safestride explain SST001) or give "
            f"--all; the rules are {rule_listing()}",
            file=sys.stderr,
        )
        return 2
    text = explain(arguments.code)
    if text is None:
        print(
            f"safestride explain: no rule {arguments.code!r}; the rules are "
            f"{rule_listing()}",
            file=sys.stderr,
        )
        return 2
    print(text, end="")
    return 0


def _run(arguments: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from safestride.guard.run import RunOptions, run_program

    if arguments.module is not None:
        rest = [arguments.target, *arguments.arguments] if arguments.target else []
        target, module = arguments.module, True
    elif arguments.target is not None:
        rest, target, module = list(arguments.arguments), arguments.target, False
    else:
        parser.error("run needs a script or -m MODULE")
    return run_program(
        RunOptions(
            target=target,
            arguments=tuple(rest),
            module=module,
            policy=arguments.policy,
            bounds=arguments.bounds,
            report_path=arguments.report,
            exit_zero=arguments.exit_zero,
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
    arguments = parser.parse_args(argv)
    if arguments.command == "demo":
        from safestride.demo import DemoOptions, check_options, run

        options = DemoOptions(
            quick=arguments.quick,
            dataset=arguments.dataset,
            seed=arguments.seed,
            plot=arguments.plot,
        )
        try:  # before any training: a missing package, an unwritable --plot
            check_options(options)
        except ValueError as error:
            print(f"safestride demo: {error}", file=sys.stderr)
            return 2
        return run(sys.stdout, options)
    if arguments.command == "run":
        return _run(arguments, parser)
    if arguments.command == "explain":
        return _explain(arguments)
    if arguments.command == "lint":
        from safestride.lint.command import run_safely

        return run_safely(arguments)
    raise AssertionError(arguments.command)  # pragma: no cover - argparse rejects


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
