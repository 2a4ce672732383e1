import asyncio
import json
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from auth import keys
from auth.dev_issuer import DEV_ISSUER, DevIssuer
from auth.errors import Unauthenticated
from auth.jwks import DiscoveryJwks, FileJwks, KeyCache, StaticJwks
from auth.tokens import (
    IdentitySettings,
    TokenVerifier,
    TrustedIssuers,
    bearer_token,
    loa_uri,
    unauthorized,
)
from auth.viewer import AssuranceLevel
from tests.auth.conftest import (
    AUDIENCE,
    CHILD,
    ISSUER,
    PERSON,
    JwksServer,
    Signer,
    b64,
    claims,
    hmac_token,
    segment,
)


@pytest.fixture
def verifier(es_signer: Signer, rs_signer: Signer) -> TokenVerifier:
    source = StaticJwks({"keys": [es_signer.jwk, rs_signer.jwk]})
    return TokenVerifier(KeyCache(source), issuer=ISSUER, audience=AUDIENCE)


async def refusal(verifier: TokenVerifier, token: str) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as caught:
        await verifier.verify(token)
    return caught.value


@pytest.mark.parametrize("signer_name", ["es_signer", "rs_signer"])
async def test_a_valid_token_gives_the_viewer(
    verifier: TokenVerifier, signer_name: str, request: pytest.FixtureRequest
) -> None:
    signer: Signer = request.getfixturevalue(signer_name)

    viewer = await verifier.verify(signer.sign(claims(act_for=CHILD)))

    assert viewer.subject == "pairwise-7d3e"
    assert viewer.person_id == PERSON
    assert viewer.assurance is AssuranceLevel.SUBSTANTIAL
    assert viewer.acting_for == CHILD


async def test_the_broker_namespaced_claims_are_read(
    verifier: TokenVerifier, es_signer: Signer
) -> None:
    token = es_signer.sign(
        claims(
            cpr_uuid=None,
            loa=None,
            **{
                "https://data.gov.dk/model/core/eid/cprUuid": PERSON,
                "https://data.gov.dk/concept/core/nsis/loa": loa_uri(
                    AssuranceLevel.HIGH
                ),
            },
        )
    )

    viewer = await verifier.verify(token)

    assert (viewer.person_id, viewer.assurance) == (PERSON, AssuranceLevel.HIGH)


@pytest.mark.parametrize(
    ("loa", "level"),
    [
        (None, AssuranceLevel.LOW),
        ("low", AssuranceLevel.LOW),
        ("Substantial", AssuranceLevel.SUBSTANTIAL),
        ("https://data.gov.dk/concept/core/nsis/loa/High", AssuranceLevel.HIGH),
    ],
)
async def test_assurance_levels(
    verifier: TokenVerifier, es_signer: Signer, loa: str | None, level: AssuranceLevel
) -> None:
    viewer = await verifier.verify(es_signer.sign(claims(loa=loa)))

    assert viewer.assurance is level


async def test_a_token_without_person_is_a_pseudonymous_viewer(
    verifier: TokenVerifier, es_signer: Signer
) -> None:
    viewer = await verifier.verify(es_signer.sign(claims(cpr_uuid=None)))

    assert viewer.person_id is None
    assert viewer.acting_for is None


async def test_clock_skew_within_the_leeway_is_tolerated(
    verifier: TokenVerifier, es_signer: Signer
) -> None:
    now = int(time.time())
    token = es_signer.sign(claims(exp=now - 10, iat=now + 10, nbf=now + 10))

    viewer = await verifier.verify(token)

    assert viewer.person_id == PERSON


def expired() -> dict[str, Any]:
    return claims(exp=int(time.time()) - 60, iat=int(time.time()) - 400)


