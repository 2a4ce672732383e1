"""Apollo Client 4 with its persisted-queries link, against the gateway over HTTP.

The gateway here runs a small test schema (``tests.gateway.support``) with the
persisted-query resolver in its document seam. The script (``apollo_apq.mjs``)
takes any URL and headers, so the same run works against the composed gateway
with a persona's bearer token.
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

from gateway.app import create_app
from gateway.limits import Limits
from gateway.settings import Settings
from persisted_queries.resolver import DocumentResolver, Mode
from persisted_queries.store import DocumentStore
from subgraphs.kit import sqlite_url
from tests.gateway.support import SchemaExecutor, factory_of

pytestmark = pytest.mark.peers

PEERS = Path(__file__).parent
SCRIPT = PEERS / "apollo_apq.mjs"
QUERY = 'query Greeting { hello(name: "Signe Testesen") items(first: 2) { name } }'


@dataclass
class Server:
    url: str
    store: DocumentStore


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    """The gateway on 127.0.0.1, on a port the system picks, with APQ on."""
    store = DocumentStore.open(sqlite_url(tmp_path, "gateway"))
    await store.create()
    app = create_app(
        Settings.from_env({}, data_dir=tmp_path),
        factory_of(SchemaExecutor()),
        dev=False,
        limits=Limits(),
        resolve_document=DocumentResolver(store).text_resolver(mode=Mode.OFF),
    )
    config = uvicorn.Config(
        app, host="127.0.0.1", log_level="warning", log_config=None, ws="none"
    )
    running = uvicorn.Server(config)
    # A socket that listens before the server starts: early clients wait in its
    # backlog, so there is nothing to poll for.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    task = asyncio.create_task(running.serve(sockets=[sock]))
    yield Server(f"http://127.0.0.1:{sock.getsockname()[1]}/graphql", store)
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
    output = await run_apollo(server.url, query=QUERY, useGETForHashedQueries=use_get)

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
    data = {
        "hello": "Hello, Signe Testesen!",
        "items": [
            {"__typename": "Item", "name": "item 0"},
            {"__typename": "Item", "name": "item 1"},
        ],
    }
    assert output["results"] == [{"data": data, "error": None}] * 2
    stored = await server.store.by_hash(digest)
    assert stored is not None
    assert (stored.source, stored.trusted) == ("apq", False)
