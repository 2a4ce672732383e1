import stat
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from starlette.applications import Starlette

from auth.dev_issuer import DEV_ISSUER, KEY_FILE, DevIssuer, PersonaSignIn, routes
from auth.errors import Unauthenticated
from auth.jwks import KeyCache, UrlJwks
from auth.tokens import TokenVerifier
from auth.viewer import AssuranceLevel
from tests.auth.conftest import CHILD, PERSON


@dataclass(frozen=True)
class Persona:
    name: str
    person_id: str
    description: str


PERSONAS = (
    Persona("parent", PERSON, "a married parent"),
    Persona("teen", CHILD, "their teenager"),
)


@pytest.fixture
def issuer(tmp_path: Path) -> DevIssuer:
    return DevIssuer.load_or_create(tmp_path)


def test_the_key_is_created_once_readable_by_the_owner_only(tmp_path: Path) -> None:
    first = DevIssuer.load_or_create(tmp_path)
    second = DevIssuer.load_or_create(tmp_path)

    mode = stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode)
    assert mode == 0o600
    assert first.jwk == second.jwk
    assert first.jwk["alg"] == "ES256"
    assert "d" not in first.jwk


async def test_issued_tokens_verify_as_the_persona(issuer: DevIssuer) -> None:
    token = issuer.issue(PERSON, AssuranceLevel.HIGH, acting_for=CHILD)

    viewer = await issuer.verifier().verify(token)

    assert viewer.person_id == PERSON
    assert viewer.assurance is AssuranceLevel.HIGH
    assert viewer.acting_for == CHILD
    assert viewer.subject == issuer.subject(PERSON) != PERSON


def test_tokens_carry_the_broker_claims_and_expire_soon(issuer: DevIssuer) -> None:
    now = datetime(2026, 12, 4, 12, tzinfo=UTC)

    token = issuer.issue(PERSON, now=now)

    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == DEV_ISSUER
    assert claims["loa"] == "https://data.gov.dk/concept/core/nsis/loa/Substantial"
    assert claims["cpr_uuid"] == PERSON
    assert "act_for" not in claims
    assert claims["exp"] - claims["iat"] == 15 * 60


async def test_an_expired_development_token_is_refused(issuer: DevIssuer) -> None:
    token = issuer.issue(PERSON, now=datetime.now(UTC) - timedelta(hours=1))

    with pytest.raises(Unauthenticated) as caught:
        await issuer.verifier().verify(token)

    assert caught.value.reason == "expired"


async def test_another_data_folders_tokens_are_refused(
    issuer: DevIssuer, tmp_path: Path
) -> None:
    stranger = DevIssuer.load_or_create(tmp_path / "elsewhere")

    with pytest.raises(Unauthenticated) as caught:
        await issuer.verifier().verify(stranger.issue(PERSON))

    assert caught.value.reason == "unknown_key"


def subject_pairs(issuer: DevIssuer) -> tuple[str, str]:
    other = DevIssuer(issuer.private_key, audience="another-service")
    return issuer.subject(PERSON), other.subject(PERSON)


def test_subjects_are_pairwise_per_audience(issuer: DevIssuer) -> None:
    ours, theirs = subject_pairs(issuer)

    assert ours != theirs


@pytest.fixture
async def client(issuer: DevIssuer) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=routes(issuer, PERSONAS))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://gateway.test"
    ) as client:
        yield client


async def test_the_token_route_signs_for_a_persona(
    client: httpx.AsyncClient, issuer: DevIssuer
) -> None:
    response = await client.get(
        "/dev/token", params={"persona": "teen", "assurance": "low"}
    )

    body = response.json()
    viewer = await issuer.verifier().verify(body["token"])
    assert response.headers["cache-control"] == "no-store"
    assert (body["persona"], body["assurance"]) == ("teen", "low")
    assert (viewer.person_id, viewer.assurance) == (CHILD, AssuranceLevel.LOW)


@pytest.mark.parametrize(
    ("params", "acting_for"),
    [
        ({"actFor": "teen"}, CHILD),
        ({"actFor": "5d1e0c9b-8a7f-4e6d-9c5b-4a3f2e1d0c9b"}, None),
        ({"actingFor": CHILD}, CHILD),
        ({}, None),
    ],
)
async def test_the_token_route_acts_for_a_persona_or_a_person(
    client: httpx.AsyncClient,
    issuer: DevIssuer,
    params: dict[str, str],
    acting_for: str | None,
) -> None:
    response = await client.get("/dev/token", params={"persona": "parent", **params})

    body = response.json()
    viewer = await issuer.verifier().verify(body["token"])
    expected = acting_for or params.get("actFor")
    assert viewer.person_id == PERSON
    assert viewer.acting_for == expected
    assert body.get("actingFor") == expected


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"persona": "nobody"}, "UNKNOWN_PERSONA"),
        ({}, "UNKNOWN_PERSONA"),
        ({"persona": "parent", "assurance": "ultra"}, "BAD_USER_INPUT"),
        ({"persona": "parent", "actFor": "x" * 129}, "BAD_USER_INPUT"),
        ({"persona": "parent", "actingFor": "x" * 129}, "BAD_USER_INPUT"),
    ],
)
async def test_the_token_route_refuses_bad_input(
    client: httpx.AsyncClient, params: dict[str, str], code: str
) -> None:
    response = await client.get("/dev/token", params=params)

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_the_personas_route_lists_the_personas(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/dev/personas")

    assert [p["name"] for p in response.json()] == ["parent", "teen"]


async def test_the_discovery_document_leads_to_the_jwks(
    client: httpx.AsyncClient, issuer: DevIssuer
) -> None:
    discovery = (await client.get("/dev/.well-known/openid-configuration")).json()
    cache = KeyCache(UrlJwks(discovery["jwks_uri"], client))
    verifier = TokenVerifier(cache, discovery["issuer"], issuer.audience)
    viewer = await verifier.verify(issuer.issue(PERSON))

    assert discovery["jwks_uri"] == "http://gateway.test/dev/jwks.json"
    assert viewer.person_id == PERSON


async def test_persona_sign_in_signs_by_name(issuer: DevIssuer) -> None:
    sign_in = PersonaSignIn(issuer, PERSONAS)

    token = await sign_in.token("teen", AssuranceLevel.HIGH)

    viewer = await issuer.verifier().verify(token)
    assert sign_in.personas() == ["parent", "teen"]
    assert (viewer.person_id, viewer.assurance) == (CHILD, AssuranceLevel.HIGH)


async def test_persona_sign_in_refuses_an_unknown_name(issuer: DevIssuer) -> None:
    with pytest.raises(LookupError, match="choose one of parent, teen"):
        await PersonaSignIn(issuer, PERSONAS).token("nobody")


def test_processes_starting_together_share_one_key(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        issuers = list(pool.map(DevIssuer.load_or_create, [tmp_path] * 8))

    assert len({issuer.jwk["kid"] for issuer in issuers}) == 1
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILE]