REFUSED_CLAIMS = [
    ("expired", expired(), "expired"),
    ("nbf ahead", claims(nbf=int(time.time()) + 120), "not_yet_valid"),
    ("iat ahead", claims(iat=int(time.time()) + 120), "not_yet_valid"),
    ("wrong issuer", claims(iss="https://evil.example.test"), "wrong_issuer"),
    ("wrong audience", claims(aud="another-service"), "wrong_audience"),
    ("loa unknown", claims(loa="medium"), "invalid_claim"),
    ("loa not a string", claims(loa=2), "invalid_claim"),
    ("sub not a string", claims(sub=42), "invalid_claim"),
    ("sub empty", claims(sub=""), "invalid_claim"),
    ("person not a string", claims(cpr_uuid=["a"]), "invalid_claim"),
    ("act_for too long", claims(act_for="x" * 200), "invalid_claim"),
    ("iat not a number", claims(iat="yesterday"), "invalid_claim"),
    ("jti not a string", claims(jti=7), "invalid_claim"),
    *[
        (f"no {name}", claims(**{name: None}), "missing_claim")
        for name in ("exp", "iat", "iss", "aud", "sub")
    ],
]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [(payload, reason) for _, payload, reason in REFUSED_CLAIMS],
    ids=[case for case, _, _ in REFUSED_CLAIMS],
)
async def test_tokens_with_bad_claims_are_refused(
    verifier: TokenVerifier, es_signer: Signer, payload: dict[str, Any], reason: str
) -> None:
    error = await refusal(verifier, es_signer.sign(payload))

    assert error.reason == reason
    assert error.extensions == {"code": "UNAUTHENTICATED", "reason": reason}


async def test_a_missing_claim_is_named(
    verifier: TokenVerifier, es_signer: Signer
) -> None:
    error = await refusal(verifier, es_signer.sign(claims(aud=None)))

    assert error.message == "The token lacks the required claim 'aud'."


async def test_alg_none_is_refused(verifier: TokenVerifier, es_signer: Signer) -> None:
    header = {"alg": "none", "typ": "JWT", "kid": es_signer.kid}
    token = f"{segment(header)}.{segment(claims())}."

    error = await refusal(verifier, token)

    assert error.reason == "unsupported_algorithm"


async def test_hmac_signed_with_the_public_key_is_refused(
    verifier: TokenVerifier, rs_signer: Signer
) -> None:
    public_pem = rs_signer.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = hmac_token(claims(), public_pem, rs_signer.kid)

    error = await refusal(verifier, token)

    assert error.reason == "unsupported_algorithm"


async def test_an_algorithm_other_than_the_keys_is_refused(
    verifier: TokenVerifier, es_signer: Signer, rs_signer: Signer
) -> None:
    token = rs_signer.sign(claims(), kid=es_signer.kid)

    error = await refusal(verifier, token)

    assert error.reason == "unsupported_algorithm"


async def test_a_token_of_another_key_is_refused(verifier: TokenVerifier) -> None:
    stranger = Signer(keys.generate("ES256"))

    error = await refusal(verifier, stranger.sign(claims()))

    assert error.reason == "unknown_key"


async def test_a_token_without_kid_is_refused(
    verifier: TokenVerifier, es_signer: Signer
) -> None:
    token = jwt.encode(claims(), es_signer.private, "ES256")

    error = await refusal(verifier, token)

    assert error.reason == "unknown_key"


async def test_a_key_swapped_under_a_known_kid_is_refused(
    verifier: TokenVerifier, es_signer: Signer
) -> None:
    stranger = Signer(keys.generate("ES256"))

    error = await refusal(verifier, stranger.sign(claims(), kid=es_signer.kid))

    assert error.reason == "bad_signature"


@pytest.mark.parametrize("part", ["payload", "signature"])
async def test_a_tampered_token_is_refused(
    verifier: TokenVerifier, rs_signer: Signer, part: str
) -> None:
    header, payload, signature = rs_signer.sign(claims()).split(".")
    if part == "payload":
        payload = segment(claims(cpr_uuid=CHILD))
    else:
        signature = b64(bytes(b ^ 1 for b in jwt.utils.base64url_decode(signature)))

    error = await refusal(verifier, f"{header}.{payload}.{signature}")

    assert error.reason == "bad_signature"


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "a.b.c",
        "a.b",
        f"{b64(b'not json')}.{segment(claims())}.sig",
        f"{b64(b'[1, 2]')}.{segment(claims())}.sig",
    ],
    ids=["one segment", "not base64 json", "two segments", "header text", "array"],
)
async def test_garbage_is_a_malformed_token(
    verifier: TokenVerifier, token: str
) -> None:
    error = await refusal(verifier, token)

    assert error.reason == "malformed_token"


