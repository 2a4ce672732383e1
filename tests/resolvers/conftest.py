"""Fixtures of the planner and executor tests: supergraphs, executors, servers.

Executors run the shop and media fixtures either in-process or over HTTP against
real Strawberry subgraphs served by uvicorn on 127.0.0.1 (an ephemeral port).
"""

import functools
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from graphql import parse
from sqlalchemy import MetaData
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response as StarletteResponse
from starlette.routing import Mount, Route
from strawberry.asgi import GraphQL

from auth.viewer import AssuranceLevel, Viewer
from resolvers.executor import FederatedExecutor, Response
from resolvers.transports import (
    FetchRequest,
    FetchResult,
    HttpClient,
    HttpTransport,
    InProcessTransport,
    Transport,
)
from schema.supergraph import Supergraph, load_supergraph
from subgraphs.kit import Database, Subgraph, SubgraphContext
from tests.resolvers.fixtures import media, shop

FIXTURES = Path(__file__).parent / "fixtures"
VIEWER = Viewer(subject="sub-u1", person_id="u1", assurance=AssuranceLevel.SUBSTANTIAL)


@functools.cache
def supergraph_of(name: str, composer: str = "apollo") -> Supergraph:
    """The checked-in supergraph of fixture ``name`` by ``composer``."""
    return load_supergraph((FIXTURES / f"{name}.{composer}.graphql").read_text())


class Recording:
    """A transport that passes fetches on and keeps them, to count calls."""

    def __init__(self, inner: Transport, log: list[FetchRequest]) -> None:
        self.inner = inner
        self.log = log

    async def fetch(self, request: FetchRequest) -> FetchResult:
        self.log.append(request)
        return await self.inner.fetch(request)


class Harness:
    """An executor over one fixture plus what the tests look at."""

    def __init__(
        self, executor: FederatedExecutor, log: list[FetchRequest], journal: list[str]
    ) -> None:
        self.executor = executor
        self.log = log
        self.journal = journal

    async def run(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        operation_name: str | None = None,
        viewer: Viewer = VIEWER,
    ) -> dict[str, Any]:
        """Execute ``query`` and return the formatted response body."""
        response: Response = await self.executor.execute(
            parse(query),
            operation_name=operation_name,
            variables=variables,
            viewer=viewer,
            document_hash=query,
        )
        return response.formatted()

    def calls(self, graph: str) -> list[FetchRequest]:
        """The fetches sent to ``graph``."""
        return [r for r in self.log if r.subgraph == graph]


def _kit_subgraphs(
    name: str, journal: list[str], behaviour: dict[str, Any]
) -> dict[str, Subgraph]:
    if name == "shop":
        return shop.subgraphs(journal, behaviour)
    return {
        n: Subgraph(n, schema, MetaData(), SubgraphContext)
        for n, schema in media.SCHEMAS.items()
    }


class _SubgraphApp(GraphQL):  # type: ignore[type-arg]
    def __init__(self, subgraph: Subgraph, database: Database) -> None:
        super().__init__(subgraph.schema, graphql_ide=None)
        self.subgraph = subgraph
        self.database = database

    async def get_context(self, request: Any, response: Any) -> Any:
        person = request.headers.get("x-test-person") or None
        viewer = Viewer(subject="sub", person_id=person, assurance=AssuranceLevel.LOW)
        return self.subgraph.make_context(viewer, self.database)


async def _malformed(request: Request) -> StarletteResponse:
    return StarletteResponse("{not json", media_type="application/json")


def _app(
    database: Database, journal: list[str], behaviour: dict[str, Any]
) -> Starlette:
    routes: list[Any] = [Route("/broken", _malformed, methods=["POST"])]
    for fixture in ("shop", "media"):
        subgraphs = _kit_subgraphs(fixture, journal, behaviour)
        routes += [
            Mount(f"/{fixture}/{n}", _SubgraphApp(s, database))
            for n, s in subgraphs.items()
        ]
    return Starlette(routes=routes)


class HttpSubgraphs:
    """The fixture subgraphs served by uvicorn in a thread, with shared state."""

    def __init__(self) -> None:
        self.journal: list[str] = []
        self.behaviour: dict[str, Any] = {}
        app = _app(
            Database.open("sqlite+aiosqlite:///:memory:"), self.journal, self.behaviour
        )
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
            ws="none",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> str:
        """Start serving and return the base URL."""
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        """Stop serving, not waiting for slow requests."""
        self.server.should_exit = True
        self.server.force_exit = True
        self.thread.join(timeout=5)


MakeHarness = Callable[..., Awaitable[Harness]]


@pytest.fixture(scope="session")
def http_subgraphs() -> Iterator[tuple[HttpSubgraphs, str]]:
    """Every fixture subgraph over HTTP on loopback, for the whole session."""
    served = HttpSubgraphs()
    base = served.start()
    yield served, base
    served.stop()


@pytest.fixture
async def database() -> AsyncIterator[Database]:
    """A database handle the fixture subgraphs never touch."""
    opened = Database.open("sqlite+aiosqlite:///:memory:")
    yield opened
    await opened.close()


@pytest.fixture(params=["in-process", "http"])
def transport_kind(request: pytest.FixtureRequest) -> str:
    """Each execution test runs once per transport."""
    kind: str = request.param
    return kind


@pytest.fixture
async def harness_factory(
    transport_kind: str, database: Database, request: pytest.FixtureRequest
) -> AsyncIterator[MakeHarness]:
    """Builds a :class:`Harness` for a fixture over the parametrized transport."""
    clients: list[HttpClient] = []

    async def make(
        name: str = "shop",
        composer: str = "apollo",
        behaviour: dict[str, Any] | None = None,
        timeouts: dict[str, float] | None = None,
        broken: str | None = None,
    ) -> Harness:
        log: list[FetchRequest] = []
        transports: dict[str, Transport] = {}
        if transport_kind == "in-process":
            journal: list[str] = []
            subgraphs = _kit_subgraphs(name, journal, behaviour or {})
            for n, s in subgraphs.items():
                transports[n] = Recording(InProcessTransport(s, database), log)
        else:
            served, base = request.getfixturevalue("http_subgraphs")
            journal = served.journal
            journal.clear()
            served.behaviour.clear()
            served.behaviour.update(behaviour or {})
            client = HttpClient()
            clients.append(client)
            for n in _kit_subgraphs(name, [], {}):
                url = f"{base}/broken" if n == broken else f"{base}/{name}/{n}/"
                http = HttpTransport(url, client, _person_header, name=n)
                transports[n] = Recording(http, log)
        executor = FederatedExecutor(
            supergraph_of(name, composer), transports, timeouts=timeouts
        )
        return Harness(executor, log, journal)

    yield make
    for client in clients:
        await client.close()


def _person_header(viewer: Viewer) -> dict[str, str]:
    return {"x-test-person": viewer.person_id or ""}
