"""Bearer tokens: from the Authorization header to a verified :class:`Viewer`.

A token is a JWT (RFC 7519) signed by the configured issuer with RS256 or ES256.
The algorithm is taken from the issuer's key that the token names by ``kid``; the
token's own ``alg`` header must agree with it, so ``none``, HMAC and algorithm
substitution are refused before any signature check. ``exp``, ``iat``, ``iss``,
``aud`` and ``sub`` are required, and ``exp``, ``nbf`` and ``iat`` are checked with
a small leeway for clock skew. Tokens are read from the Authorization header only
(RFC 6750, section 2.1), never from the query string or the body.

Claims, modelled on MitID sign-ins through the national login broker:

    sub       the pairwise pseudonymous subject (required)
    cpr_uuid  the person's key in the civil register (optional; also read from
              ``https://data.gov.dk/model/core/eid/cprUuid``)
    loa       the NSIS assurance level: ``low``, ``substantial`` or ``high``, bare or
              as ``https://data.gov.dk/concept/core/nsis/loa/Substantial``; also read
              from ``https://data.gov.dk/concept/core/nsis/loa``; LOW when absent
    act_for   the person id the citizen acts for (optional)

A CPR number claim, where a broker sends one, is never read: the graph keys people
by ``cpr_uuid`` only. Every refusal raises :class:`~auth.errors.Unauthenticated`
with a ``reason``.
"""

import hashlib
import os
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
from jwt import exceptions as jwt_errors
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from auth.errors import Unauthenticated
from auth.jwks import (
    ALGORITHMS,
    DEFAULT_COOLDOWN,
    DiscoveryJwks,
    FileJwks,
    JwksSource,
    KeyCache,
)
from auth.viewer import ANONYMOUS, AssuranceLevel, Viewer

REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub")
DEFAULT_LEEWAY = 30.0
"""Seconds of clock skew tolerated on ``exp``, ``nbf`` and ``iat``."""

MAX_TOKEN_LENGTH = 8192
"""Longer Authorization values are refused before they are parsed."""

PERSON_CLAIM = "cpr_uuid"
ASSURANCE_CLAIM = "loa"
ACTING_FOR_CLAIM = "act_for"
CLAIM_ALIASES = {
    PERSON_CLAIM: "https://data.gov.dk/model/core/eid/cprUuid",
    ASSURANCE_CLAIM: "https://data.gov.dk/concept/core/nsis/loa",
}
"""The namespaced names of the national broker, read when the short one is absent."""

_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
"""The token syntax of RFC 6750, section 2.1."""

LOA_PREFIX = "https://data.gov.dk/concept/core/nsis/loa/"
MAX_ID_LENGTH = 128

_JWT_REASONS: tuple[tuple[type[jwt_errors.InvalidTokenError], str, str], ...] = (
    (jwt_errors.ExpiredSignatureError, "expired", "The token has expired."),
    (
        jwt_errors.ImmatureSignatureError,
        "not_yet_valid",
        "The token is not valid yet (nbf or iat lies in the future).",
    ),
    (
        jwt_errors.InvalidIssuerError,
        "wrong_issuer",
        "The token was issued by an issuer this service does not trust.",
    ),
    (
        jwt_errors.InvalidAudienceError,
        "wrong_audience",
        "The token is meant for another audience than this service.",
    ),
    (
        jwt_errors.InvalidSignatureError,
        "bad_signature",
        "The token's signature does not verify.",
    ),
    (
        jwt_errors.InvalidAlgorithmError,
        "unsupported_algorithm",
        "The token's algorithm is not allowed.",
    ),
    (jwt_errors.DecodeError, "malformed_token", "The token is not a well-formed JWT."),
    (
        jwt_errors.InvalidIssuedAtError,
        "invalid_claim",
        "The token's issue time (iat) is not a number.",
    ),
    (
        jwt_errors.InvalidSubjectError,
        "invalid_claim",
        "The token's subject (sub) is not a string.",
    ),
    (
        jwt_errors.InvalidJTIError,
        "invalid_claim",
        "The token's id (jti) is not a string.",
    ),
)


