"""The development issuer: signs tokens for personas, in dev mode only.

It stands in for the national login broker on a laptop. Its ES256 key is created
once in the data folder (``dev-issuer.pem``, mode 0600) and its public half is
served as a JWKS, so the gateway verifies development tokens exactly like real
ones. The claims are the broker's (see :mod:`auth.tokens`); the subject is pairwise,
derived from the person and the audience.

The gateway mounts these Starlette routes in dev mode only (:func:`routes` gives
all four; :func:`key_routes` the first two, :func:`sign_in_routes` the last two):

    GET /dev/jwks.json                          the issuer's JWKS
    GET /dev/.well-known/openid-configuration   a minimal discovery document
    GET /dev/personas                           the personas to pick from
    GET /dev/token?persona=NAME&assurance=LEVEL a signed token for a persona
        [&actFor=NAME|ID]                       acting for another persona (by
                                                name) or a person (by id)

:class:`PersonaSignIn` offers the same sign-in to code that serves its own routes.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import jwt
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from auth import keys
from auth.jwks import KeyCache, StaticJwks
from auth.tokens import (
    ACTING_FOR_CLAIM,
    MAX_ID_LENGTH,
    PERSON_CLAIM,
    TokenVerifier,
    loa_uri,
)
from auth.viewer import AssuranceLevel

DEV_ISSUER = "urn:citizen-graph:dev-issuer"
"""The ``iss`` of development tokens; no real issuer uses it."""

DEV_AUDIENCE = "citizen-graph"
KEY_FILE = "dev-issuer.pem"
LIFETIME = timedelta(minutes=15)
"""Development tokens expire quickly; ask for a new one."""

_PAIRWISE = uuid.UUID("0f5a8a34-3f7e-4c1e-9a2d-6b1c2d3e4f50")


class Persona(Protocol):
    """What the issuer needs of a persona of the synthetic population."""

    @property
    def name(self) -> str: ...

    @property
    def person_id(self) -> str: ...

    @property
    def description(self) -> str: ...


@dataclass(frozen=True)
class DevIssuer:
    """A signing key and the claims of development tokens."""

    private_key: keys.PrivateKey
    issuer: str = DEV_ISSUER
    audience: str = DEV_AUDIENCE

    @classmethod
    def load_or_create(
        cls, data_dir: Path, audience: str = DEV_AUDIENCE
    ) -> "DevIssuer":
        """The issuer whose key lives in ``data_dir``, created there when missing."""
        return cls(keys.load_or_create(data_dir / KEY_FILE), audience=audience)

    @property
    def jwk(self) -> dict[str, Any]:
        """The public signing key."""
        return keys.public_jwk(self.private_key)

    def jwks(self) -> dict[str, Any]:
        """The JWKS document with the one signing key."""
        return {"keys": [self.jwk]}

    def verifier(self) -> TokenVerifier:
        """A verifier of this issuer's tokens, for the gateway in dev mode."""
        cache = KeyCache(StaticJwks(self.jwks()))
        return TokenVerifier(cache, issuer=self.issuer, audience=self.audience)

    def issue(
        self,
        person_id: str,
        assurance: AssuranceLevel = AssuranceLevel.SUBSTANTIAL,
        acting_for: str | None = None,
        lifetime: timedelta = LIFETIME,
        now: datetime | None = None,
    ) -> str:
        """A signed token for ``person_id``, valid for ``lifetime``."""
        issued = now or datetime.now(UTC)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": self.subject(person_id),
            "iat": issued,
            "nbf": issued,
            "exp": issued + lifetime,
            "jti": str(uuid.uuid4()),
            PERSON_CLAIM: person_id,
            "loa": loa_uri(assurance),
        }
        if acting_for is not None:
            claims[ACTING_FOR_CLAIM] = acting_for
        jwk = self.jwk
        return jwt.encode(
            claims, self.private_key, jwk["alg"], headers={"kid": jwk["kid"]}
        )

    def subject(self, person_id: str) -> str:
        """The pairwise subject of ``person_id`` for this issuer's audience."""
        return str(uuid.uuid5(_PAIRWISE, f"{self.audience}\n{person_id}"))

    def discovery(self, jwks_uri: str) -> dict[str, Any]:
        """A minimal discovery document that points at ``jwks_uri``."""
        return {
            "issuer": self.issuer,
            "jwks_uri": jwks_uri,
            "id_token_signing_alg_values_supported": [self.jwk["alg"]],
            "claims_supported": ["sub", PERSON_CLAIM, "loa", ACTING_FOR_CLAIM],
        }


