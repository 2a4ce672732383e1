"""``citizen-graph persisted-queries``: push trusted documents and list the store.

    citizen-graph persisted-queries push MANIFEST [--client NAME]
    citizen-graph persisted-queries list [--format table|json]

Both work on the gateway's own database (``CITIZEN_GRAPH_GATEWAY_DATABASE_URL``,
SQLite under the data folder by default) and create its table when it is missing.
"""

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from gateway.settings import Settings
from persisted_queries.cache import StoredDocument
from persisted_queries.errors import ManifestError
from persisted_queries.manifest import load_manifest
from persisted_queries.store import DocumentStore


def register(subparsers: "argparse._SubParsersAction[Any]") -> None:
    """Add ``persisted-queries`` with its ``push`` and ``list`` subcommands."""
    parser = subparsers.add_parser(
        "persisted-queries",
        help="push trusted documents from a manifest, list stored documents",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    actions = parser.add_subparsers(dest="action", required=True)
    push = actions.add_parser(
        "push", help="store a manifest's documents as trusted (idempotent)"
    )
    push.add_argument(
        "manifest", type=Path, help="Apollo persisted-query manifest or Relay map"
    )
    push.add_argument("--client", help="name of the client the manifest belongs to")
    push.set_defaults(handler=lambda args: _run(_push, args))
    listing = actions.add_parser("list", help="list the stored documents")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(handler=lambda args: _run(_list, args))


def _run(
    action: Callable[[DocumentStore, argparse.Namespace], Awaitable[int]],
    args: argparse.Namespace,
) -> int:
    settings = Settings.from_env()
    store = DocumentStore.open(
        settings.database_url("gateway"), redis_url=settings.redis_url
    )

    async def main() -> int:
        try:
            await store.create()
            return await action(store, args)
        finally:
            await store.close()

    return asyncio.run(main())


async def _push(store: DocumentStore, args: argparse.Namespace) -> int:
    try:
        manifest = load_manifest(args.manifest)
        report = await store.push(manifest, client=args.client)
    except ManifestError as exc:
        print(f"error: {exc.message} [{exc.code}]", file=sys.stderr)
        return 1
    print(
        f"{manifest.source}: {len(report.added)} added, "
        f"{len(report.unchanged)} unchanged."
    )
    for document_id in report.added:
        print(f"  added {document_id}")
    return 0


async def _list(store: DocumentStore, args: argparse.Namespace) -> int:
    documents = await store.documents()
    if args.format == "json":
        print(json.dumps([_summary(d) for d in documents], indent=2))
    else:
        print(_table(documents))
    return 0


def _summary(document: StoredDocument) -> dict[str, Any]:
    return {
        "id": document.id,
        "sha256": document.sha256,
        "name": document.name,
        "type": document.operation_type,
        "source": document.source,
        "client": document.client_name,
        "trusted": document.trusted,
        "created": document.created_at.isoformat(timespec="seconds"),
        "body": document.body,
    }


def _table(documents: list[StoredDocument]) -> str:
    header = ("NAME", "TYPE", "SOURCE", "CLIENT", "CREATED", "ID")
    rows = [header] + [
        (
            d.name or "-",
            d.operation_type or "-",
            d.source,
            d.client_name or "-",
            d.created_at.strftime("%Y-%m-%d %H:%M"),
            d.id,
        )
        for d in documents
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.append(f"{len(documents)} documents")
    return "\n".join(lines)
