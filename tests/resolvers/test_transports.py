"""The HTTP transport turns every kind of bad answer into a transport error."""

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
from aiohttp import web
from graphql import parse

from auth.viewer import ANONYMOUS
from resolvers.transports import (
    FetchRequest,
    HttpClient,
    HttpTransport,
    SubgraphBadResponse,
    SubgraphTimeout,
    SubgraphUnavailable,
    TransportError,
)

REQUEST = FetchRequest(
    subgraph="reviews",
    document=parse("{ a }"),
    text="{ a }",
    variables={"v": 1},
    viewer=ANONYMOUS,
)


Handler = Callable[[web.Request], Awaitable[web.Response]]


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[str]:
    """A real HTTP server on 127.0.0.1 whose POST / is ``handler``; yields its URL."""
    app = web.Application()
    app.router.add_post("/", handler)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        await runner.cleanup()


def answering(
    status: int, body: bytes, seen: list[web.Request] | None = None
) -> AbstractAsyncContextManager[str]:
    """A server that answers every POST with ``body``; the requests it received,
    bodies read, go to ``seen``."""

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        if seen is not None:
            seen.append(request)
        return web.Response(status=status, body=body)

    return serving(handle)


async def test_a_graphql_response_with_errors_is_read_even_on_4xx() -> None:
    body = b'{"errors": [{"message": "No such field."}]}'
    client = HttpClient()
    async with answering(400, body) as url:
        result = await HttpTransport(url, client).fetch(REQUEST)
    await client.close()

    assert result.data is None
    assert result.errors == [{"message": "No such field."}]


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (200, b"{not json", SubgraphBadResponse, "malformed JSON"),
        (200, b'{"hello": 1}', SubgraphBadResponse, "no GraphQL response"),
        (200, b'{"data": [1]}', SubgraphBadResponse, "a malformed response"),
        (502, b"<html>bad gateway</html>", SubgraphUnavailable, "HTTP 502"),
    ],
)
async def test_bad_answers_raise_transport_errors(
    status: int, body: bytes, error: type[TransportError], message: str
) -> None:
    client = HttpClient()
    async with answering(status, body) as url:
        transport = HttpTransport(url, client)

        with pytest.raises(error, match=message) as caught:
            await transport.fetch(REQUEST)
    await client.close()

    assert caught.value.subgraph == "reviews"
    assert str(caught.value).startswith("The subgraph reviews ")


async def test_a_refused_connection_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = HttpClient()
    transport = HttpTransport(f"http://127.0.0.1:{port}/", client)

    with pytest.raises(SubgraphUnavailable) as caught:
        await transport.fetch(REQUEST)
    await client.close()

    assert caught.value.code == "SUBGRAPH_UNAVAILABLE"


async def test_the_body_carries_query_variables_and_headers() -> None:
    seen: list[web.Request] = []
    client = HttpClient()
    async with answering(200, b'{"data": {"a": 1}}', seen) as url:
        transport = HttpTransport(url, client, lambda viewer: {"authorization": "x"})
        result = await transport.fetch(REQUEST)
    await client.close()

    assert result.data == {"a": 1}
    (request,) = seen
    assert request.headers["authorization"] == "x"
    assert request.headers["content-type"] == "application/json"
    assert await request.read() == b'{"query":"{ a }","variables":{"v":1}}'


async def test_a_slow_subgraph_times_out() -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.Response(body=b'{"data": {}}')

    client = HttpClient(timeout=0.2)
    async with serving(slow) as url:
        with pytest.raises(SubgraphTimeout) as caught:
            await HttpTransport(url, client).fetch(REQUEST)
    await client.close()

    assert caught.value.code == "SUBGRAPH_TIMEOUT"