class PersonaSignIn:
    """The gateway's development sign-in: tokens for personas by name."""

    def __init__(self, issuer: DevIssuer, personas: Iterable[Persona]) -> None:
        self.issuer = issuer
        self.by_name = {persona.name: persona for persona in personas}

    def personas(self) -> list[str]:
        """The names of the personas a developer can sign in as."""
        return list(self.by_name)

    async def token(
        self, persona: str, assurance: AssuranceLevel = AssuranceLevel.SUBSTANTIAL
    ) -> str:
        """A token for ``persona``; :class:`LookupError` for an unknown name."""
        chosen = self.by_name.get(persona)
        if chosen is None:
            known = ", ".join(self.by_name)
            raise LookupError(
                f"There is no persona {persona!r}; choose one of {known}."
            )
        return self.issuer.issue(chosen.person_id, assurance)


def key_routes(issuer: DevIssuer) -> list[BaseRoute]:
    """The issuer's JWKS and discovery document, to mount in dev mode only."""

    async def jwks(request: Request) -> JSONResponse:
        return JSONResponse(issuer.jwks())

    async def discovery(request: Request) -> JSONResponse:
        return JSONResponse(issuer.discovery(str(request.url_for("dev_jwks"))))

    return [
        Route("/dev/jwks.json", jwks, name="dev_jwks"),
        Route("/dev/.well-known/openid-configuration", discovery),
    ]


def sign_in_routes(issuer: DevIssuer, personas: Iterable[Persona]) -> list[BaseRoute]:
    """``/dev/personas`` and ``/dev/token``, to mount in dev mode only."""
    by_name = {persona.name: persona for persona in personas}

    async def persona_list(request: Request) -> JSONResponse:
        return JSONResponse(
            [
                {"name": p.name, "personId": p.person_id, "description": p.description}
                for p in by_name.values()
            ]
        )

    async def token(request: Request) -> JSONResponse:
        return _token_response(issuer, by_name, request)

    return [Route("/dev/personas", persona_list), Route("/dev/token", token)]


def routes(issuer: DevIssuer, personas: Iterable[Persona]) -> list[BaseRoute]:
    """All of the development issuer's routes, to mount in dev mode only."""
    return key_routes(issuer) + sign_in_routes(issuer, personas)


def _token_response(
    issuer: DevIssuer, personas: dict[str, Persona], request: Request
) -> JSONResponse:
    name = request.query_params.get("persona", "")
    persona = personas.get(name)
    if persona is None:
        known = ", ".join(personas)
        return _bad_request(
            "UNKNOWN_PERSONA", f"There is no persona {name!r}; choose one of {known}."
        )
    try:
        level = AssuranceLevel.parse(
            request.query_params.get("assurance", "substantial")
        )
    except ValueError as exc:
        return _bad_request("BAD_USER_INPUT", f"{exc} Use low, substantial or high.")
    acting_for = _acted_for(request, personas)
    if acting_for is not None and len(acting_for) > MAX_ID_LENGTH:
        return _bad_request(
            "BAD_USER_INPUT",
            f"actFor names a persona or a person id of at most {MAX_ID_LENGTH} "
            "characters.",
        )
    token = issuer.issue(persona.person_id, level, acting_for)
    body: dict[str, Any] = {
        "token": token,
        "tokenType": "Bearer",
        "expiresIn": int(LIFETIME.total_seconds()),
        "persona": persona.name,
        "personId": persona.person_id,
        "assurance": level.name.lower(),
    }
    if acting_for is not None:
        body["actingFor"] = acting_for
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


def _acted_for(request: Request, personas: dict[str, Persona]) -> str | None:
    """Whom a ``/dev/token`` request acts for: ``actFor`` names a persona or a
    person id, ``actingFor`` a person id; None when neither is given."""
    named = request.query_params.get("actFor") or None
    if named is not None:
        found = personas.get(named)
        return found.person_id if found is not None else named
    return request.query_params.get("actingFor") or None


def _bad_request(code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=400,
    )
