"""Caches in front of the document store: an in-process LRU and optional Redis.

Documents never change under an id or a hash, except that a push can turn an
automatically registered document into a trusted one; callers that need trust look
past a cached untrusted document to the database. Redis is a cache only: a miss, a
timeout or an outage is logged and answered from the database, never failing a
request.
"""

import logging
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from persisted_queries.manifest import APQ_SOURCE

logger = logging.getLogger(__name__)

Key = Literal["id", "sha256"]
DEFAULT_PREFIX = "citizen-graph:pq:"
DEFAULT_TTL = 24 * 60 * 60
"""Seconds a document stays in Redis after it was last written there."""


@dataclass(frozen=True)
class StoredDocument:
    """One row of the document store."""

    id: str
    sha256: str
    name: str | None
    operation_type: str | None
    body: str
    source: str
    client_name: str | None
    created_at: datetime

    @property
    def trusted(self) -> bool:
        """True for documents pushed from a manifest, False for APQ registrations."""
        return self.source != APQ_SOURCE

    def to_json(self) -> bytes:
        """The document as compact JSON, for the Redis cache and ``list --format``."""
        return orjson.dumps(asdict(self))

    @classmethod
    def from_json(cls, data: bytes | str) -> "StoredDocument":
        """The document from :meth:`to_json`'s output."""
        fields: dict[str, Any] = orjson.loads(data)
        created = datetime.fromisoformat(fields.pop("created_at"))
        return cls(created_at=created.replace(tzinfo=created.tzinfo or UTC), **fields)


class LruCache:
    """A bounded in-process cache of hot documents, by id and by hash."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[Key, str], StoredDocument] = OrderedDict()

    def get(self, kind: Key, key: str) -> StoredDocument | None:
        """The cached document, marked as most recently used; None on a miss."""
        document = self._entries.get((kind, key))
        if document is not None:
            self._entries.move_to_end((kind, key))
        return document

    def put(self, kind: Key, key: str, document: StoredDocument) -> None:
        """Cache ``document`` under ``key``, dropping the least recently used."""
        if self.size <= 0:
            return
        self._entries[(kind, key)] = document
        self._entries.move_to_end((kind, key))
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def forget(self, keys: list[tuple[Key, str]]) -> None:
        """Drop the documents cached under ``keys``."""
        for key in keys:
            self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)


class RedisCache:
    """Documents in Redis under ``prefix``; every failure degrades to a miss.

    After a failure the cache stays out of the way for ``retry_after`` seconds, so
    an outage costs one failed connection per interval rather than one per request.
    """

    def __init__(
        self,
        client: "Redis",
        prefix: str = DEFAULT_PREFIX,
        *,
        ttl: int = DEFAULT_TTL,
        retry_after: float = 5.0,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl
        self.retry_after = retry_after
        self._down_until = 0.0

    @classmethod
    def from_url(
        cls, url: str, prefix: str = DEFAULT_PREFIX, *, timeout: float = 0.5
    ) -> "RedisCache":
        """A cache on the Redis at ``url``; nothing connects until it is used."""
        client = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        return cls(client, prefix)

    def key(self, kind: Key, key: str) -> str:
        """The Redis key of a document by id or by hash."""
        return f"{self.prefix}{kind}:{key}"

    @property
    def available(self) -> bool:
        """False while the cache waits out a failure."""
        return time.monotonic() >= self._down_until

    async def get(self, kind: Key, key: str) -> StoredDocument | None:
        """The cached document, or None on a miss, a bad entry or an outage."""
        if not self.available:
            return None
        try:
            data = await self.client.get(self.key(kind, key))
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return None
        if data is None:
            return None
        try:
            return StoredDocument.from_json(data)
        except (ValueError, TypeError, KeyError):
            logger.warning("Ignoring a malformed cache entry %s", self.key(kind, key))
            return None

    async def put(self, kinds: tuple[Key, ...], document: StoredDocument) -> None:
        """Cache ``document`` under its id and/or hash; failures are only logged."""
        if not self.available:
            return
        data = document.to_json()
        keys = {"id": document.id, "sha256": document.sha256}
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                for kind in kinds:
                    pipe.set(self.key(kind, keys[kind]), data, ex=self.ttl)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            self._failed(exc)

    async def forget(self, keys: list[tuple[Key, str]]) -> None:
        """Drop the documents cached under ``keys``; failures are only logged."""
        if not keys or not self.available:
            return
        try:
            await self.client.delete(*(self.key(kind, key) for kind, key in keys))
        except (RedisError, OSError) as exc:
            self._failed(exc)

    async def close(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()

    def _failed(self, exc: Exception) -> None:
        if self.available:
            logger.warning(
                "Redis cache unavailable for %.0f s, reading documents from the "
                "database: %s",
                self.retry_after,
                type(exc).__name__,
            )
        self._down_until = time.monotonic() + self.retry_after
