import dataclasses
import json
import stat
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL

from auth.dev_issuer import DevIssuer
from auth.errors import Unauthenticated
from auth.keys import KeyFileError
from auth.service_tokens import (
    KEY_FILE,
    ServiceTokenMiddleware,
    ServiceTokens,
    viewer_of,
)
from auth.viewer import (
    AssuranceLevel,
    ChildRelation,
    PowerOfAttorney,
    Relations,
    Viewer,
)
from tests.auth.conftest import CHILD, PERSON

SPOUSE = "9e8d7c6b-5a49-4837-a261-504f3e2d1c0b"
VIEWER = Viewer(
    subject="pairwise-7d3e",
    person_id=PERSON,
    assurance=AssuranceLevel.SUBSTANTIAL,
    acting_for=CHILD,
    relations=Relations(
        spouse_id=SPOUSE,
        children=(
            ChildRelation(CHILD, date(2015, 3, 9), has_custody=True),
            ChildRelation("c2", date(2009, 11, 30), has_custody=False),
        ),
        parent_ids=("mother", "father"),
        powers=(
            PowerOfAttorney("grantor", frozenset({"skat"}), date(2025, 1, 1)),
            PowerOfAttorney(
                "other",
                frozenset({"cpr", "health"}),
                date(2026, 1, 1),
                date(2027, 1, 1),
            ),
        ),
    ),
    today=date(2026, 12, 4),
)


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> ServiceTokens:
    return ServiceTokens.load_or_create(tmp_path_factory.mktemp("gw") / KEY_FILE)


def refused(tokens: ServiceTokens, token: str, subgraph: str = "cpr") -> str:
    with pytest.raises(Unauthenticated) as caught:
        tokens.verify(token, subgraph)
    return caught.value.reason


def test_the_viewer_travels_whole(tokens: ServiceTokens) -> None:
    assert tokens.verify(tokens.mint(VIEWER, "cpr"), "cpr") == VIEWER


def test_a_viewer_without_person_travels_too(tokens: ServiceTokens) -> None:
    anonymous = Viewer("s", None, AssuranceLevel.LOW, today=date(2026, 1, 1))

    assert tokens.verify(tokens.mint(anonymous, "skat"), "skat") == anonymous


def test_a_token_for_another_subgraph_is_refused(tokens: ServiceTokens) -> None:
    assert refused(tokens, tokens.mint(VIEWER, "skat"), "health") == "wrong_audience"


def test_a_token_older_than_a_minute_is_refused(tokens: ServiceTokens) -> None:
    old = datetime.now(UTC) - timedelta(seconds=70)

    assert refused(tokens, tokens.mint(VIEWER, "cpr", now=old)) == "expired"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).timestamp()

    def __call__(self) -> float:
        return self.now


def clocked(tmp_path: Path) -> tuple[ServiceTokens, Clock]:
    clock = Clock()
    made = ServiceTokens.load_or_create(tmp_path / KEY_FILE)
    return ServiceTokens(made.jwks(), made.private_key, clock=clock), clock


def test_a_token_is_handed_out_again_for_half_its_lifetime(tmp_path: Path) -> None:
    tokens, clock = clocked(tmp_path)
    clock.now -= 31
    first = tokens.mint(VIEWER, "cpr")
    other_viewer = dataclasses.replace(VIEWER, acting_for=None)

    clock.now += 29
    assert tokens.mint(VIEWER, "cpr") == first
    assert tokens.mint(VIEWER, "skat") != first
    assert tokens.mint(other_viewer, "cpr") != first
    assert tokens.mint(VIEWER, "cpr", now=datetime.now(UTC)) != first
    clock.now += 2
    renewed = tokens.mint(VIEWER, "cpr")

    assert renewed != first
    assert tokens.verify(renewed, "cpr") == VIEWER
    assert tokens.verify(first, "cpr") == VIEWER


def test_a_verified_token_is_remembered_for_its_audience_only_and_not_for_long(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens, clock = clocked(tmp_path)
    token = tokens.mint(VIEWER, "cpr")
    decoded: list[str] = []
    decode = jwt.decode

    def counted(token: str, *args: Any, **kwargs: Any) -> Any:
        decoded.append(token)
        return decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counted)

    assert tokens.verify(token, "cpr") == VIEWER
    assert tokens.verify(token, "cpr") == VIEWER
    assert decoded == [token]
    assert refused(tokens, token, "skat") == "wrong_audience"
    clock.now += 61
    assert tokens.verify(token, "cpr") == VIEWER
    assert decoded == [token, token, token]
    assert [len(digest) for digest in tokens._verified.digests()] == [32]