@dataclass(frozen=True)
class IdentitySettings:
    """Where tokens come from, read from the environment.

    CITIZEN_GRAPH_OIDC_ISSUER      the trusted issuer (``iss``), required unless dev
    CITIZEN_GRAPH_OIDC_AUDIENCE    this service's audience (default citizen-graph)
    CITIZEN_GRAPH_OIDC_JWKS_FILE   a JWKS file instead of discovery (optional)
    CITIZEN_GRAPH_TOKEN_LEEWAY     seconds of clock skew (default 30)
    CITIZEN_GRAPH_JWKS_COOLDOWN    seconds between key refreshes (default 60)
    """

    issuer: str | None = None
    audience: str = "citizen-graph"
    jwks_file: str | None = None
    leeway: float = DEFAULT_LEEWAY
    cooldown: float = DEFAULT_COOLDOWN

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "IdentitySettings":
        """Settings from ``environ`` (the process environment by default)."""
        env = os.environ if environ is None else environ
        prefix = "CITIZEN_GRAPH_"
        return cls(
            issuer=env.get(f"{prefix}OIDC_ISSUER") or None,
            audience=env.get(f"{prefix}OIDC_AUDIENCE") or cls.audience,
            jwks_file=env.get(f"{prefix}OIDC_JWKS_FILE") or None,
            leeway=_seconds(env, f"{prefix}TOKEN_LEEWAY", DEFAULT_LEEWAY),
            cooldown=_seconds(env, f"{prefix}JWKS_COOLDOWN", DEFAULT_COOLDOWN),
        )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    value = env.get(name) or str(default)
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 86400:
        raise ValueError(f"{name} must be a number of seconds, not {value!r}.")
    return seconds


def _check_issuer_url(issuer: str) -> None:
    try:
        url = httpx.URL(issuer)
        port_ok = url.port is None or 0 < url.port < 65536
        valid = url.scheme in ("https", "http") and bool(url.host) and port_ok
    except (httpx.InvalidURL, ValueError):
        valid = False
    if not valid:
        raise ValueError(
            f"CITIZEN_GRAPH_OIDC_ISSUER must be an http(s) URL, not {issuer!r}."
        )


def bearer_token(authorization: Sequence[str]) -> str:
    """The token of the Authorization header values ``authorization``.

    Implements RFC 6750, section 2.1: exactly one header, scheme ``Bearer`` (any
    case), one space, one token of the ``b64token`` alphabet.
    """
    if not authorization:
        raise Unauthenticated("Sign in: the request carries no bearer token.")
    if len(authorization) > 1:
        raise _malformed("The request carries more than one Authorization header.")
    scheme, _, token = authorization[0].strip().partition(" ")
    if scheme.lower() != "bearer":
        raise _malformed("The Authorization header does not use the Bearer scheme.")
    token = token.strip()
    if len(token) > MAX_TOKEN_LENGTH:
        raise _malformed("The bearer token is too long.")
    if not _B64TOKEN.fullmatch(token):
        raise _malformed("The Authorization header must hold exactly one token.")
    return token


def unauthorized(error: Unauthenticated) -> JSONResponse:
    """The 401 of a refused request: a GraphQL error and the Bearer challenge."""
    return JSONResponse(
        {"errors": [error.formatted]},
        status_code=401,
        headers={"WWW-Authenticate": error.www_authenticate},
    )


def _malformed(message: str) -> Unauthenticated:
    return Unauthenticated(message, reason="malformed_header")


