"""``citizen-graph compose``: print the supergraph SDL of the citizen graph.

    citizen-graph compose [--subgraph NAME=SDL_FILE[@URL] ...] [--output FILE]

Without ``--subgraph`` it composes the authorities of the registry. It prints the
supergraph, or every composition error (one per line, with its code) and exits 1.
"""

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from schema.compose import SubgraphSdl, compose

SUBGRAPH_ARGUMENT = re.compile(
    r"(?P<name>[A-Za-z_][\w-]*)=(?P<path>.+?)(?:@(?P<url>[a-zA-Z][\w+.-]*://.*))?"
)


class CommandError(Exception):
    """Bad input on the command line; the message is for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def parse_subgraph(value: str) -> tuple[str, Path, str | None]:
    """``NAME=SDL_FILE[@URL]`` as (name, path, url); argparse's type function."""
    match = SUBGRAPH_ARGUMENT.fullmatch(value)
    if match is None:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not NAME=SDL_FILE or NAME=SDL_FILE@URL."
        )
    return match["name"], Path(match["path"]), match["url"]


def read_sdl(path: Path) -> str:
    """The text of an SDL file, or a CommandError that says why not."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise CommandError(
            "SDL_FILE_UNREADABLE", f"Cannot read the SDL file {str(path)!r}: {reason}."
        ) from exc


def subgraphs_from(
    arguments: Sequence[tuple[str, Path, str | None]] | None,
) -> list[SubgraphSdl]:
    """The subgraphs named on the command line, or else the registry's."""
    if arguments:
        return [SubgraphSdl(n, url, read_sdl(path)) for n, path, url in arguments]
    try:
        from subgraphs.registry import load_graph

        return [SubgraphSdl(s.name, None, s.sdl) for s in load_graph()]
    except ImportError as exc:
        raise CommandError(
            "AUTHORITIES_UNAVAILABLE",
            f"The authorities' subgraphs cannot be loaded ({exc}); name the "
            "subgraphs with --subgraph NAME=SDL_FILE instead.",
        ) from exc


def add_subgraph_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    """The repeatable ``--subgraph NAME=SDL_FILE[@URL]`` option."""
    parser.add_argument(
        "--subgraph",
        action="append",
        type=parse_subgraph,
        metavar="NAME=SDL_FILE[@URL]",
        help=help_text,
    )


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the ``compose`` subcommand."""
    parser = subparsers.add_parser(
        "compose",
        help="print the supergraph SDL",
        description="Compose subgraph SDLs into a supergraph (join spec v0.5).",
    )
    add_subgraph_option(
        parser, "a subgraph to compose (repeatable); default: the authorities"
    )
    parser.add_argument("--output", type=Path, help="write the supergraph here")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Compose and print; 1 on composition errors, 2 on bad input."""
    try:
        subgraphs = subgraphs_from(args.subgraph)
    except CommandError as exc:
        print(f"error [{exc.code}]: {exc}", file=sys.stderr)
        return 2
    result = compose(subgraphs)
    if result.supergraph is None:
        for error in result.errors:
            print(f"error [{error.code}]: {error.message}", file=sys.stderr)
        return 1
    if args.output is None:
        sys.stdout.write(result.supergraph)
        return 0
    try:
        args.output.write_text(result.supergraph, encoding="utf-8")
    except OSError as exc:
        print(
            f"error [OUTPUT_UNWRITABLE]: Cannot write {str(args.output)!r}: "
            f"{exc.strerror}.",
            file=sys.stderr,
        )
        return 2
    return 0
