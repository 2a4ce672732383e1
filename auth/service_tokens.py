"""Service tokens: the viewer on its way from the gateway to an HTTP subgraph.

For its fetches the gateway mints tokens that live 60 seconds, each for exactly
one subgraph (``aud`` is the subgraph's name), carrying the verified viewer and the
relations the gateway looked up; a token is handed out again for the same viewer
and subgraph during the first half of its life, and a subgraph remembers the
tokens it verified (by their SHA-256) until they expire, so a signature is made
and checked once per viewer, subgraph and half minute, not once per fetch. The
subgraph verifies a token with the gateway's public key and refuses every request
without a valid one, ``_service`` and ``_entities`` included, so a subgraph
reached around the gateway gives nothing away. The gateway signs with ES256; the
private key stays with the gateway.

Claims, besides ``iss``, ``aud``, ``sub``, ``iat``, ``exp`` and ``jti``:

    person_id   the viewer's key in the civil register (absent when none)
    assurance   ``low``, ``substantial`` or ``high``
    acting_for  the person the viewer acts for (absent when none)
    relations   ``{"spouse": id | null, "children": [{"id", "born", "custody"}],
                "parents": [id], "powers": [{"grantor", "scope", "from", "to"}]}``
    today       the date ages are computed against, ISO 8601

Keys, see :meth:`ServiceTokens.from_env`:

    CITIZEN_GRAPH_SERVICE_KEY_FILE    the gateway's PEM private key (default
                                      ``<data dir>/service-token.pem``, created)
    CITIZEN_GRAPH_SERVICE_JWKS_FILE   a subgraph's copy of the public JWKS; when set,
                                      the process can verify but not mint
"""

import json
import os
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from jwt import exceptions as jwt_errors
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from auth import keys
from auth.errors import Unauthenticated
from auth.jwks import KeySet
from auth.tokens import (
    VERIFIED_TTL,
    VerifiedTokens,
    bearer_token,
    refusal,
    unauthorized,
    unverified_header,
)
from auth.viewer import (
    AssuranceLevel,
    ChildRelation,
    PowerOfAttorney,
    Relations,
    Viewer,
)

SERVICE_ISSUER = "urn:citizen-graph:gateway"
TOKEN_TYPE = "citizen-graph-service+jwt"  # noqa: S105 - a media type, not a secret
"""The ``typ`` header: a service token is never mistaken for another JWT."""

LIFETIME = timedelta(seconds=60)
LEEWAY = 5.0
MINTED_SIZE = 10_000
"""Minted tokens kept for reuse at most (least recently used leave first)."""
KEY_FILE = "service-token.pem"
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "assurance", "today")