class TokenVerifier:
    """Verifies bearer tokens of one issuer for one audience."""

    def __init__(
        self,
        keys: KeyCache,
        issuer: str,
        audience: str,
        leeway: float = DEFAULT_LEEWAY,
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway

    @classmethod
    def from_settings(
        cls, settings: IdentitySettings, client: httpx.AsyncClient
    ) -> "TokenVerifier":
        """A verifier of the configured issuer: keys from the file, or discovery.

        ``client`` fetches the discovery document and the JWKS; the caller owns it.
        """
        if settings.issuer is None:
            raise ValueError("Set CITIZEN_GRAPH_OIDC_ISSUER to the trusted issuer.")
        source: JwksSource
        if settings.jwks_file:
            source = FileJwks(Path(settings.jwks_file))
        else:
            _check_issuer_url(settings.issuer)
            source = DiscoveryJwks(settings.issuer, client)
        keys = KeyCache(source, cooldown=settings.cooldown)
        return cls(keys, settings.issuer, settings.audience, settings.leeway)

    async def authenticate(self, connection: HTTPConnection) -> Viewer:
        """The viewer of a request, from its Authorization header only."""
        return await self.verify(
            bearer_token(connection.headers.getlist("authorization"))
        )

    async def verify(self, token: str) -> Viewer:
        """The viewer that ``token`` names; raises :class:`Unauthenticated`."""
        claims = await self.claims(token)
        return viewer_from_claims(claims)

    async def claims(self, token: str) -> dict[str, Any]:
        """The verified claims of ``token``."""
        header = unverified_header(token)
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise Unauthenticated(
                "The token's algorithm is not allowed; use RS256 or ES256.",
                reason="unsupported_algorithm",
            )
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated(
                "The token names no signing key (kid).", reason="unknown_key"
            )
        key = await self.keys.key(kid)
        if key.algorithm_name != algorithm:
            raise Unauthenticated(
                "The token's algorithm does not match its signing key.",
                reason="unsupported_algorithm",
            )
        return self._decode(token, key)

    def _decode(self, token: str, key: jwt.PyJWK) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[key.algorithm_name],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt_errors.MissingRequiredClaimError as exc:
            raise Unauthenticated(
                f"The token lacks the required claim {exc.claim!r}.",
                reason="missing_claim",
            ) from exc
        except jwt_errors.InvalidTokenError as exc:
            raise refusal(exc) from exc
        return claims


VERIFIED_TTL = 60.0
"""Seconds a verified token is trusted without checking its signature again."""

VERIFIED_SIZE = 10_000
"""Verified tokens remembered at most (least recently used leave first)."""


class VerifiedTokens:
    """The claims of verified tokens, each remembered under the SHA-256 of its token
    (never the token itself) until a deadline; beyond ``size`` the least recently
    used leave first."""

    def __init__(
        self, size: int = VERIFIED_SIZE, clock: Callable[[], float] = time.time
    ) -> None:
        self.size = size
        self.clock = clock
        self._claims: OrderedDict[bytes, tuple[dict[str, Any], float]] = OrderedDict()

    def get(self, token: str) -> dict[str, Any] | None:
        """The claims of ``token`` if it was verified and its deadline is ahead."""
        digest = _digest(token)
        remembered = self._claims.get(digest)
        if remembered is None:
            return None
        claims, until = remembered
        if self.clock() >= until:
            del self._claims[digest]
            return None
        self._claims.move_to_end(digest)
        return claims

    def __len__(self) -> int:
        return len(self._claims)

    def digests(self) -> list[bytes]:
        """The keys remembered: SHA-256 digests of tokens."""
        return list(self._claims)

    def put(self, token: str, claims: dict[str, Any], until: float) -> None:
        """Remember the verified ``claims`` of ``token`` until ``until``."""
        self._claims[_digest(token)] = (claims, until)
        if len(self._claims) > self.size:
            self._claims.popitem(last=False)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class TrustedIssuers:
    """Verifiers of several issuers, such as the broker and, in dev mode, the
    development issuer; a token goes to the verifier of its ``iss``.

    Reading ``iss`` before verification only chooses the verifier, which then
    checks the token completely, ``iss`` included. With ``anonymous``, a request
    without any Authorization header is the anonymous viewer, who may see nothing
    personal; a bad token is still refused.

    A portal page sends the same token with every request, so a verified token's
    claims are remembered, under the SHA-256 of the token (never the token), until
    it expires (with the leeway) or for :data:`VERIFIED_TTL` seconds, whichever
    comes first: a key the issuer withdraws stops being honoured within that time.
    The viewer is built afresh from the claims each time.
    """

    def __init__(
        self,
        *verifiers: TokenVerifier,
        anonymous: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.verifiers = {verifier.issuer: verifier for verifier in verifiers}
        self.anonymous = anonymous
        self.clock = clock
        self._verified = VerifiedTokens(clock=clock)

    async def authenticate(self, connection: HTTPConnection) -> Viewer:
        """The viewer of a request, from its Authorization header only."""
        values = connection.headers.getlist("authorization")
        if not values and self.anonymous:
            return ANONYMOUS
        return await self.verify(bearer_token(values))

    async def verify(self, token: str) -> Viewer:
        """The viewer that ``token`` names; raises :class:`Unauthenticated`."""
        remembered = self._verified.get(token)
        if remembered is not None:
            return viewer_from_claims(remembered)
        now = self.clock()
        verifier = self._verifier_of(token)
        claims = await verifier.claims(token)
        viewer = viewer_from_claims(claims)
        until = min(float(claims["exp"]) + verifier.leeway, now + VERIFIED_TTL)
        self._verified.put(token, claims, until)
        return viewer

    def _verifier_of(self, token: str) -> TokenVerifier:
        unverified_header(token)
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt_errors.InvalidTokenError as exc:
            raise refusal(exc) from exc
        if issuer is None:
            raise Unauthenticated(
                "The token lacks the required claim 'iss'.", reason="missing_claim"
            )
        verifier = self.verifiers.get(issuer) if isinstance(issuer, str) else None
        if verifier is None:
            raise Unauthenticated(
                "The token was issued by an issuer this service does not trust.",
                reason="wrong_issuer",
            )
        return verifier


def unverified_header(token: str) -> dict[str, Any]:
    """The JOSE header of ``token``, before any check; refuses what is no JWT."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt_errors.InvalidTokenError as exc:
        raise Unauthenticated(
            "The token is not a well-formed JWT.", reason="malformed_token"
        ) from exc
    return header


def refusal(exc: jwt_errors.InvalidTokenError) -> Unauthenticated:
    """The refusal, with its reason, of a token that PyJWT rejected with ``exc``."""
    for kind, reason, message in _JWT_REASONS:
        if isinstance(exc, kind):
            return Unauthenticated(message, reason=reason)
    return Unauthenticated("The token is not valid.", reason="invalid_token")


def viewer_from_claims(claims: Mapping[str, Any]) -> Viewer:
    """The viewer that verified ``claims`` describe (see the module docstring)."""
    return Viewer(
        subject=_required_identifier(claims, "sub"),
        person_id=_identifier(claims, PERSON_CLAIM),
        assurance=assurance(_claim(claims, ASSURANCE_CLAIM)),
        acting_for=_identifier(claims, ACTING_FOR_CLAIM),
    )


def assurance(value: object) -> AssuranceLevel:
    """The NSIS level of a ``loa`` claim value; LOW when the claim is absent."""
    if value is None:
        return AssuranceLevel.LOW
    if isinstance(value, str):
        name = value.removeprefix(LOA_PREFIX)
        if name.lower() in {"low", "substantial", "high"}:
            return AssuranceLevel.parse(name)
    raise Unauthenticated(
        "The token's assurance level (loa) is not one of low, substantial, high.",
        reason="invalid_claim",
    )


def loa_uri(level: AssuranceLevel) -> str:
    """The broker's URI of ``level``, e.g. ``.../nsis/loa/Substantial``."""
    return LOA_PREFIX + level.name.capitalize()


def _claim(claims: Mapping[str, Any], name: str) -> object:
    value = claims.get(name)
    if value is None and name in CLAIM_ALIASES:
        value = claims.get(CLAIM_ALIASES[name])
    return value


def _identifier(claims: Mapping[str, Any], name: str) -> str | None:
    if _claim(claims, name) is None:
        return None
    return _required_identifier(claims, name)


def _required_identifier(claims: Mapping[str, Any], name: str) -> str:
    value = _claim(claims, name)
    if not isinstance(value, str) or not 0 < len(value) <= MAX_ID_LENGTH:
        raise Unauthenticated(
            f"The token's claim {name!r} is not an identifier.",
            reason="invalid_claim",
        )
    return value