def test_a_citizen_token_is_no_service_token(
    tokens: ServiceTokens, tmp_path: Path
) -> None:
    citizen = DevIssuer.load_or_create(tmp_path).issue(PERSON)

    assert refused(tokens, citizen) == "unknown_key"


def gateway_signed(tokens: ServiceTokens, claims: dict[str, Any], **header: Any) -> str:
    assert tokens.private_key is not None
    kid = tokens.jwks()["keys"][0]["kid"]
    return jwt.encode(claims, tokens.private_key, "ES256", {"kid": kid, **header})


def test_an_untyped_token_of_the_gateway_key_is_refused(tokens: ServiceTokens) -> None:
    claims = jwt.decode(tokens.mint(VIEWER, "cpr"), options={"verify_signature": False})

    assert refused(tokens, gateway_signed(tokens, claims)) == "malformed_token"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"today": None}, "missing_claim"),
        ({"assurance": "medium"}, "invalid_claim"),
        (
            {"relations": {"children": [{"id": "x", "born": "2020-01-01"}]}},
            "invalid_claim",
        ),
        ({"relations": {"spouse": 7}}, "invalid_claim"),
        ({"relations": {"parents": [None]}}, "invalid_claim"),
        ({"relations": {"powers": [{"grantor": "g"}]}}, "invalid_claim"),
        (
            {
                "relations": {
                    "powers": [
                        {
                            "grantor": "g",
                            "scope": "skat",
                            "from": "2025-01-01",
                            "to": None,
                        }
                    ]
                }
            },
            "invalid_claim",
        ),
        ({"iss": "urn:someone-else"}, "wrong_issuer"),
    ],
)
def test_bad_viewer_claims_are_refused(
    tokens: ServiceTokens, change: dict[str, Any], reason: str
) -> None:
    claims = jwt.decode(tokens.mint(VIEWER, "cpr"), options={"verify_signature": False})
    claims.update(change)
    claims = {k: v for k, v in claims.items() if v is not None}
    token = gateway_signed(tokens, claims, typ="citizen-graph-service+jwt")

    assert refused(tokens, token) == reason


def test_a_subgraph_with_the_public_keys_verifies_but_cannot_mint(
    tokens: ServiceTokens, tmp_path: Path
) -> None:
    jwks_file = tmp_path / "service-jwks.json"
    jwks_file.write_text(json.dumps(tokens.jwks()))
    subgraph = ServiceTokens.from_env(
        tmp_path, {"CITIZEN_GRAPH_SERVICE_JWKS_FILE": str(jwks_file)}
    )

    assert subgraph.verify(tokens.mint(VIEWER, "cpr"), "cpr") == VIEWER
    assert all("d" not in key for key in tokens.jwks()["keys"])
    with pytest.raises(RuntimeError):
        subgraph.mint(VIEWER, "cpr")


def test_the_gateway_key_is_made_once_in_the_data_folder(tmp_path: Path) -> None:
    first = ServiceTokens.from_env(tmp_path, {})
    second = ServiceTokens.from_env(tmp_path, {})

    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
    assert second.verify(first.mint(VIEWER, "cpr"), "cpr") == VIEWER


@strawberry.federation.type(keys=["personId"])
class Person:
    person_id: strawberry.ID

    @classmethod
    def resolve_reference(cls, **representation: Any) -> "Person":
        return cls(person_id=strawberry.ID(representation["personId"]))


@strawberry.type
class Query:
    @strawberry.field
    def me(self, info: strawberry.Info) -> str | None:
        viewer: Viewer = info.context["viewer"]
        return viewer.person_id


class SubgraphApp(GraphQL[dict[str, Any], None]):
    async def get_context(
        self, request: Request | Any, response: Response | Any
    ) -> dict[str, Any]:
        return {"viewer": viewer_of(request)}


