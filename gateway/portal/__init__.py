"""My Page: the small citizen portal the gateway serves at ``/``.

The page sends persisted operations only. Their text lives in
``operations.graphql``; :func:`build_manifest` turns it into ``manifest.json`` (the
Apollo persisted-query manifest format), which ``citizen-graph portal-manifest``
writes and a test regenerates. The gateway pushes that manifest as trusted
documents of the client ``portal`` when it starts, and serves the page, its
assets and the operation ids it needs.
"""

import hashlib
import json
from pathlib import Path
from typing import Any

from graphql import OperationDefinitionNode, parse
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

HERE = Path(__file__).parent
OPERATIONS = HERE / "operations.graphql"
MANIFEST = HERE / "manifest.json"
STATIC = HERE / "static"
CLIENT = "portal"
"""The client name the portal's trusted documents are pushed under."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def build_manifest(text: str) -> dict[str, Any]:
    """The persisted-query manifest of every operation in ``text``.

    Each operation's body is its exact source text, and its id the SHA-256 of that
    text, so the same operations always give the same manifest.
    """
    document = parse(text)
    operations = []
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode) or not definition.name:
            raise ValueError("Every portal operation must be a named operation.")
        assert definition.loc is not None
        body = text[definition.loc.start : definition.loc.end]
        operations.append(
            {
                "id": hashlib.sha256(body.encode()).hexdigest(),
                "name": definition.name.value,
                "type": definition.operation.value,
                "body": body,
            }
        )
    return {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": operations,
    }


def manifest_text(manifest: dict[str, Any]) -> str:
    """The manifest as the checked-in file holds it."""
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


def document_ids() -> dict[str, str]:
    """Operation name to persisted document id, from the checked-in manifest."""
    manifest = json.loads(MANIFEST.read_text("utf-8"))
    return {op["name"]: f"sha256:{op['id']}" for op in manifest["operations"]}


def routes() -> list[BaseRoute]:
    """The page at ``/``, its assets and its operation ids."""
    ids = document_ids()

    async def page(request: Request) -> Response:
        return FileResponse(
            STATIC / "index.html",
            headers={
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )

    async def operations(request: Request) -> Response:
        return JSONResponse(ids)

    return [
        Route("/", page, methods=["GET"]),
        Route("/portal/operations.json", operations, methods=["GET"]),
        Mount("/portal/static", StaticFiles(directory=STATIC), name="portal"),
    ]
