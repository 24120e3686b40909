"""The ``imvo-coach`` command line: a thin layer over the library modules.

Each subcommand lives in its own module with ``register(subparsers)`` that adds a parser
whose ``handler`` default takes the parsed arguments and returns an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Modules that register a subcommand, in the order --help lists them.
SUBCOMMAND_MODULES = (
    "bot.cli_kb",
    "bot.cli_run",
    "bot.cli_export",
    "bot.cli_chat",
    "bot.cli_eval",
    "bot.cli_model",
    "bot.cli_data",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="imvo-coach",
        description="IMVO-coach: checklists on responsible business conduct for works "
        "councils and union officials.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in SUBCOMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
