"""The store of persisted documents: a SQLAlchemy table behind two caches.

The table lives in the gateway's own database (SQLite by default, PostgreSQL by
configuration). Reads go through a bounded in-process LRU, then the optional Redis
cache, then the table. Automatic persisted queries add untrusted rows one at a time;
a manifest push adds trusted rows in one transaction, or none when it conflicts.
"""

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    Text,
    case,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from persisted_queries.cache import (
    DEFAULT_PREFIX,
    Key,
    LruCache,
    RedisCache,
    StoredDocument,
)
from persisted_queries.errors import ManifestConflict
from persisted_queries.manifest import APQ_SOURCE, Manifest, ManifestEntry
from subgraphs.kit import Database

logger = logging.getLogger(__name__)

DEFAULT_LRU_SIZE = 512
DEFAULT_APQ_LIMIT = 10_000
"""How many automatic registrations the store keeps (:meth:`DocumentStore.register`)."""
DEFAULT_APQ_MAX_BYTES = 100_000
"""The largest text (UTF-8 bytes) an automatic registration stores: the gateway's
default document size limit, beyond which no document runs anyway."""
_CHUNK = 500

metadata = MetaData()
documents = Table(
    "persisted_documents",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("name", Text),
    Column("operation_type", String(16)),
    Column("body", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("client_name", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass
class PushReport:
    """What one push did: ids added (new or promoted from APQ) and ids unchanged."""

    source: str
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class DocumentStore:
    """Persisted documents by id and by SHA-256, with their caches."""

    def __init__(
        self,
        database: Database,
        cache: RedisCache | None = None,
        lru_size: int = DEFAULT_LRU_SIZE,
        apq_limit: int = DEFAULT_APQ_LIMIT,
        apq_max_bytes: int = DEFAULT_APQ_MAX_BYTES,
    ) -> None:
        self.database = database
        self.cache = cache
        self.lru = LruCache(lru_size)
        self.apq_limit = apq_limit
        self.apq_max_bytes = apq_max_bytes
        self._apq_full = False

    @classmethod
    def open(
        cls,
        database_url: str,
        *,
        redis_url: str | None = None,
        redis_prefix: str = DEFAULT_PREFIX,
        lru_size: int = DEFAULT_LRU_SIZE,
        apq_limit: int = DEFAULT_APQ_LIMIT,
        apq_max_bytes: int = DEFAULT_APQ_MAX_BYTES,
    ) -> "DocumentStore":
        """A store on ``database_url``, cached in Redis when ``redis_url`` is set."""
        cache = RedisCache.from_url(redis_url, redis_prefix) if redis_url else None
        database = Database.open(database_url)
        return cls(database, cache, lru_size, apq_limit, apq_max_bytes)

    async def create(self) -> None:
        """Create the table if it does not exist yet."""
        await self.database.create_all(metadata)

    async def close(self) -> None:
        """Close the database pool and the Redis connection."""
        await self.database.close()
        if self.cache is not None:
            await self.cache.close()

    async def by_id(
        self, document_id: str, *, trusted: bool = False
    ) -> StoredDocument | None:
        """The document stored under ``document_id``, if trusted when ``trusted``."""
        return await self._lookup("id", document_id, trusted)

    async def by_hash(
        self, sha256: str, *, trusted: bool = False
    ) -> StoredDocument | None:
        """A document whose text has this SHA-256, a trusted one first.

        With ``trusted``, only a trusted document; a cached untrusted one is checked
        again in the database, since a push may have promoted it.
        """
        return await self._lookup("sha256", sha256, trusted)

    async def register(
        self, body: str, sha256: str, *, name: str | None = None
    ) -> tuple[StoredDocument, bool]:
        """Store an automatic persisted query under its hash, which the caller checked.

        Returns the stored document and whether this call added it; a concurrent
        registration of the same text is not an error. A text with a NUL character,
        which PostgreSQL cannot hold and GraphQL never allows, and a text longer
        than :attr:`apq_max_bytes`, which the gateway's size limit refuses to run,
        are returned unstored, for the parser or the limit to refuse.

        Anyone may register any text where registration is open, so the store
        keeps at most :attr:`apq_limit` of them: beyond that a text is returned
        unstored (the operation still runs; the client keeps sending its text)
        and one warning tells operators to push manifests instead. Once the limit
        is reached, the process stops counting until it restarts.
        """
        document = StoredDocument(
            id=sha256,
            sha256=sha256,
            name=name,
            operation_type=None,
            body=body,
            source=APQ_SOURCE,
            client_name=None,
            created_at=datetime.now(UTC),
        )
        if not self._storable(body) or await self._apq_is_full():
            return document, False
        try:
            async with self.database.engine.begin() as connection:
                await connection.execute(documents.insert().values(**asdict(document)))
        except IntegrityError:
            # A concurrent registration of this text, or a manifest's custom id
            # that happens to be this hash: only the first is this document.
            existing = await self.by_id(sha256)
            if existing is not None and existing.sha256 == sha256:
                return existing, False
            return document, False

        logger.info("Registered persisted query %s", sha256)
        await self._remember(("id", "sha256"), document)
        return document, True

    def _storable(self, body: str) -> bool:
        return "\x00" not in body and len(body.encode("utf-8")) <= self.apq_max_bytes

    async def _apq_is_full(self) -> bool:
        if self._apq_full:
            return True
        count = select(func.count()).where(documents.c.source == APQ_SOURCE)
        async with self.database.engine.connect() as connection:
            registered = (await connection.execute(count)).scalar_one()
        if registered >= self.apq_limit:
            self._apq_full = True
            logger.warning(
                "The store holds %d automatic persisted queries, its limit; "
                "new ones run without being stored. Push the clients' manifests.",
                registered,
            )
        return self._apq_full

    async def push(
        self, manifest: Manifest, *, client: str | None = None
    ) -> PushReport:
        """Store a manifest's documents as trusted, all of them or none.

        Pushing the same manifest again changes nothing. A document registered by
        APQ with the same id and text becomes trusted. The caches forget what was
        added, so that lookups by hash find the trusted document.

        Raises:
            ManifestConflict: an id is stored with a different text; nothing is
                written.
        """
        try:
            return await self._push(manifest, client)
        except IntegrityError:
            # Another process stored some of the documents between the look-up
            # and the insert (gateways starting together on one database); the
            # second pass finds them stored.
            return await self._push(manifest, client)

    async def _push(self, manifest: Manifest, client: str | None) -> PushReport:
        report = PushReport(manifest.source)
        new_rows: list[dict[str, Any]] = []
        stale: list[tuple[Key, str]] = []
        now = datetime.now(UTC)
        async with self.database.engine.begin() as connection:
            existing = await _existing(connection, [e.id for e in manifest.entries])
            for entry in manifest.entries:
                stored = existing.get(entry.id)
                if stored is not None and stored.body != entry.body:
                    raise _conflict(manifest.source, stored)
                if stored is not None and stored.trusted:
                    report.unchanged.append(entry.id)
                    continue
                if stored is None:
                    new_rows.append(_entry_row(entry, manifest.source, client, now))
                else:
                    await _promote(connection, entry, manifest.source, client)
                report.added.append(entry.id)
                stale += [("id", entry.id), ("sha256", entry.sha256)]
            if new_rows:
                await connection.execute(documents.insert(), new_rows)
        await self._forget(stale)
        logger.info(
            "Pushed manifest %s: %d added, %d unchanged",
            manifest.source,
            len(report.added),
            len(report.unchanged),
        )
        return report

    async def documents(self) -> list[StoredDocument]:
        """Every stored document, by name (unnamed ones first) and then id."""
        async with self.database.engine.connect() as connection:
            rows = (await connection.execute(select(documents))).mappings().all()
        found = [_document(row) for row in rows]
        return sorted(found, key=lambda d: (d.name is not None, d.name or "", d.id))

    async def operations(self, *, include_apq: bool = False) -> list[tuple[str, str]]:
        """(name, text) of each trusted document, for schema checks.

        A document without a single named operation is listed under its id.
        Automatic registrations are left out unless ``include_apq``: anyone may
        register any text, valid or not.
        """
        return [
            (document.name or document.id, document.body)
            for document in await self.documents()
            if include_apq or document.trusted
        ]

    async def _lookup(
        self, kind: Key, key: str, trusted: bool
    ) -> StoredDocument | None:
        cached = self.lru.get(kind, key)
        if cached is None and self.cache is not None:
            cached = await self.cache.get(kind, key)
            if cached is not None:
                self.lru.put(kind, key, cached)
        if cached is not None and (cached.trusted or not trusted):
            return cached
        document = await self._select(kind, key, trusted)
        if document is not None:
            await self._remember((kind,), document)
        return document

    async def _select(
        self, kind: Key, key: str, trusted: bool
    ) -> StoredDocument | None:
        column = documents.c.id if kind == "id" else documents.c.sha256
        untrusted_last = case((documents.c.source == APQ_SOURCE, 1), else_=0)
        query = select(documents).where(column == key)
        if trusted:
            query = query.where(documents.c.source != APQ_SOURCE)
        query = query.order_by(untrusted_last, documents.c.created_at).limit(1)
        async with self.database.engine.connect() as connection:
            row = (await connection.execute(query)).mappings().first()
        return None if row is None else _document(row)

    async def _remember(self, kinds: tuple[Key, ...], document: StoredDocument) -> None:
        keys = {"id": document.id, "sha256": document.sha256}
        for kind in kinds:
            self.lru.put(kind, keys[kind], document)
        if self.cache is not None:
            await self.cache.put(kinds, document)

    async def _forget(self, keys: list[tuple[Key, str]]) -> None:
        self.lru.forget(keys)
        if self.cache is not None:
            await self.cache.forget(keys)


async def _existing(
    connection: AsyncConnection, ids: Sequence[str]
) -> dict[str, StoredDocument]:
    found: dict[str, StoredDocument] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        query = select(documents).where(documents.c.id.in_(chunk))
        rows = (await connection.execute(query)).mappings().all()
        found.update((row["id"], _document(row)) for row in rows)
    return found


async def _promote(
    connection: AsyncConnection, entry: ManifestEntry, source: str, client: str | None
) -> None:
    values = {"name": entry.name, "operation_type": entry.operation_type}
    statement = update(documents).where(documents.c.id == entry.id)
    await connection.execute(
        statement.values(**values, source=source, client_name=client)
    )


def _conflict(source: str, stored: StoredDocument) -> ManifestConflict:
    return ManifestConflict(
        f"The manifest {source!r} gives id {stored.id!r} a text other than the one "
        f"stored from {stored.source!r}; give the changed document a new id.",
        manifest=source,
        id=stored.id,
    )


def _entry_row(
    entry: ManifestEntry, source: str, client: str | None, now: datetime
) -> dict[str, Any]:
    return {
        "id": entry.id,
        "sha256": entry.sha256,
        "name": entry.name,
        "operation_type": entry.operation_type,
        "body": entry.body,
        "source": source,
        "client_name": client,
        "created_at": now,
    }


def _document(row: Any) -> StoredDocument:
    created: datetime = row["created_at"]
    return StoredDocument(
        id=row["id"],
        sha256=row["sha256"],
        name=row["name"],
        operation_type=row["operation_type"],
        body=row["body"],
        source=row["source"],
        client_name=row["client_name"],
        created_at=created if created.tzinfo else created.replace(tzinfo=UTC),
    )
