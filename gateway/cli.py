"""The ``citizen-graph`` command line.

Each subcommand is a module of :mod:`gateway.commands`, found there (no list to
keep), that exposes ``register(subparsers)``: it adds its parser and sets
``handler``, a function of the parsed arguments that returns the exit status.
"""

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from gateway import commands


def command_names() -> list[str]:
    """The modules of :mod:`gateway.commands`, each one subcommand, sorted."""
    return sorted(info.name for info in pkgutil.iter_modules(commands.__path__))


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="citizen-graph",
        description="A GraphQL federation layer for the citizen portal.",
    )
    parser.add_argument(
        "--log-level", default="INFO", help="logging level (default INFO)"
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in command_names():
        module = importlib.import_module(f"gateway.commands.{name}")
        module.register(subparsers)
    return parser


def configure_logging(level: str) -> None:
    """One JSON object per log line on standard error."""
    from gateway.logs import JsonFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand and return its exit status."""
    args = build_parser().parse_args(argv)
    configure_logging(args.log_level)
    status: int = args.handler(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
