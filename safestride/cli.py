"""The ``safestride`` command: ``demo``, ``run``, ``lint`` and ``explain``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from safestride.options import (
    BOUNDS_CHOICES,
    DEFAULT_BOUNDS,
    DEFAULT_LIBRARY_BOUNDS,
    POLICIES,
)

_RUN_EPILOG = """\
The program runs as `python script.py args`, `python -m module args` or
`python - args` would run it: everything after the script, the module or `-`
is the program's, even words that look like safestride's options.

exit codes:
  the program's own   its exit code; killed by a signal, safestride run
                      dies of the same signal after the report
  3                   the program exited 0 but made unsafe views
                      (unless --keep-exit-code)
  2                   safestride run could not start it (a missing script or
                      module, an unwritable --report path, a bad option)
"""

#: ``safestride run``'s options that take a value: the word after is theirs.
_RUN_VALUED = ("--policy", "--bounds", "--library-bounds", "--suppressions", "--report")


def _add_run(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = commands.add_parser(
        "run",
        help="run a Python program with every as_strided checked",
        description=(  # laid out by hand: the epilog's table needs a raw formatter
            "Run a program exactly as python would, with the safestride guard\n"
            "installed in it and in every Python process it starts. At exit,\n"
            "print the unsafe views it made, one entry per line of code that\n"
            "made them."
        ),
        usage="safestride run [options] (script.py | -m module | -) [args ...]",
        epilog=_RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
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
        default=DEFAULT_BOUNDS,
        help=f"what a view made by your own code may touch (default: "
        f"{DEFAULT_BOUNDS}, exactly the elements of the array it views)",
    )
    run.add_argument(
        "--library-bounds",
        choices=BOUNDS_CHOICES,
        default=DEFAULT_LIBRARY_BOUNDS,
        help="what a view made by installed code (site-packages, the standard "
        f"library, numpy) may touch (default: {DEFAULT_LIBRARY_BOUNDS}, its own "
        "allocation)",
    )
    run.add_argument(
        "--suppressions",
        metavar="FILE",
        help="known-benign call sites, one 'module:function  # reason' a line; "
        "not reported, counted in the summary",
    )
    run.add_argument(
        "--report",
        metavar="FILE.json",
        help="also write every unsafe view, in full, to this JSON file",
    )
    run.add_argument(
        "--keep-exit-code",
        action="store_true",
        help="exit with the program's own code even when it made unsafe views "
        "(by default a program that exits 0 but made some exits 3)",
    )
    run.add_argument(  # the old name of --keep-exit-code
        "--exit-zero", action="store_true", help=argparse.SUPPRESS
    )


def split_run_arguments(words: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split what follows ``safestride run`` into its options and the program.

    As python does, the program starts at the first word that is not an
    option: a script, ``-m`` (with the module glued on or next), ``-``, or
    the word after ``--``. Everything from there on is the program's.

    Examples
    --------
    >>> split_run_arguments(["--policy", "warn", "-m", "pkg", "--policy", "x"])
    (['--policy', 'warn'], ['-m', 'pkg', '--policy', 'x'])
    >>> split_run_arguments(["train.py", "--epochs", "3"])
    ([], ['train.py', '--epochs', '3'])
    """
    options: list[str] = []
    position = 0
    while position < len(words):
        word = words[position]
        if word == "--":
            return options, list(words[position + 1 :])
        if word == "-" or word.startswith("-m") or not word.startswith("-"):
            return options, list(words[position:])
        options.append(word)
        if word in _RUN_VALUED and position + 1 < len(words):
            options.append(words[position + 1])
            position += 1
        position += 1
    return options, []


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
        epilog=(
            "exit codes: 0 success; 1 lint findings; 2 a usage error; 3 "
            "`safestride run`: the program exited 0 but made unsafe views (its "
            "other exit codes are passed on). See `safestride COMMAND --help`."
        ),
    )
    from safestride import __version__

    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
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


def _run(
    arguments: argparse.Namespace,
    program: list[str],
    parser: argparse.ArgumentParser,
) -> int:
    from safestride.guard.run import RunOptions, end_like, run_program

    if not program:
        parser.error("run needs a script, -m MODULE, or - (the program on stdin)")
    if program[0].startswith("-m"):
        module = program[0][2:] or (program[1] if len(program) > 1 else "")
        if not module:
            parser.error("run -m needs a module name: safestride run -m pkg.module")
        rest = program[1:] if program[0] != "-m" else program[2:]
        target, is_module = module, True
    else:
        target, rest, is_module = program[0], program[1:], False
    if arguments.exit_zero:
        print(
            "safestride run: --exit-zero is deprecated and will go: it keeps the "
            "program's own exit code, so it is now spelled --keep-exit-code.",
            file=sys.stderr,
        )
    return end_like(
        run_program(
            RunOptions(
                target=target,
                arguments=tuple(rest),
                module=is_module,
                policy=arguments.policy,
                bounds=arguments.bounds,
                library_bounds=arguments.library_bounds,
                suppressions_path=arguments.suppressions,
                report_path=arguments.report,
                keep_exit_code=arguments.keep_exit_code or arguments.exit_zero,
            )
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = _parser()
    words = list(sys.argv[1:] if argv is None else argv)
    program: list[str] = []
    if words[:1] == ["run"]:  # the program's own words are not safestride's
        run_options, program = split_run_arguments(words[1:])
        words = ["run", *run_options]
    arguments = parser.parse_args(words)
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
        return _run(arguments, program, parser)
    if arguments.command == "explain":
        return _explain(arguments)
    if arguments.command == "lint":
        from safestride.lint.command import run_safely

        return run_safely(arguments)
    raise AssertionError(arguments.command)  # pragma: no cover - argparse rejects


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
