"""The HTTP transport turns every kind of bad answer into a transport error."""

import socket

import httpx
import pytest
from graphql import parse

from auth.viewer import ANONYMOUS
from resolvers.transports import (
    FetchRequest,
    HttpTransport,
    SubgraphBadResponse,
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


def answering(status: int, body: bytes) -> httpx.AsyncClient:
    """A client whose network edge answers every request with ``body``."""

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body)

    return httpx.AsyncClient(transport=httpx.MockTransport(handle))


async def test_a_graphql_response_with_errors_is_read_even_on_4xx() -> None:
    body = b'{"errors": [{"message": "No such field."}]}'
    async with answering(400, body) as client:
        result = await HttpTransport("http://sub.invalid/", client).fetch(REQUEST)

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
    async with answering(status, body) as client:
        transport = HttpTransport("http://sub.invalid/", client)

        with pytest.raises(error, match=message) as caught:
            await transport.fetch(REQUEST)

    assert caught.value.subgraph == "reviews"
    assert str(caught.value).startswith("The subgraph reviews ")


async def test_a_refused_connection_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with httpx.AsyncClient() as client:
        transport = HttpTransport(f"http://127.0.0.1:{port}/", client)

        with pytest.raises(SubgraphUnavailable) as caught:
            await transport.fetch(REQUEST)

    assert caught.value.code == "SUBGRAPH_UNAVAILABLE"


async def test_the_body_carries_query_variables_and_headers() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b'{"data": {"a": 1}}')

    async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as client:
        transport = HttpTransport(
            "http://sub.invalid/", client, lambda viewer: {"authorization": "x"}
        )
        result = await transport.fetch(REQUEST)

    assert result.data == {"a": 1}
    (request,) = seen
    assert request.headers["authorization"] == "x"
    assert request.headers["content-type"] == "application/json"
    assert request.content == b'{"query":"{ a }","variables":{"v":1}}'
