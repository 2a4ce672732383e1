"""The gateway with the identity pieces of :mod:`auth` in its seams."""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from auth.dev_issuer import DevIssuer, PersonaSignIn
from auth.tokens import TrustedIssuers
from auth.viewer import AssuranceLevel
from gateway.seams import Authenticate, DevSignIn
from subgraphs.population import PERSONAS, persona
from tests.gateway.support import SchemaExecutor

Serve = Callable[..., AsyncIterator[httpx.AsyncClient]]


@pytest.fixture
def issuer(tmp_path: Path) -> DevIssuer:
    return DevIssuer.load_or_create(tmp_path)


@pytest.fixture
async def gateway(serve: Serve, issuer: DevIssuer) -> AsyncIterator[httpx.AsyncClient]:
    authenticate: Authenticate = TrustedIssuers(issuer.verifier()).authenticate
    sign_in: DevSignIn = PersonaSignIn(issuer, PERSONAS)
    async for client in serve(authenticate=authenticate, dev=True, dev_sign_in=sign_in):
        yield client


async def test_a_persona_token_from_the_dev_route_signs_in(
    gateway: httpx.AsyncClient, executor: SchemaExecutor
) -> None:
    token = (await gateway.get("/dev/token", params={"persona": "parent"})).json()

    response = await gateway.post(
        "/graphql",
        json={"query": "{ viewer }"},
        headers={"Authorization": f"Bearer {token['token']}"},
    )

    assert response.status_code == 200
    viewer = executor.calls[0].viewer
    assert viewer.person_id == persona("parent").person_id
    assert viewer.assurance is AssuranceLevel.SUBSTANTIAL
    assert response.json() == {"data": {"viewer": viewer.subject}}


@pytest.mark.parametrize(
    ("authorization", "challenge"),
    [
        (None, 'Bearer realm="citizen-graph"'),
        ("Basic eDp5", 'error="invalid_request"'),
        ("Bearer garbage", 'error="invalid_token"'),
        (
            "expired",
            'error="invalid_token", error_description="The token has expired."',
        ),
    ],
)
async def test_refused_tokens_get_401_with_a_challenge(
    gateway: httpx.AsyncClient,
    executor: SchemaExecutor,
    issuer: DevIssuer,
    authorization: str | None,
    challenge: str,
) -> None:
    headers = {}
    if authorization == "expired":
        old = datetime.now(UTC) - timedelta(hours=1)
        headers["Authorization"] = f"Bearer {issuer.issue('p', now=old)}"
    elif authorization is not None:
        headers["Authorization"] = authorization

    response = await gateway.post(
        "/graphql", json={"query": "{ hello }"}, headers=headers
    )

    assert response.status_code == 401
    assert challenge in response.headers["www-authenticate"]
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert executor.calls == []


async def test_an_anonymous_gateway_still_refuses_bad_tokens(
    serve: Serve, executor: SchemaExecutor, issuer: DevIssuer
) -> None:
    issuers = TrustedIssuers(issuer.verifier(), anonymous=True)
    async for client in serve(authenticate=issuers.authenticate):
        without = await client.post("/graphql", json={"query": "{ viewer }"})
        garbage = await client.post(
            "/graphql",
            json={"query": "{ viewer }"},
            headers={"Authorization": "Bearer garbage"},
        )

    assert without.json() == {"data": {"viewer": "anonymous"}}
    assert garbage.status_code == 401
    assert executor.calls[0].viewer.person_id is None
