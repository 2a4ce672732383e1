"""The seams of the server: identity, persisted queries, readiness, dev sign-in."""

from collections.abc import AsyncIterator, Callable, Mapping, Sequence

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from auth.errors import Forbidden, Unauthenticated
from auth.viewer import AssuranceLevel, Viewer
from gateway.errors import RequestError
from gateway.http import GraphQLParams
from tests.gateway.support import SchemaExecutor

Serve = Callable[..., AsyncIterator[httpx.AsyncClient]]


EXPIRED = Unauthenticated("The bearer token has expired.", reason="expired")


async def strict(request: Request) -> Viewer:
    """Accepts only the bearer token ``good``."""
    header = request.headers.get("authorization")
    if header is None:
        raise Unauthenticated("Sign in to use the citizen graph.")
    if header == "Bearer expired":
        raise Unauthenticated("The bearer token has expired.", reason="expired")
    if header == "Bearer banned":
        raise Forbidden("This sign-in may not use the citizen graph.")
    return Viewer(subject="good", person_id="p-1", assurance=AssuranceLevel.HIGH)


@pytest.mark.parametrize(
    ("authorization", "status", "code", "challenge"),
    [
        (None, 401, "UNAUTHENTICATED", 'Bearer realm="citizen-graph"'),
        ("Bearer expired", 401, "UNAUTHENTICATED", EXPIRED.www_authenticate),
        ("Bearer banned", 403, "FORBIDDEN", None),
    ],
)
async def test_a_refused_identity(
    serve: Serve,
    authorization: str | None,
    status: int,
    code: str,
    challenge: str | None,
) -> None:
    headers = {"authorization": authorization} if authorization else {}

    async for client in serve(authenticate=strict):
        response = await client.post(
            "/graphql", json={"query": "{ viewer }"}, headers=headers
        )

    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] == code
    assert response.headers.get("www-authenticate") == challenge
    assert "data" not in response.json()


async def test_a_refusal_keeps_its_extensions(serve: Serve) -> None:
    async for client in serve(authenticate=strict):
        response = await client.post(
            "/graphql",
            json={"query": "{ viewer }"},
            headers={"authorization": "Bearer expired"},
        )

    assert response.json()["errors"] == [
        {
            "message": "The bearer token has expired.",
            "extensions": {"code": "UNAUTHENTICATED", "reason": "expired"},
        }
    ]
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_the_viewer_reaches_the_executor(
    serve: Serve, executor: SchemaExecutor
) -> None:
    async for client in serve(authenticate=strict):
        response = await client.post(
            "/graphql",
            json={"query": "{ viewer }"},
            headers={"authorization": "Bearer good"},
        )

    assert response.json() == {"data": {"viewer": "good"}}
    assert executor.calls[-1].viewer.person_id == "p-1"


class NotFound(Exception):
    """A persisted-query refusal as another package would raise it."""

    code = "PERSISTED_QUERY_NOT_FOUND"
    status = 200


class Mismatch(Exception):
    """A refusal without a status of its own."""

    code = "PERSISTED_QUERY_HASH_MISMATCH"


DOCUMENTS = {"abc": 'query Stored { hello(name: "stored") }'}


async def persisted(params: GraphQLParams) -> str:
    """Documents by id, or the query text."""
    if params.document_id is not None:
        if params.document_id not in DOCUMENTS:
            raise NotFound(f"There is no document {params.document_id!r}.")
        return DOCUMENTS[params.document_id]
    if params.extensions.get("persistedQuery"):
        raise Mismatch("The hash does not match the query.")
    assert params.query is not None
    return params.query


@pytest.mark.parametrize(
    ("body", "accept", "status", "result"),
    [
        ({"documentId": "abc"}, None, 200, {"data": {"hello": "Hello, stored!"}}),
        ({"documentId": "nope"}, None, 200, "PERSISTED_QUERY_NOT_FOUND"),
        (
            {"documentId": "nope"},
            "application/graphql-response+json",
            200,
            "PERSISTED_QUERY_NOT_FOUND",
        ),
        (
            {"query": "{ hello }", "extensions": {"persistedQuery": {"version": 1}}},
            "application/graphql-response+json",
            400,
            "PERSISTED_QUERY_HASH_MISMATCH",
        ),
        (
            {"query": "{ hello }", "extensions": {"persistedQuery": {"version": 1}}},
            "application/json",
            200,
            "PERSISTED_QUERY_HASH_MISMATCH",
        ),
    ],
)
async def test_the_document_resolver_decides_the_document(
    serve: Serve,
    body: Mapping[str, object],
    accept: str | None,
    status: int,
    result: object,
) -> None:
    headers = {"accept": accept} if accept else {}

    async for client in serve(resolve_document=persisted):
        response = await client.post("/graphql", json=body, headers=headers)

    assert response.status_code == status
    if isinstance(result, str):
        assert response.json()["errors"][0]["extensions"]["code"] == result
        assert "data" not in response.json()
    else:
        assert response.json() == result


