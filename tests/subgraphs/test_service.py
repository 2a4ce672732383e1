"""One subgraph as its own HTTP service, on a real server on loopback."""

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from auth.viewer import AssuranceLevel, Viewer
from subgraphs import kit, registry
from subgraphs.cpr.relations import load_relations
from subgraphs.population import TODAY, persona
from subgraphs.service import create_app

NAMES = ("parent", "spouse", "teen", "pensioner", "student", "non-custodial-parent")

FAMILY = "{ me { personId cprNumber children { personId hasCustody } } }"


class SignIn:
    """Stands in for authentication: sets the request's viewer from a test header."""

    def __init__(self, app: ASGIApp, viewers: dict[str, Viewer]) -> None:
        self.app = app
        self.viewers = viewers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", []))
        name = headers.get(b"x-test-persona", b"").decode()
        if name in self.viewers:
            scope.setdefault("state", {})["viewer"] = self.viewers[name]
        await self.app(scope, receive, send)


async def persona_viewer(cpr: kit.Database, name: str) -> Viewer:
    person_id = persona(name).person_id
    return Viewer(
        subject=name,
        person_id=person_id,
        assurance=AssuranceLevel.HIGH,
        relations=await load_relations(cpr, person_id, TODAY),
        today=TODAY,
    )


@pytest.fixture
async def viewers(seeded: dict[str, kit.Database]) -> dict[str, Viewer]:
    return {name: await persona_viewer(seeded["cpr"], name) for name in NAMES}


@pytest.fixture
async def url(
    seeded: dict[str, kit.Database], viewers: dict[str, Viewer]
) -> AsyncIterator[str]:
    """The cpr subgraph served by uvicorn on a free loopback port."""
    middleware = [Middleware(SignIn, viewers=viewers)]
    app = create_app(registry.load("cpr"), seeded["cpr"], middleware=middleware)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan="off", log_config=None
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(1_000):
        if server.started:
            break
        await asyncio.sleep(0.01)
    else:
        raise RuntimeError("The test server did not start within 10 seconds.")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


async def ask(client: httpx.AsyncClient, url: str, name: str) -> dict[str, Any]:
    response = await client.post(
        url, json={"query": FAMILY}, headers={"x-test-persona": name}
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_concurrent_requests_see_only_their_own_person(
    url: str, viewers: dict[str, Viewer]
) -> None:
    names = list(NAMES) * 3
    async with httpx.AsyncClient() as client:
        answers = await asyncio.gather(*(ask(client, url, name) for name in names))

    for name, answer in zip(names, answers, strict=True):
        viewer = viewers[name]
        me = answer["data"]["me"]
        assert me["personId"] == viewer.person_id
        assert [c["personId"] for c in me["children"]] == [
            c.person_id for c in viewer.relations.children
        ]
    assert len({a["data"]["me"]["cprNumber"] for a in answers}) == len(NAMES)


async def test_without_a_viewer_the_request_is_anonymous(url: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(url, json={"query": FAMILY})
        service = await client.post(url, json={"query": "{ _service { sdl } }"})
        get = await client.get(url, params={"query": FAMILY})

    assert response.json() == {"data": {"me": None}}
    assert "type Child @key" in service.json()["data"]["_service"]["sdl"]
    assert get.status_code == 405


async def test_a_failing_database_is_answered_without_its_message(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    empty = kit.Database.open(kit.sqlite_url(tmp_path, "empty"))
    viewer = Viewer("s", persona("parent").person_id, AssuranceLevel.HIGH)
    middleware = [Middleware(SignIn, viewers={"parent": viewer})]
    app = create_app(registry.load("cpr"), empty, middleware=middleware)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport) as client:
            with caplog.at_level(logging.ERROR):
                response = await client.post(
                    "http://cpr.test/graphql",
                    json={"query": "{ me { personId } }"},
                    headers={"x-test-persona": "parent"},
                )
    finally:
        await empty.close()

    body = response.json()
    assert response.status_code == 200
    assert body["data"] == {"me": None}
    assert body["errors"] == [
        {
            "message": "The subgraph cpr failed to resolve this field.",
            "locations": [{"line": 1, "column": 3}],
            "path": ["me"],
            "extensions": {"code": "SUBGRAPH_ERROR"},
        }
    ]
    assert "A field at me raised OperationalError." in caplog.text
    assert "no such table" not in caplog.text
    assert "persons" not in response.text