async def test_a_payload_that_is_not_json_is_malformed(
    verifier: TokenVerifier, es_signer: Signer
) -> None:
    header = segment({"alg": "ES256", "typ": "JWT", "kid": es_signer.kid})
    token = f"{header}.{b64(b'not json')}.{b64(b'x' * 64)}"

    error = await refusal(verifier, token)

    assert error.reason in {"malformed_token", "bad_signature"}


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ([], "missing_token"),
        (["Basic dXNlcjpwYXNz"], "malformed_header"),
        (["Bearer"], "malformed_header"),
        (["Bearer "], "malformed_header"),
        (["Bearer a.b.c d.e.f"], "malformed_header"),
        (["Bearer a.b.c,d.e.f"], "malformed_header"),
        (["Bearer a.b.c", "Bearer d.e.f"], "malformed_header"),
        (["Bearer " + "a" * 9000], "malformed_header"),
        (["Token a.b.c"], "malformed_header"),
        (["Bearer <script>.b.c"], "malformed_header"),
        (["Bearer a.b.c\u00e6"], "malformed_header"),
    ],
)
def test_malformed_authorization_headers(values: list[str], reason: str) -> None:
    with pytest.raises(Unauthenticated) as caught:
        bearer_token(values)

    assert caught.value.reason == reason


@pytest.mark.parametrize("value", ["Bearer a.b.c", "bearer a.b.c", " BEARER  a.b.c "])
def test_the_bearer_scheme_is_case_insensitive(value: str) -> None:
    assert bearer_token([value]) == "a.b.c"


def test_challenge_follows_rfc_6750() -> None:
    missing = Unauthenticated("Sign in: the request carries no bearer token.")
    header = Unauthenticated("Two tokens.", reason="malformed_header")
    token = Unauthenticated('The "token" has \\ expired.', reason="expired")

    assert missing.www_authenticate == 'Bearer realm="citizen-graph"'
    assert header.www_authenticate == (
        'Bearer realm="citizen-graph", error="invalid_request", '
        'error_description="Two tokens."'
    )
    assert token.www_authenticate == (
        'Bearer realm="citizen-graph", error="invalid_token", '
        "error_description=\"The 'token' has ' expired.\""
    )


def whoami_app(verifier: TokenVerifier) -> Starlette:
    async def whoami(request: Request) -> JSONResponse:
        try:
            viewer = await verifier.authenticate(request)
        except Unauthenticated as exc:
            return JSONResponse({"reason": exc.reason}, status_code=401)
        return JSONResponse({"person": viewer.person_id})

    return Starlette(routes=[Route("/", whoami, methods=["GET", "POST"])])


async def test_only_the_authorization_header_carries_the_token(
    verifier: TokenVerifier, es_signer: Signer
) -> None:
    token = es_signer.sign(claims())
    transport = httpx.ASGITransport(app=whoami_app(verifier))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        by_header = await client.get("/", headers={"Authorization": f"Bearer {token}"})
        by_query = await client.get("/", params={"access_token": token})
        by_body = await client.post("/", data={"access_token": token})
        doubled = await client.get(
            "/", headers=[("Authorization", f"Bearer {token}")] * 2
        )

    assert by_header.json() == {"person": PERSON}
    assert by_query.json() == {"reason": "missing_token"}
    assert by_body.json() == {"reason": "missing_token"}
    assert doubled.json() == {"reason": "malformed_header"}


def random_kid_token(signer: Signer, n: int) -> str:
    return signer.sign(claims(), kid=f"random-{n}")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_unknown_kids_refresh_the_keys_at_most_once_per_cooldown(
    jwks_server: JwksServer, es_signer: Signer
) -> None:
    clock = Clock()
    async with httpx.AsyncClient() as client:
        cache = KeyCache(DiscoveryJwks(jwks_server.issuer, client), clock=clock)
        verifier = TokenVerifier(cache, jwks_server.issuer, AUDIENCE)
        token = es_signer.sign(claims(iss=jwks_server.issuer))

        assert (await verifier.verify(token)).person_id == PERSON
        for n in range(20):
            assert (await refusal(verifier, random_kid_token(es_signer, n))).reason
        fetches_within_cooldown = jwks_server.jwks_fetches
        clock.now += 60
        for n in range(20):
            await refusal(verifier, random_kid_token(es_signer, n))
        fetches_after_cooldown = jwks_server.jwks_fetches

    assert fetches_within_cooldown == 1
    assert fetches_after_cooldown == 2
    assert jwks_server.requests.count("/.well-known/openid-configuration") == 1