async def test_without_a_resolver_a_hash_alone_is_refused(
    client: httpx.AsyncClient,
) -> None:
    body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}

    response = await client.post("/graphql", json=body)

    assert response.status_code == 200
    code = response.json()["errors"][0]["extensions"]["code"]
    assert code == "PERSISTED_QUERY_NOT_SUPPORTED"


async def test_a_gateway_error_from_a_seam_passes_through(serve: Serve) -> None:
    async def refuse(params: GraphQLParams) -> str:
        raise RequestError("Only trusted documents run here.", code="NOT_TRUSTED")

    async for client in serve(resolve_document=refuse):
        response = await client.post(
            "/graphql",
            json={"query": "{ hello }"},
            headers={"accept": "application/graphql-response+json"},
        )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_TRUSTED"


async def test_healthz_answers_while_the_process_runs(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def _check(result: Mapping[str, bool] | Exception) -> Callable[[], object]:
    async def check() -> Mapping[str, bool]:
        if isinstance(result, Exception):
            raise result
        return result

    return check


@pytest.mark.parametrize(
    ("check", "status", "body"),
    [
        (None, 200, {"status": "ready", "checks": {}}),
        (
            _check({"cpr": True, "skat": True}),
            200,
            {"status": "ready", "checks": {"cpr": True, "skat": True}},
        ),
        (
            _check({"cpr": True, "skat": False}),
            503,
            {"status": "unavailable", "checks": {"cpr": True, "skat": False}},
        ),
        (
            _check(OSError("connection refused")),
            503,
            {"status": "unavailable", "checks": {"check": False}},
        ),
    ],
)
async def test_readyz_reports_each_dependency(
    serve: Serve, check: Callable[[], object] | None, status: int, body: object
) -> None:
    async for client in serve(readiness=check):
        response = await client.get("/readyz")

    assert response.status_code == status
    assert response.json() == body


class Issuer:
    """A development issuer with two personas."""

    def personas(self) -> Sequence[str]:
        return ("parent", "single")

    async def token(self, persona: str) -> str:
        if persona not in self.personas():
            raise LookupError(persona)
        return f"token-{persona}"


async def test_dev_mode_hands_out_persona_tokens(serve: Serve) -> None:
    async for client in serve(dev=True, dev_sign_in=Issuer()):
        personas = await client.get("/dev/personas")
        token = await client.get("/dev/token", params={"persona": "parent"})
        unknown = await client.get("/dev/token", params={"persona": "mallory"})
        page = await client.get("/graphiql")

    assert personas.json() == {"personas": ["parent", "single"]}
    assert token.json() == {"token": "token-parent", "tokenType": "Bearer"}
    assert token.headers["cache-control"] == "no-store"
    assert unknown.status_code == 404
    assert "choose one of parent, single" in unknown.json()["errors"][0]["message"]
    assert 'data-sign-in="true"' in page.text


async def test_production_hands_out_no_tokens(serve: Serve) -> None:
    async for client in serve(dev=False, dev_sign_in=Issuer()):
        response = await client.get("/dev/token", params={"persona": "parent"})

    assert response.status_code == 404


async def test_more_routes_are_served(serve: Serve) -> None:
    async def portal(request: Request) -> PlainTextResponse:
        return PlainTextResponse("My Page")

    async for client in serve(routes=[Route("/", portal)]):
        response = await client.get("/")

    assert response.text == "My Page"


async def test_the_vendor_bundle_is_served_in_dev_mode(serve: Serve) -> None:
    async for client in serve(dev=True):
        script = await client.get("/static/vendor/graphiql.min.js")
        ours = await client.get("/static/graphiql/app.js")

    assert script.status_code == 200
    assert "GraphiQL" in script.text[:2000]
    assert ours.status_code == 200


async def test_the_picker_appears_when_routes_serve_tokens(serve: Serve) -> None:
    async def tokens(request: Request) -> PlainTextResponse:
        return PlainTextResponse("{}")

    async for client in serve(dev=True, routes=[Route("/dev/token", tokens)]):
        page = await client.get("/graphiql")

    assert 'data-sign-in="true"' in page.text
