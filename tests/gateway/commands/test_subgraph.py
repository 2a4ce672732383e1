"""``citizen-graph subgraph``: the service admits only the gateway's tokens."""

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from graphql import parse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from auth.service_tokens import ServiceTokenMiddleware, ServiceTokens
from auth.viewer import AssuranceLevel, Viewer
from gateway.commands.subgraph import build_app
from gateway.settings import Settings
from resolvers.transports import FetchRequest, HttpClient, HttpTransport
from subgraphs.service import viewer_from_state
from tests.gateway.support import live_server

VIEWER = Viewer(
    "pairwise",
    "8ba18525-6f8a-4435-b7b4-9fd56be71f83",
    AssuranceLevel.HIGH,
    today=date(2026, 12, 4),
)
SERVICE = "{ _service { sdl } }"
ENTITIES = (
    '{ _entities(representations: [{__typename: "Person", personId: "p"}])'
    " { __typename } }"
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({}, data_dir=tmp_path)


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app("cpr", settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://cpr") as c:
            yield c


@pytest.mark.parametrize("query", [SERVICE, ENTITIES])
async def test_the_service_refuses_requests_without_a_service_token(
    service: httpx.AsyncClient, query: str
) -> None:
    response = await service.post("/graphql", json={"query": query})

    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_service_answers_the_gateways_token(
    service: httpx.AsyncClient, settings: Settings
) -> None:
    gateway = ServiceTokens.from_env(settings.data_dir, {})
    for_cpr = gateway.headers_for("cpr")(VIEWER)
    for_skat = gateway.headers_for("skat")(VIEWER)

    answered = await service.post("/graphql", json={"query": SERVICE}, headers=for_cpr)
    misdirected = await service.post(
        "/graphql", json={"query": SERVICE}, headers=for_skat
    )

    assert answered.status_code == 200
    assert "type Person" in answered.json()["data"]["_service"]["sdl"]
    assert misdirected.status_code == 401


async def test_the_health_check_needs_no_token(service: httpx.AsyncClient) -> None:
    response = await service.get("/health")

    assert response.status_code == 200


async def test_the_subgraph_service_reads_the_viewer_the_token_carries(
    tmp_path: Path,
) -> None:
    tokens = ServiceTokens.load_or_create(tmp_path / "key.pem")
    seen: list[Viewer] = []

    async def endpoint(request: Request) -> PlainTextResponse:
        seen.append(viewer_from_state(request))
        return PlainTextResponse("ok")

    app = ServiceTokenMiddleware(
        Starlette(routes=[Route("/", endpoint)]), tokens, "cpr"
    )
    headers = {"Authorization": f"Bearer {tokens.mint(VIEWER, 'cpr')}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://cpr"
    ) as client:
        await client.get("/", headers=headers)

    assert seen == [VIEWER]


async def test_the_http_transport_reaches_the_service_with_the_token(
    settings: Settings,
) -> None:
    gateway = ServiceTokens.from_env(settings.data_dir, {})
    request = FetchRequest("cpr", parse(SERVICE), SERVICE, {}, VIEWER)
    client = HttpClient()

    with live_server(build_app("cpr", settings)) as base:
        url = f"{base}/graphql"
        with_token = HttpTransport(url, client, gateway.headers_for("cpr"), name="cpr")
        without = HttpTransport(url, client, name="cpr")
        answered = await with_token.fetch(request)
        refused = await without.fetch(request)
    await client.close()

    assert answered.data is not None
    assert "type Person" in answered.data["_service"]["sdl"]
    assert refused.data is None
    assert refused.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