async def test_concurrent_unknown_kids_share_one_refresh(
    jwks_server: JwksServer, es_signer: Signer
) -> None:
    async with httpx.AsyncClient() as client:
        cache = KeyCache(DiscoveryJwks(jwks_server.issuer, client))
        verifier = TokenVerifier(cache, jwks_server.issuer, AUDIENCE)
        tokens = [random_kid_token(es_signer, n) for n in range(30)]
        errors = await asyncio.gather(
            *(verifier.verify(t) for t in tokens), return_exceptions=True
        )

    assert all(isinstance(e, Unauthenticated) for e in errors)
    assert jwks_server.jwks_fetches == 1


async def test_a_rotated_key_is_found_after_the_cooldown(
    jwks_server: JwksServer, es_signer: Signer
) -> None:
    clock = Clock()
    rotated = Signer(keys.generate("RS256"))
    async with httpx.AsyncClient() as client:
        cache = KeyCache(DiscoveryJwks(jwks_server.issuer, client), clock=clock)
        verifier = TokenVerifier(cache, jwks_server.issuer, AUDIENCE)
        await verifier.verify(es_signer.sign(claims(iss=jwks_server.issuer)))
        jwks_server.jwks = {"keys": [es_signer.jwk, rotated.jwk]}
        token = rotated.sign(claims(iss=jwks_server.issuer))
        too_soon = await refusal(verifier, token)
        clock.now += 61
        viewer = await verifier.verify(token)

    assert too_soon.reason == "unknown_key"
    assert viewer.person_id == PERSON


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_an_unreachable_issuer_refuses_with_a_reason(es_signer: Signer) -> None:
    issuer = f"http://127.0.0.1:{closed_port()}"
    async with httpx.AsyncClient() as client:
        verifier = TokenVerifier(
            KeyCache(DiscoveryJwks(issuer, client)), issuer, AUDIENCE
        )
        token = es_signer.sign(claims(iss=issuer))
        first, again = [await refusal(verifier, token) for _ in range(2)]

    assert (first.reason, again.reason) == ("issuer_unavailable",) * 2


async def test_a_discovery_document_of_another_issuer_is_refused(
    jwks_server: JwksServer, es_signer: Signer
) -> None:
    async with httpx.AsyncClient() as client:
        other = jwks_server.issuer + "/"
        verifier = TokenVerifier(
            KeyCache(DiscoveryJwks(other, client)), other, AUDIENCE
        )
        error = await refusal(verifier, es_signer.sign(claims(iss=other)))

    assert error.reason == "issuer_unavailable"


async def test_keys_from_a_file(tmp_path: Path, es_signer: Signer) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [es_signer.jwk]}))
    verifier = TokenVerifier(KeyCache(FileJwks(path)), ISSUER, AUDIENCE)

    viewer = await verifier.verify(es_signer.sign(claims()))

    assert viewer.person_id == PERSON


async def test_hmac_and_private_keys_in_a_key_set_are_ignored(
    es_signer: Signer,
) -> None:
    secret = {"kty": "oct", "kid": "shared", "k": b64(b"s" * 32), "alg": "HS256"}
    private = {**es_signer.jwk, "d": "x", "kid": "private"}
    verifier = TokenVerifier(
        KeyCache(StaticJwks({"keys": [secret, private]})), ISSUER, AUDIENCE
    )
    token = hmac_token(claims(), b"s" * 32, "shared")

    error = await refusal(verifier, token)

    assert error.reason == "unsupported_algorithm"
    with pytest.raises(Unauthenticated):
        await verifier.keys.key("private")


def test_identity_settings_from_the_environment() -> None:
    settings = IdentitySettings.from_env(
        {
            "CITIZEN_GRAPH_OIDC_ISSUER": ISSUER,
            "CITIZEN_GRAPH_TOKEN_LEEWAY": "5",
            "CITIZEN_GRAPH_JWKS_COOLDOWN": "120",
        }
    )

    assert settings == IdentitySettings(
        issuer=ISSUER, audience="citizen-graph", leeway=5.0, cooldown=120.0
    )