async def health(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


@pytest.fixture
async def subgraph(tokens: ServiceTokens) -> AsyncIterator[httpx.AsyncClient]:
    schema = strawberry.federation.Schema(query=Query, types=[Person])
    routes = [
        Route("/healthz", health),
        Route("/graphql", SubgraphApp(schema), methods=["GET", "POST"]),
    ]
    app = ServiceTokenMiddleware(
        Starlette(routes=routes), tokens, subgraph="cpr", exempt={"/healthz"}
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cpr") as client:
        yield client


OPERATIONS = [
    "{ me }",
    "{ _service { sdl } }",
    '{ _entities(representations: [{__typename: "Person", personId: "p"}])'
    " { ... on Person { personId } } }",
]


@pytest.mark.parametrize("query", OPERATIONS)
@pytest.mark.parametrize(
    "authorization", [None, "Bearer not-a-token", "Basic eDp5", "other-subgraph"]
)
async def test_the_subgraph_refuses_every_operation_without_a_valid_token(
    subgraph: httpx.AsyncClient,
    tokens: ServiceTokens,
    query: str,
    authorization: str | None,
) -> None:
    headers = {}
    if authorization == "other-subgraph":
        headers["Authorization"] = f"Bearer {tokens.mint(VIEWER, 'skat')}"
    elif authorization is not None:
        headers["Authorization"] = authorization

    response = await subgraph.post("/graphql", json={"query": query}, headers=headers)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="')
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in response.json()


async def test_the_subgraph_refuses_a_get_without_token(
    subgraph: httpx.AsyncClient,
) -> None:
    response = await subgraph.get("/graphql", params={"query": "{ _service { sdl } }"})

    assert response.status_code == 401


async def test_the_subgraph_serves_the_viewer_of_a_valid_token(
    subgraph: httpx.AsyncClient, tokens: ServiceTokens
) -> None:
    headers = {"Authorization": f"Bearer {tokens.mint(VIEWER, 'cpr')}"}

    responses = [
        await subgraph.post("/graphql", json={"query": q}, headers=headers)
        for q in OPERATIONS
    ]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[0].json() == {"data": {"me": PERSON}}
    assert "type Person" in responses[1].json()["data"]["_service"]["sdl"]
    assert responses[2].json()["data"]["_entities"] == [{"personId": "p"}]


async def test_only_exempt_paths_pass_without_a_token(
    subgraph: httpx.AsyncClient,
) -> None:
    health = await subgraph.get("/healthz")
    other = await subgraph.get("/healthz/../graphql")
    unknown = await subgraph.get("/anything")

    assert (health.status_code, health.text) == (200, "ok")
    assert other.status_code == 401
    assert unknown.status_code == 401


@pytest.mark.parametrize("content", [None, "not json", "[]", '{"keys": 3}'])
def test_an_unusable_jwks_file_is_a_clear_error(
    tmp_path: Path, content: str | None
) -> None:
    path = tmp_path / "service-jwks.json"
    if content is not None:
        path.write_text(content)

    with pytest.raises(KeyFileError, match=r"service-jwks\.json"):
        ServiceTokens.from_env(tmp_path, {"CITIZEN_GRAPH_SERVICE_JWKS_FILE": str(path)})


def test_every_viewer_and_relation_field_is_carried() -> None:
    """Fails when the viewer grows a field that service tokens do not carry yet."""
    carried = {
        Viewer: {
            "subject",
            "person_id",
            "assurance",
            "acting_for",
            "relations",
            "today",
        },
        Relations: {"spouse_id", "children", "parent_ids", "powers"},
    }

    for kind, names in carried.items():
        assert {f.name for f in dataclasses.fields(kind)} == names
    assert all(getattr(VIEWER.relations, name) for name in carried[Relations])


def test_after_the_clock_steps_back_no_token_issued_in_its_future_is_handed_out(
    tmp_path: Path,
) -> None:
    """A token is handed out again only while the clock is inside its reuse
    window: after the clock is set back (NTP stepping, say), the token minted
    before bears an ``iat`` in the future, which every subgraph that has not
    yet remembered it refuses as not valid yet."""
    tokens, clock = clocked(tmp_path)
    first = tokens.mint(VIEWER, "cpr")

    clock.now -= 120
    again = tokens.mint(VIEWER, "cpr")

    assert again != first
    claims = jwt.decode(again, options={"verify_signature": False})
    assert claims["iat"] <= clock.now
