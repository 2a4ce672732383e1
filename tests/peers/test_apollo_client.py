"""Apollo Client 4 with its persisted-queries link, over real HTTP.

The server here is a small Starlette app around the persisted-query resolver; the
script (``apollo_apq.mjs``) takes any URL, so the same run works against the
gateway with a persona's bearer token in ``headers``.
"""

import asyncio
import json
import shutil
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from graphql import (
    ExecutionResult,
    GraphQLError,
    build_schema,
    execute,
    parse,
    validate,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from persisted_queries.apq import refuse_mutation_over_get
from persisted_queries.errors import PersistedQueryError
from persisted_queries.resolver import DocumentResolver, Mode
from persisted_queries.store import DocumentStore
from subgraphs.kit import sqlite_url

pytestmark = pytest.mark.peers

PEERS = Path(__file__).parent
SCRIPT = PEERS / "apollo_apq.mjs"
SCHEMA = build_schema(
    """
    type Query { me: Person }
    type Person { name: String!, children: [Person!]! }
    """
)
PERSONA = {"name": "Signe Testesen", "children": [{"name": "Lille Testesen"}]}
DASHBOARD = "query Dashboard { me { name children { name } } }"


def error_response(error: GraphQLError, status: int) -> JSONResponse:
    return JSONResponse({"errors": [error.formatted]}, status_code=status)


def graphql_app(resolver: DocumentResolver, mode: Mode) -> Starlette:
    """A minimal GraphQL-over-HTTP endpoint that runs what the resolver resolves."""

    async def endpoint(request: Request) -> JSONResponse:
        if request.method == "GET":
            params: dict[str, Any] = dict(request.query_params)
        else:
            params = await request.json()
        resolved = await resolver.resolve(params, mode=mode)
        if isinstance(resolved, PersistedQueryError):
            return error_response(resolved, resolved.http_status)
        document = parse(resolved.text)
        refusal = refuse_mutation_over_get(
            request.method, document, params.get("operationName")
        )
        if refusal is not None:
            return error_response(refusal, refusal.http_status)
        if errors := validate(SCHEMA, document):
            return error_response(errors[0], 400)
        result = execute(SCHEMA, document, root_value={"me": PERSONA})
        assert isinstance(result, ExecutionResult)
        return JSONResponse(result.formatted)

    return Starlette(routes=[Route("/graphql", endpoint, methods=["GET", "POST"])])


@dataclass
class Server:
    url: str
    store: DocumentStore


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    """The app on 127.0.0.1, on a port the system picks."""
    store = DocumentStore.open(sqlite_url(tmp_path, "gateway"))
    await store.create()
    app = graphql_app(DocumentResolver(store), Mode.OFF)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", ws="none"
    )
    running = uvicorn.Server(config)
    # A socket that listens before the server starts: early clients wait in its
    # backlog, so there is nothing to poll for.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    task = asyncio.create_task(running.serve(sockets=[sock]))
    port = sock.getsockname()[1]
    yield Server(f"http://127.0.0.1:{port}/graphql", store)
    running.should_exit = True
    await task
    sock.close()
    await store.close()


async def run_apollo(url: str, **options: Any) -> dict[str, Any]:
    """Run ``apollo_apq.mjs`` against ``url`` and return what it printed."""
    node = shutil.which("node")
    if node is None or not (PEERS / "node_modules" / "@apollo" / "client").exists():
        pytest.skip("Node.js and tests/peers/node_modules are needed (make peers)")
    process = await asyncio.create_subprocess_exec(
        node,
        str(SCRIPT),
        url,
        json.dumps(options),
        cwd=PEERS,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    output: dict[str, Any] = json.loads(stdout)
    return output


@pytest.mark.parametrize("use_get", [False, True], ids=["post", "get"])
async def test_apollo_registers_the_hash_on_the_first_miss(
    server: Server, use_get: bool
) -> None:
    output = await run_apollo(
        server.url, query=DASHBOARD, useGETForHashedQueries=use_get
    )

    requests = output["requests"]
    digest = requests[0]["sha256"]
    hashed_method = "GET" if use_get else "POST"
    assert [
        (r["method"], r["hasQuery"], r["status"], r["errorCodes"]) for r in requests
    ] == [
        (hashed_method, False, 200, ["PERSISTED_QUERY_NOT_FOUND"]),
        ("POST", True, 200, []),
        (hashed_method, False, 200, []),
    ]
    assert {r["sha256"] for r in requests} == {digest}
    dashboard = {
        "me": {
            "__typename": "Person",
            "name": "Signe Testesen",
            "children": [{"__typename": "Person", "name": "Lille Testesen"}],
        }
    }
    assert output["results"] == [{"data": dashboard, "error": None}] * 2
    stored = await server.store.by_hash(digest)
    assert stored is not None
    assert (stored.source, stored.trusted) == ("apq", False)