async def test_a_verifier_from_settings_reads_a_jwks_file(
    tmp_path: Path, rs_signer: Signer
) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [rs_signer.jwk]}))
    settings = IdentitySettings(issuer=ISSUER, jwks_file=str(path))

    async with httpx.AsyncClient() as client:
        verifier = TokenVerifier.from_settings(settings, client)
        viewer = await verifier.verify(rs_signer.sign(claims()))

    assert viewer.person_id == PERSON


async def test_a_verifier_from_settings_discovers_the_issuer(
    jwks_server: JwksServer, es_signer: Signer
) -> None:
    settings = IdentitySettings(issuer=jwks_server.issuer, cooldown=5)

    async with httpx.AsyncClient() as client:
        verifier = TokenVerifier.from_settings(settings, client)
        viewer = await verifier.verify(es_signer.sign(claims(iss=jwks_server.issuer)))

    assert viewer.person_id == PERSON
    assert verifier.keys.cooldown == 5
    assert jwks_server.jwks_fetches == 1


async def test_a_verifier_needs_an_issuer() -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(ValueError, match="CITIZEN_GRAPH_OIDC_ISSUER"):
            TokenVerifier.from_settings(IdentitySettings(), client)


def test_the_401_response_carries_the_error_and_the_challenge() -> None:
    error = Unauthenticated("The token has expired.", reason="expired")

    response = unauthorized(error)

    assert response.status_code == 401
    assert json.loads(bytes(response.body)) == {
        "errors": [
            {
                "message": "The token has expired.",
                "extensions": {"code": "UNAUTHENTICATED", "reason": "expired"},
            }
        ]
    }
    assert response.headers["www-authenticate"] == error.www_authenticate


async def test_known_keys_survive_a_failed_refresh(
    jwks_server: JwksServer, es_signer: Signer
) -> None:
    clock = Clock()
    token = es_signer.sign(claims(iss=jwks_server.issuer))
    async with httpx.AsyncClient() as client:
        cache = KeyCache(DiscoveryJwks(jwks_server.issuer, client), clock=clock)
        verifier = TokenVerifier(cache, jwks_server.issuer, AUDIENCE)
        await verifier.verify(token)
        jwks_server.jwks = None
        clock.now += 60
        stranger = await refusal(verifier, random_kid_token(es_signer, 1))
        viewer = await verifier.verify(token)

    assert jwks_server.jwks_fetches == 2
    assert stranger.reason == "unknown_key"
    assert viewer.person_id == PERSON


@pytest.mark.parametrize("value", ["soon", "-1", "nan"])
def test_a_bad_leeway_is_a_clear_configuration_error(value: str) -> None:
    with pytest.raises(ValueError, match="CITIZEN_GRAPH_TOKEN_LEEWAY must be"):
        IdentitySettings.from_env({"CITIZEN_GRAPH_TOKEN_LEEWAY": value})


async def test_trusted_issuers_route_each_token_to_its_verifier(
    verifier: TokenVerifier, tmp_path: Path, es_signer: Signer
) -> None:
    dev = DevIssuer.load_or_create(tmp_path)
    issuers = TrustedIssuers(verifier, dev.verifier())

    broker_viewer = await issuers.verify(es_signer.sign(claims()))
    dev_viewer = await issuers.verify(dev.issue(CHILD))

    assert (broker_viewer.person_id, dev_viewer.person_id) == (PERSON, CHILD)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda s: s.sign(claims(iss="https://evil.example.test")), "wrong_issuer"),
        (lambda s: s.sign(claims(iss=None)), "missing_claim"),
        (lambda s: s.sign(claims(iss=DEV_ISSUER)), "unknown_key"),
        (lambda s: "garbage", "malformed_token"),
        (lambda s: f"{segment({'alg': 'ES256'})}.bm90IGpzb24.c2ln", "malformed_token"),
    ],
    ids=[
        "stranger",
        "no iss",
        "broker key as dev issuer",
        "garbage",
        "payload",
    ],
)
async def test_trusted_issuers_refuse_what_no_verifier_accepts(
    verifier: TokenVerifier,
    tmp_path: Path,
    es_signer: Signer,
    make: Callable[[Signer], str],
    reason: str,
) -> None:
    issuers = TrustedIssuers(verifier, DevIssuer.load_or_create(tmp_path).verifier())

    with pytest.raises(Unauthenticated) as caught:
        await issuers.verify(make(es_signer))

    assert caught.value.reason == reason


