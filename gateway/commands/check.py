"""``citizen-graph check``: what a changed subgraph would break, before it ships.

    citizen-graph check SUBGRAPH (--sdl FILE | --package DIR)
                        [--subgraph NAME=SDL_FILE[@URL] ...]
                        [--operations FILE.graphql ...] [--format text|json]

The new version is an SDL file, or the authority's package in another checkout
of the repository (``--package ../work/subgraphs/cpr``). The current subgraphs
are the registry's subgraphs, or those named with ``--subgraph``. Operations
are the trusted documents in the gateway's store and the portal's own (unless
``--no-store``), and those of ``.graphql`` files, each operation of a file
checked on its own under its name. Exit status 1 when the change does not
compose, breaks the public schema or breaks an operation; 0 otherwise.
"""

import argparse
import asyncio
import os
import subprocess
import sys
from pathlib import Path

from graphql import (
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    print_ast,
)

from gateway import portal
from gateway.commands.compose import (
    CommandError,
    add_subgraph_option,
    read_sdl,
    subgraphs_from,
)
from gateway.settings import Settings
from persisted_queries.manifest import load_manifest
from persisted_queries.store import DocumentStore
from schema.checks import check


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the ``check`` subcommand."""
    parser = subparsers.add_parser(
        "check",
        help="check a changed subgraph before it ships",
        description="Does a changed subgraph compose, what does it break?",
    )
    parser.add_argument("name", metavar="SUBGRAPH", help="the changed subgraph")
    new = parser.add_mutually_exclusive_group(required=True)
    new.add_argument("--sdl", type=Path, help="the SDL file of its new version")
    new.add_argument(
        "--package",
        type=Path,
        help="its changed package in another checkout, e.g. ../work/subgraphs/cpr",
    )
    add_subgraph_option(
        parser, "a current subgraph (repeatable); default: the authorities"
    )
    parser.add_argument(
        "--operations",
        type=Path,
        nargs="+",
        default=[],
        metavar="FILE",
        help=".graphql files of the operations that must keep working",
    )
    parser.add_argument(
        "--no-store",
        action="store_true",
        help="leave out the persisted operations of the gateway's document store",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


async def stored_operations(settings: Settings) -> list[tuple[str, str]]:
    """The trusted operations of the gateway's store, and the portal's own."""
    store = DocumentStore.open(settings.database_url("gateway"))
    try:
        await store.create()
        stored = await store.operations()
    finally:
        await store.close()
    portal_ops = load_manifest(portal.MANIFEST).entries
    known = {text for _, text in stored}
    return stored + [
        (e.name or e.id, e.body) for e in portal_ops if e.body not in known
    ]


def read_operations(paths: list[Path]) -> list[tuple[str, str]]:
    """(name, document) of each operation in ``paths``, fragments kept with it."""
    operations = []
    for path in paths:
        text = read_sdl(path)
        try:
            document = parse(text)
        except GraphQLError as exc:
            raise CommandError(
                "INVALID_OPERATIONS_FILE",
                f"The operations file {str(path)!r} is not valid GraphQL: "
                f"{exc.message}",
            ) from exc
        named = [
            d for d in document.definitions if isinstance(d, OperationDefinitionNode)
        ]
        if len(named) == 1:
            operations.append((_name(named[0], path), text))
            continue
        fragments = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        for operation in named:
            used = _fragments(operation.selection_set, fragments, {})
            parts = [print_ast(operation), *(print_ast(f) for f in used.values())]
            operations.append((_name(operation, path), "\n\n".join(parts)))
    return operations


def _fragments(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    used: dict[str, FragmentDefinitionNode],
) -> dict[str, FragmentDefinitionNode]:
    """The fragments that ``selection_set`` spreads, directly or not."""
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in used:
                used[name] = fragments[name]
                _fragments(fragments[name].selection_set, fragments, used)
        else:
            _fragments(getattr(selection, "selection_set", None), fragments, used)
    return used


PRINT_SDL = (
    "import sys\n"
    "from subgraphs.registry import load\n"
    "sys.stdout.write(load(sys.argv[1]).sdl)\n"
)


def package_sdl(package: Path) -> str:
    """The SDL of an authority's package in another checkout of the repository.

    The package is imported in a separate Python process whose import path starts
    at that checkout, so that its modules, not the installed ones, are loaded.
    """
    folder = package.resolve()
    root = folder.parent.parent
    if not (folder / "schema.py").is_file() or folder.parent.name != "subgraphs":
        raise CommandError(
            "NOT_A_SUBGRAPH_PACKAGE",
            f"{str(package)!r} is not an authority's package: expected a folder "
            "subgraphs/NAME with a schema.py in it.",
        )
    environment = {**os.environ, "PYTHONPATH": str(root)}
    completed = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", PRINT_SDL, folder.name],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        raise CommandError(
            "SUBGRAPH_PACKAGE_FAILED",
            f"The package {str(package)!r} could not print its SDL: {last}",
        )
    return completed.stdout


def _name(operation: OperationDefinitionNode, path: Path) -> str:
    return operation.name.value if operation.name else path.stem


def run(args: argparse.Namespace) -> int:
    """Run the check and print the report; 1 when something breaks."""
    try:
        current = subgraphs_from(args.subgraph)
        new_sdl = read_sdl(args.sdl) if args.sdl else package_sdl(args.package)
        operations = read_operations(args.operations)
        if not args.no_store:
            operations += asyncio.run(stored_operations(Settings.from_env()))
    except CommandError as exc:
        print(f"error [{exc.code}]: {exc}", file=sys.stderr)
        return 2
    report = check(args.name, new_sdl, current, operations)
    if args.format == "json":
        print(report.as_json())
    else:
        sys.stdout.write(report.as_text())
    return 1 if report.breaking else 0
