"""The composition root: readiness, the citizen graph, a graph over HTTP."""

import hashlib
import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from sqlalchemy.ext.asyncio import create_async_engine
from strawberry.asgi import GraphQL

from auth.dev_issuer import DevIssuer
from auth.tokens import TrustedIssuers
from gateway.app import create_app
from gateway.composition import (
    CitizenGraph,
    CompositionError,
    HttpGraph,
    persisted_documents,
)
from gateway.settings import Settings
from persisted_queries.resolver import DocumentResolver, Mode
from persisted_queries.store import DocumentStore
from subgraphs.kit import Database, sqlite_url
from tests.gateway.support import live_server


async def _database_down() -> Any:
    raise OSError("The database is down.")


async def test_readiness_asks_every_database(tmp_path: Path) -> None:
    graph = CitizenGraph(Settings(data_dir=tmp_path))
    down = create_async_engine("sqlite+aiosqlite://", async_creator=_database_down)
    graph.databases = {
        "skat": Database.open(sqlite_url(tmp_path, "skat")),
        "cpr": Database(url="down", engine=down),
    }
    try:
        checks = await graph.readiness()
    finally:
        for database in graph.databases.values():
            await database.close()

    assert checks == {"skat": True, "cpr": False}


@strawberry.federation.type(keys=["upc"])
class Product:
    """A product of the shop subgraph."""

    upc: strawberry.ID
    name: str


@strawberry.type
class Query:
    """The shop subgraph's root."""

    @strawberry.field
    def products(self) -> list[Product]:
        """Every product."""
        return [Product(upc=strawberry.ID("1"), name="Table")]


@pytest.fixture
def shop() -> Iterator[str]:
    schema = strawberry.federation.Schema(query=Query)
    with live_server(GraphQL(schema), lifespan="off") as url:
        yield url


async def test_an_http_graph_serves_a_supergraph_of_http_subgraphs(shop: str) -> None:
    compose = pytest.importorskip("schema.compose")
    pytest.importorskip("resolvers.executor")
    sdl = strawberry.federation.Schema(query=Query).as_str()
    result = compose.compose([compose.SubgraphSdl("shop", f"{shop}/graphql", sdl)])
    graph = HttpGraph(result.supergraph_or_raise())
    graph.prepare()
    app = create_app(Settings(), graph.executor, dev=False)

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t"
        ) as client:
            response = await client.post(
                "/graphql", json={"query": "{ products { upc name } }"}
            )

    assert response.json() == {"data": {"products": [{"upc": "1", "name": "Table"}]}}


def test_an_http_graph_needs_the_urls_of_its_subgraphs() -> None:
    compose = pytest.importorskip("schema.compose")
    pytest.importorskip("resolvers.executor")
    sdl = strawberry.federation.Schema(query=Query).as_str()
    supergraph = compose.compose([compose.SubgraphSdl("shop", None, sdl)])
    graph = HttpGraph(supergraph.supergraph_or_raise())

    with pytest.raises(CompositionError, match="names no URL for the subgraphs shop"):
        graph.prepare()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[DocumentStore]:
    documents = DocumentStore.open(sqlite_url(tmp_path, "documents"))
    await documents.create()
    yield documents
    await documents.close()


async def test_persisted_documents_run_through_the_server(
    store: DocumentStore, serve: Callable[..., AsyncIterator[httpx.AsyncClient]]
) -> None:
    query = '{ hello(name: "APQ") }'
    digest = hashlib.sha256(query.encode()).hexdigest()
    apq = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    resolve = persisted_documents(DocumentResolver(store), Mode.AUDIT)

    async for client in serve(resolve_document=resolve):
        miss = await client.post(
            "/graphql",
            json={"extensions": apq},
            headers={"accept": "application/graphql-response+json"},
        )
        full = {"query": query, "extensions": apq}
        register = await client.post("/graphql", json=full)
        hit = await client.get("/graphql", params={"extensions": json.dumps(apq)})

    assert miss.status_code == 200
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert register.json() == {"data": {"hello": "Hello, APQ!"}}
    assert hit.json() == {"data": {"hello": "Hello, APQ!"}}


@pytest.mark.parametrize(
    ("headers", "status", "body"),
    [
        ({}, 200, {"data": {"viewer": "anonymous"}}),
        ({"authorization": "Bearer x"}, 401, None),
    ],
)
async def test_no_token_is_anonymous_and_a_bad_one_is_refused(
    serve: Callable[..., AsyncIterator[httpx.AsyncClient]],
    tmp_path: Path,
    headers: dict[str, str],
    status: int,
    body: object,
) -> None:
    issuer = DevIssuer.load_or_create(tmp_path)
    trusted = TrustedIssuers(issuer.verifier(), anonymous=True)
    async for client in serve(authenticate=trusted.authenticate):
        response = await client.post(
            "/graphql", json={"query": "{ viewer }"}, headers=headers
        )

    assert response.status_code == status
    if body is not None:
        assert response.json() == body


async def test_the_citizen_graph_composes_and_answers(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    graph = CitizenGraph(settings)
    graph.prepare()
    app = create_app(settings, graph.executor, dev=True, readiness=graph.readiness)

    async with app.router.lifespan_context(app):
        asgi = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=asgi, base_url="http://t") as client:
            typename = await client.post("/graphql", json={"query": "{ __typename }"})
            person = await client.post(
                "/graphql", json={"query": '{ __type(name: "Person") { name } }'}
            )
            ready = await client.get("/readyz")

    assert typename.json() == {"data": {"__typename": "Query"}}
    assert person.json() == {"data": {"__type": {"name": "Person"}}}
    assert ready.status_code == 200
    assert set(ready.json()["checks"]) >= {"cpr", "skat", "property", "health"}


async def test_an_http_graph_with_the_register_reads_the_viewers_relations(
    tmp_path: Path,
) -> None:
    # The four authorities without the access log, as the peer comparison serves
    # them: without relations a parent could not see their own children.
    from schema.compose import SubgraphSdl, compose
    from subgraphs.registry import AUTHORITIES, load

    subgraphs = [
        SubgraphSdl(name, f"http://127.0.0.1:9/{name}/graphql", load(name).sdl)
        for name in AUTHORITIES
    ]
    graph = HttpGraph(compose(subgraphs).supergraph_or_raise())
    graph.prepare()

    async with graph.executor(Settings(data_dir=tmp_path)) as executor:
        assert getattr(executor, "relations", None) is not None