@pytest.mark.parametrize("issuer", ["not a url", "ftp://x", "https://"])
async def test_a_misconfigured_issuer_refuses_without_crashing(
    es_signer: Signer, issuer: str
) -> None:
    async with httpx.AsyncClient() as client:
        verifier = TokenVerifier(
            KeyCache(DiscoveryJwks(issuer, client)), issuer, AUDIENCE
        )
        error = await refusal(verifier, es_signer.sign(claims(iss=issuer)))

    assert error.reason == "issuer_unavailable"


@pytest.mark.parametrize("issuer", ["http://127.0.0.1:99999", "not a url", "ftp://x"])
async def test_a_malformed_issuer_url_is_a_configuration_error(issuer: str) -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(ValueError, match="CITIZEN_GRAPH_OIDC_ISSUER must be"):
            TokenVerifier.from_settings(IdentitySettings(issuer=issuer), client)


async def test_keys_named_in_the_token_itself_are_never_used(
    verifier: TokenVerifier, jwks_server: JwksServer
) -> None:
    attacker = Signer(keys.generate("ES256"))
    token = attacker.sign(
        claims(),
        jwk=attacker.jwk,
        jku=f"{jwks_server.issuer}/jwks",
        x5u=f"{jwks_server.issuer}/jwks",
    )

    error = await refusal(verifier, token)

    assert error.reason == "unknown_key"
    assert jwks_server.requests == []


async def test_an_unknown_critical_header_is_refused(
    verifier: TokenVerifier, es_signer: Signer
) -> None:
    token = es_signer.sign(
        claims(), crit=["urn:example:bound"], **{"urn:example:bound": 1}
    )

    error = await refusal(verifier, token)

    assert error.reason == "malformed_token"


def real_clock() -> Clock:
    """A hand-moved clock that starts at the real time, as token checks use it."""
    clock = Clock()
    clock.now = time.time()
    return clock


def counting(verifier: TokenVerifier) -> list[str]:
    """The tokens whose signature ``verifier`` checks from now on."""
    checked: list[str] = []
    decode = verifier._decode

    def wrapped(token: str, key: jwt.PyJWK) -> dict[str, Any]:
        checked.append(token)
        return decode(token, key)

    verifier._decode = wrapped  # type: ignore[method-assign]
    return checked


async def test_a_verified_token_is_remembered_by_its_digest_only(
    verifier: TokenVerifier, es_signer: Signer
) -> None:
    issuers = TrustedIssuers(verifier, clock=real_clock())
    checked = counting(verifier)
    token = es_signer.sign(claims())

    first = await issuers.verify(token)
    second = await issuers.verify(token)

    assert first == second
    assert first.person_id == PERSON
    assert checked == [token]
    assert [len(digest) for digest in issuers._verified.digests()] == [32]
    assert token not in repr(issuers._verified._claims)


async def test_a_remembered_token_is_checked_again_once_it_expires(
    verifier: TokenVerifier, es_signer: Signer
) -> None:
    clock = real_clock()
    issuers = TrustedIssuers(verifier, clock=clock)
    checked = counting(verifier)
    token = es_signer.sign(claims(exp=int(clock.now) + 5))

    await issuers.verify(token)
    clock.now += 4
    await issuers.verify(token)
    clock.now += 1 + verifier.leeway + 1
    await issuers.verify(token)

    assert checked == [token, token]


async def test_a_remembered_token_is_checked_again_after_the_ttl(
    verifier: TokenVerifier, es_signer: Signer
) -> None:
    clock = real_clock()
    issuers = TrustedIssuers(verifier, clock=clock)
    checked = counting(verifier)
    token = es_signer.sign(claims(exp=int(clock.now) + 3600))

    await issuers.verify(token)
    clock.now += 30
    await issuers.verify(token)
    clock.now += 31
    await issuers.verify(token)

    assert checked == [token, token]


async def test_a_refused_token_is_not_remembered(
    verifier: TokenVerifier, es_signer: Signer
) -> None:
    issuers = TrustedIssuers(verifier, clock=real_clock())
    token = es_signer.sign(claims(aud="another-service"))

    for _ in range(2):
        with pytest.raises(Unauthenticated):
            await issuers.verify(token)

    assert len(issuers._verified) == 0
