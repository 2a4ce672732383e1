"""JSON Web Key Sets: where the issuer's public keys come from, and their cache.

A :class:`KeySet` is the parsed form of a JWKS document (RFC 7517): signing keys by
``kid``, each with the one algorithm it may be used with. Sources fetch the
document from a file, from a URL, or from an issuer's OpenID Connect discovery
document (OpenID Connect Discovery 1.0, section 4: ``jwks_uri``).

:class:`KeyCache` holds the current set and refreshes it when a token names a key
it does not know, at most once per cooldown period, so tokens with random ``kid``
values cannot make this service hammer the issuer.
"""

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
from jwt import PyJWK
from jwt.exceptions import PyJWKError

from auth.errors import Unauthenticated

logger = logging.getLogger(__name__)

ALGORITHMS = frozenset({"RS256", "ES256"})
"""The only signature algorithms accepted for tokens: asymmetric ones."""

DEFAULT_COOLDOWN = 60.0
"""Seconds between two refreshes of a key set triggered by unknown keys."""

DISCOVERY_PATH = "/.well-known/openid-configuration"

MAX_DOCUMENT_BYTES = 256 * 1024
"""A discovery or JWKS document larger than this is refused."""


class JwksError(Exception):
    """A key set or discovery document could not be fetched or read."""

    code = "JWKS_UNAVAILABLE"


@dataclass(frozen=True)
class KeySet:
    """Signing keys by ``kid``, each bound to one algorithm of :data:`ALGORITHMS`."""

    keys: Mapping[str, PyJWK]

    @classmethod
    def parse(cls, document: object) -> "KeySet":
        """Read a JWKS document, keeping only usable signature keys with a ``kid``.

        Keys for encryption (``use: enc``), keys without ``kid``, private keys and
        keys whose algorithm is not in :data:`ALGORITHMS` are skipped.
        """
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise JwksError("The key set is not a JSON object with a 'keys' list.")
        keys = {}
        for entry in document["keys"]:
            key = _signing_key(entry)
            if key is not None and key.key_id is not None:
                keys[key.key_id] = key
        return cls(keys=keys)

    def get(self, kid: str) -> PyJWK | None:
        """The key called ``kid``, or None."""
        return self.keys.get(kid)


def _signing_key(entry: object) -> PyJWK | None:
    if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
        return None
    if "d" in entry or not isinstance(entry.get("kid"), str):
        return None
    try:
        key = PyJWK(entry)
    except PyJWKError:
        return None
    return key if key.algorithm_name in ALGORITHMS else None


class JwksSource(Protocol):
    """Anything that produces the current JWKS document."""

    async def fetch(self) -> object:
        """The JWKS document as parsed JSON; raises :class:`JwksError`."""
        ...


@dataclass(frozen=True)
class StaticJwks:
    """A key set known in the process, such as the development issuer's."""

    document: Mapping[str, Any]

    async def fetch(self) -> object:
        """The document it was built with."""
        return dict(self.document)


@dataclass(frozen=True)
class FileJwks:
    """A key set read from a JSON file, re-read on every refresh."""

    path: Path

    async def fetch(self) -> object:
        """The parsed contents of the file."""
        try:
            return json.loads(await asyncio.to_thread(self.path.read_bytes))
        except (OSError, ValueError) as exc:
            raise JwksError(
                f"The key set file {str(self.path)!r} is unreadable."
            ) from exc


@dataclass(frozen=True)
class UrlJwks:
    """A key set fetched from a ``jwks_uri`` over HTTP."""

    url: str
    client: httpx.AsyncClient

    async def fetch(self) -> object:
        """The JSON document at the URL."""
        return await fetch_json(self.client, self.url)


@dataclass
class DiscoveryJwks:
    """A key set found through the issuer's discovery document.

    The discovery document is read once; its ``issuer`` must equal the configured
    issuer exactly (OpenID Connect Discovery 1.0, section 4.3).
    """

    issuer: str
    client: httpx.AsyncClient
    _jwks_uri: str | None = None

    async def fetch(self) -> object:
        """The JWKS document at the discovery document's ``jwks_uri``."""
        if self._jwks_uri is None:
            self._jwks_uri = await self._discover()
        return await fetch_json(self.client, self._jwks_uri)

    async def _discover(self) -> str:
        url = self.issuer.rstrip("/") + DISCOVERY_PATH
        document = await fetch_json(self.client, url)
        if not isinstance(document, dict) or document.get("issuer") != self.issuer:
            raise JwksError(f"The discovery document at {url!r} names another issuer.")
        jwks_uri = document.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(
            ("https:", "http:")
        ):
            raise JwksError(f"The discovery document at {url!r} has no jwks_uri.")
        return jwks_uri


async def fetch_json(client: httpx.AsyncClient, url: str) -> object:
    """GET ``url`` and parse its JSON body; raises :class:`JwksError`."""
    try:
        response = await client.get(url, follow_redirects=False)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise JwksError(f"Fetching {url!r} failed.") from exc
    logger.info("GET %s -> %s", url, response.status_code)
    if response.status_code != httpx.codes.OK:
        raise JwksError(f"Fetching {url!r} returned status {response.status_code}.")
    if len(response.content) > MAX_DOCUMENT_BYTES:
        raise JwksError(f"The document at {url!r} is too large.")
    try:
        return json.loads(response.content)
    except ValueError as exc:
        raise JwksError(f"The document at {url!r} is not JSON.") from exc


class KeyCache:
    """The current key set of one issuer, refreshed when an unknown key shows up.

    A refresh happens on first use, and afterwards only when a token names a key
    that the set lacks and the last refresh is at least ``cooldown`` seconds old.
    Concurrent lookups share one refresh. A failed refresh keeps the old keys and
    also starts a cooldown, so an unreachable issuer is not hammered either.
    """

    def __init__(
        self,
        source: JwksSource,
        cooldown: float = DEFAULT_COOLDOWN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.cooldown = cooldown
        self._clock = clock
        self._keys = KeySet(keys={})
        self._refreshed_at: float | None = None
        self._unavailable = False
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> PyJWK:
        """The key called ``kid``; raises :class:`Unauthenticated` when unknown."""
        key = self._keys.get(kid)
        if key is None:
            async with self._lock:
                key = self._keys.get(kid)
                if key is None and self._may_refresh():
                    await self._refresh()
                    key = self._keys.get(kid)
        if key is not None:
            return key
        if self._unavailable:
            raise Unauthenticated(
                "The issuer's signing keys are unavailable; try again later.",
                reason="issuer_unavailable",
            )
        raise Unauthenticated(
            "The token is signed with a key that the issuer does not publish.",
            reason="unknown_key",
        )

    def _may_refresh(self) -> bool:
        last = self._refreshed_at
        return last is None or self._clock() - last >= self.cooldown

    async def _refresh(self) -> None:
        self._refreshed_at = self._clock()
        try:
            self._keys = KeySet.parse(await self.source.fetch())
        except JwksError as exc:
            logger.warning("Refreshing the signing keys failed: %s", exc)
            self._unavailable = not self._keys.keys
        else:
            self._unavailable = False
