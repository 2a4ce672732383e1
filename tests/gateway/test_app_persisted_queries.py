"""The gateway with the persisted-query resolver in its document seam."""

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway import seams
from persisted_queries.apq import sha256_hex
from persisted_queries.manifest import parse_manifest
from persisted_queries.resolver import DocumentResolver, Mode
from persisted_queries.store import DocumentStore
from subgraphs.kit import sqlite_url

HELLO = 'query Hello { hello(name: "Signe") }'
TOUCH = "mutation Touch { touch }"
GRAPHQL_RESPONSE = "application/graphql-response+json"

Serve = Callable[..., AsyncIterator[httpx.AsyncClient]]


def hashed(text: str, with_query: bool) -> dict[str, Any]:
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(text)}}
    return {"extensions": extensions, **({"query": text} if with_query else {})}


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[DocumentStore]:
    store = DocumentStore.open(sqlite_url(tmp_path, "gateway"))
    await store.create()
    manifest = {"touch-v1": TOUCH}
    await store.push(parse_manifest(json.dumps(manifest).encode(), "portal.json"))
    yield store
    await store.close()


@pytest.fixture
def gateway(
    serve: Serve, store: DocumentStore
) -> Callable[[Mode], AsyncIterator[httpx.AsyncClient]]:
    """A client of the gateway whose persisted queries run in ``mode``."""

    def start(mode: Mode) -> AsyncIterator[httpx.AsyncClient]:
        resolver: seams.DocumentResolver = DocumentResolver(store).text_resolver(
            mode=mode
        )
        return serve(dev=mode is Mode.OFF, resolve_document=resolver)

    return start


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_apq_miss_register_hit(
    gateway: Callable[[Mode], AsyncIterator[httpx.AsyncClient]],
    store: DocumentStore,
    accept: str,
) -> None:
    headers = {"Accept": accept}
    async for client in gateway(Mode.OFF):
        miss = await client.post("/graphql", json=hashed(HELLO, False), headers=headers)
        first = await client.post("/graphql", json=hashed(HELLO, True), headers=headers)
        extensions = json.dumps(hashed(HELLO, False)["extensions"])
        hit = await client.get(
            "/graphql", params={"extensions": extensions}, headers=headers
        )

    assert miss.status_code == 200
    assert miss.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert miss.json()["errors"][0]["extensions"]["code"] == (
        "PERSISTED_QUERY_NOT_FOUND"
    )
    assert first.json() == {"data": {"hello": "Hello, Signe!"}}
    assert hit.json() == {"data": {"hello": "Hello, Signe!"}}
    assert await store.by_hash(sha256_hex(HELLO)) is not None


async def test_a_hash_mismatch_is_a_400(
    gateway: Callable[[Mode], AsyncIterator[httpx.AsyncClient]],
) -> None:
    body = {**hashed(HELLO, False), "query": "{ hello }"}
    async for client in gateway(Mode.OFF):
        response = await client.post("/graphql", json=body)

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == (
        "PERSISTED_QUERY_HASH_MISMATCH"
    )


async def test_enforce_runs_only_trusted_documents(
    gateway: Callable[[Mode], AsyncIterator[httpx.AsyncClient]],
) -> None:
    async for client in gateway(Mode.ENFORCE):
        refused = await client.post("/graphql", json={"query": HELLO})
        trusted = await client.post("/graphql", json={"documentId": "touch-v1"})
        over_get = await client.get("/graphql", params={"documentId": "touch-v1"})

    assert refused.status_code == 400
    assert refused.json()["errors"][0]["extensions"]["code"] == (
        "PERSISTED_QUERY_NOT_ALLOWED"
    )
    assert trusted.json() == {"data": {"touch": 1}}
    assert over_get.status_code == 405