class ServiceTokens:
    """Mints (with the private key) and verifies (with the public keys) tokens."""

    def __init__(
        self,
        jwks: Mapping[str, Any],
        private_key: keys.PrivateKey | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._jwks = dict(jwks)
        self.key_set = KeySet.parse(self._jwks)
        self.private_key = private_key
        self._signing = keys.public_jwk(private_key) if private_key else None
        self.clock = clock
        # (subgraph, claims) -> (token, issued at, handed out again until)
        self._minted: OrderedDict[tuple[str, str], tuple[str, float, float]] = (
            OrderedDict()
        )
        self._verified = VerifiedTokens(clock=clock)

    @classmethod
    def load_or_create(cls, path: Path) -> "ServiceTokens":
        """The gateway's tokens, with the private key in ``path`` (made if missing)."""
        private = keys.load_or_create(path)
        return cls({"keys": [keys.public_jwk(private)]}, private)

    @classmethod
    def from_jwks(cls, document: Mapping[str, Any]) -> "ServiceTokens":
        """Verify-only tokens of a subgraph that holds the gateway's public JWKS."""
        return cls(document)

    @classmethod
    def from_env(
        cls, data_dir: Path, environ: Mapping[str, str] | None = None
    ) -> "ServiceTokens":
        """Keys as the environment configures them (see the module docstring)."""
        env = os.environ if environ is None else environ
        jwks_file = env.get("CITIZEN_GRAPH_SERVICE_JWKS_FILE")
        if jwks_file:
            return cls.from_jwks(_read_jwks(Path(jwks_file)))
        key_file = env.get("CITIZEN_GRAPH_SERVICE_KEY_FILE")
        return cls.load_or_create(Path(key_file) if key_file else data_dir / KEY_FILE)

    def jwks(self) -> dict[str, Any]:
        """The public JWKS, for subgraphs in other processes."""
        return dict(self._jwks)

    def mint(self, viewer: Viewer, subgraph: str, now: datetime | None = None) -> str:
        """A token that hands ``viewer`` to ``subgraph`` for :data:`LIFETIME`.

        Without ``now``, a token minted for the same viewer (the same claims) and
        subgraph is handed out again while more than half its lifetime is left,
        far more than any fetch takes: the subgraph then finds it among the tokens
        it verified, and neither side pays for a signature again.
        """
        if self.private_key is None or self._signing is None:
            raise RuntimeError("This process holds no service token private key.")
        carried = viewer_claims(viewer)
        key = (subgraph, json.dumps(carried, sort_keys=True))
        if now is None:
            minted = self._minted.get(key)
            # Not after the clock was set back, either: the token's iat would
            # lie in the future, and a subgraph refuses that as not valid yet.
            if minted is not None and minted[1] <= self.clock() < minted[2]:
                self._minted.move_to_end(key)
                return minted[0]
        issued = now or datetime.fromtimestamp(self.clock(), UTC)
        claims = {
            "iss": SERVICE_ISSUER,
            "aud": subgraph,
            "iat": issued,
            "exp": issued + LIFETIME,
            "jti": str(uuid.uuid4()),
            **carried,
        }
        headers = {"kid": self._signing["kid"], "typ": TOKEN_TYPE}
        algorithm = self._signing["alg"]
        token = jwt.encode(claims, self.private_key, algorithm, headers=headers)
        if now is None:
            # iat is whole seconds: the window opens at the second the token bears.
            issued_at = float(int(issued.timestamp()))
            reuse_until = issued.timestamp() + LIFETIME.total_seconds() / 2
            self._minted[key] = (token, issued_at, reuse_until)
            if len(self._minted) > MINTED_SIZE:
                self._minted.popitem(last=False)
        return token

    def headers_for(self, subgraph: str) -> Callable[[Viewer], dict[str, str]]:
        """The request headers that hand a viewer to ``subgraph``, for its transport."""

        def headers(viewer: Viewer) -> dict[str, str]:
            return {"Authorization": f"Bearer {self.mint(viewer, subgraph)}"}

        return headers

    def verify(self, token: str, subgraph: str) -> Viewer:
        """The viewer in ``token``, if it was minted for ``subgraph`` and is fresh.

        A token verified before is remembered (by its SHA-256) until it expires, so
        the gateway's next fetch with it costs no signature check.
        """
        remembered = self._verified.get(token)
        if remembered is not None and remembered.get("aud") == subgraph:
            return viewer_from_service_claims(remembered)
        now = self.clock()
        header = unverified_header(token)
        key = self.key_set.get(str(header.get("kid")))
        if key is None or header.get("alg") != key.algorithm_name:
            raise Unauthenticated(
                "The service token is not signed by the gateway.", reason="unknown_key"
            )
        if header.get("typ") != TOKEN_TYPE:
            raise Unauthenticated(
                "The token is not a service token.", reason="malformed_token"
            )
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[key.algorithm_name],
                audience=subgraph,
                issuer=SERVICE_ISSUER,
                leeway=LEEWAY,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt_errors.MissingRequiredClaimError as exc:
            raise Unauthenticated(
                f"The service token lacks the required claim {exc.claim!r}.",
                reason="missing_claim",
            ) from exc
        except jwt_errors.InvalidTokenError as exc:
            raise refusal(exc) from exc
        viewer = viewer_from_service_claims(claims)
        until = min(float(claims["exp"]) + LEEWAY, now + VERIFIED_TTL)
        self._verified.put(token, claims, until)
        return viewer


def _read_jwks(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise keys.KeyFileError(f"The JWKS file {str(path)!r} is unreadable.") from exc
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise keys.KeyFileError(f"The JWKS file {str(path)!r} holds no JWKS.")
    return document


def viewer_claims(viewer: Viewer) -> dict[str, Any]:
    """The claims that carry ``viewer`` (without the registered ones but ``sub``)."""
    claims: dict[str, Any] = {
        "sub": viewer.subject,
        "assurance": viewer.assurance.name.lower(),
        "relations": {
            "spouse": viewer.relations.spouse_id,
            "children": [
                {
                    "id": child.person_id,
                    "born": child.birth_date.isoformat(),
                    "custody": child.has_custody,
                }
                for child in viewer.relations.children
            ],
            "parents": list(viewer.relations.parent_ids),
            "powers": [_power_claim(power) for power in viewer.relations.powers],
        },
        "today": viewer.today.isoformat(),
    }
    if viewer.person_id is not None:
        claims["person_id"] = viewer.person_id
    if viewer.acting_for is not None:
        claims["acting_for"] = viewer.acting_for
    return claims


def viewer_from_service_claims(claims: Mapping[str, Any]) -> Viewer:
    """The viewer that verified service token ``claims`` carry."""
    try:
        relations = claims.get("relations") or {}
        return Viewer(
            subject=_text(claims["sub"]),
            person_id=_optional_text(claims.get("person_id")),
            assurance=AssuranceLevel.parse(_text(claims["assurance"])),
            acting_for=_optional_text(claims.get("acting_for")),
            relations=Relations(
                spouse_id=_optional_text(relations.get("spouse")),
                children=tuple(_child(c) for c in relations.get("children", ())),
                parent_ids=tuple(_text(p) for p in relations.get("parents", ())),
                powers=tuple(_power(p) for p in relations.get("powers", ())),
            ),
            today=date.fromisoformat(_text(claims["today"])),
        )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise Unauthenticated(
            "The service token's viewer claims are malformed.",
            reason="invalid_claim",
        ) from exc


def _child(entry: Mapping[str, Any]) -> ChildRelation:
    custody = entry["custody"]
    if not isinstance(custody, bool):
        raise TypeError("custody is not a boolean")
    born = date.fromisoformat(_text(entry["born"]))
    return ChildRelation(_text(entry["id"]), born, has_custody=custody)


def _power_claim(power: PowerOfAttorney) -> dict[str, Any]:
    return {
        "grantor": power.grantor_id,
        "scope": sorted(power.scope),
        "from": power.valid_from.isoformat(),
        "to": None if power.valid_to is None else power.valid_to.isoformat(),
    }


def _power(entry: Mapping[str, Any]) -> PowerOfAttorney:
    scope = entry["scope"]
    if not isinstance(scope, list):
        raise TypeError("scope is not a list")
    ends = _optional_text(entry["to"])
    return PowerOfAttorney(
        grantor_id=_text(entry["grantor"]),
        scope=frozenset(_text(authority) for authority in scope),
        valid_from=date.fromisoformat(_text(entry["from"])),
        valid_to=None if ends is None else date.fromisoformat(ends),
    )


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError("not a non-empty string")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


class ServiceTokenMiddleware:
    """ASGI middleware of a subgraph's HTTP app: no valid service token, no entry.

    On success the viewer is put into the request state, ``request.state.viewer``
    (read it with :func:`viewer_of`). Every other request, whatever its path or
    operation, gets a 401 GraphQL error; only
    the paths in ``exempt`` (a health check, say) pass without a token, and they
    get no viewer.
    """

    def __init__(
        self,
        app: ASGIApp,
        tokens: ServiceTokens,
        subgraph: str,
        exempt: Collection[str] = (),
    ) -> None:
        self.app = app
        self.tokens = tokens
        self.subgraph = subgraph
        self.exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        try:
            token = bearer_token(connection.headers.getlist("authorization"))
            viewer = self.tokens.verify(token, self.subgraph)
        except Unauthenticated as exc:
            await _refuse(scope, receive, send, exc)
            return
        scope.setdefault("state", {})["viewer"] = viewer
        await self.app(scope, receive, send)


def viewer_of(connection: HTTPConnection) -> Viewer:
    """The viewer that :class:`ServiceTokenMiddleware` verified for a request."""
    viewer = getattr(connection.state, "viewer", None)
    if not isinstance(viewer, Viewer):
        raise Unauthenticated("The request carries no verified viewer.")
    return viewer


async def _refuse(
    scope: Scope, receive: Receive, send: Send, error: Unauthenticated
) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    await unauthorized(error)(scope, receive, send)
