import asyncio
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from redis.asyncio import Redis

from persisted_queries.apq import sha256_hex
from persisted_queries.cache import LruCache, RedisCache, StoredDocument
from persisted_queries.errors import ManifestConflict
from persisted_queries.manifest import Manifest, parse_manifest
from persisted_queries.store import DocumentStore
from subgraphs.kit import sqlite_url
from tests.persisted_queries.conftest import (
    CHILDREN,
    ME,
    RENAME,
    apollo_manifest,
    closed_port,
)

ME_HASH = sha256_hex(ME)


def apollo(*bodies: str, source: str = "portal.json") -> Manifest:
    return parse_manifest(json.dumps(apollo_manifest(*bodies)).encode(), source)


def relay(entries: dict[str, str], source: str = "relay.json") -> Manifest:
    return parse_manifest(json.dumps(entries).encode(), source)


async def test_register_and_look_up(store: DocumentStore) -> None:
    stored, added = await store.register(ME, ME_HASH, name="Me")
    again, added_again = await store.register(ME, ME_HASH)

    assert (added, added_again) == (True, False)
    assert again.body == ME
    assert await store.by_id(ME_HASH) == stored
    assert await store.by_hash(ME_HASH) == stored
    assert await store.by_hash(ME_HASH, trusted=True) is None
    assert await store.by_hash(sha256_hex(CHILDREN)) is None
    assert (stored.source, stored.trusted, stored.name) == ("apq", False, "Me")


async def test_concurrent_registrations_of_one_text(store: DocumentStore) -> None:
    results = await asyncio.gather(*(store.register(ME, ME_HASH) for _ in range(4)))

    assert sorted(added for _, added in results) == [False, False, False, True]
    assert {document.body for document, _ in results} == {ME}
    assert len(await store.documents()) == 1


async def test_registrations_stop_at_the_limit_and_still_answer(
    store: DocumentStore, caplog: pytest.LogCaptureFixture
) -> None:
    store.apq_limit = 2
    texts = [f"query Q{n} {{ me {{ name }} }}" for n in range(4)]

    with caplog.at_level(logging.WARNING, logger="persisted_queries.store"):
        results = [await store.register(text, sha256_hex(text)) for text in texts]

    assert [added for _, added in results] == [True, True, False, False]
    assert [document.body for document, _ in results] == texts
    assert await store.by_hash(sha256_hex(texts[2])) is None
    assert len(await store.documents()) == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "its limit" in warnings[0].getMessage()


async def test_a_full_store_still_takes_pushed_manifests(store: DocumentStore) -> None:
    store.apq_limit = 0
    _, added = await store.register(ME, ME_HASH)

    report = await store.push(apollo(ME))

    assert not added
    assert report.added == [ME_HASH]
    stored = await store.by_hash(ME_HASH, trusted=True)
    assert stored is not None
    assert stored.body == ME


async def test_an_unstorable_text_is_returned_unstored(store: DocumentStore) -> None:
    text = 'query { me(name: "\x00") { name } }'

    document, added = await store.register(text, sha256_hex(text))

    assert (document.body, added) == (text, False)
    assert await store.documents() == []


async def test_a_text_over_the_size_limit_is_returned_unstored(
    store: DocumentStore,
) -> None:
    store.apq_max_bytes = len(ME.encode("utf-8"))
    longer = ME + " " * 2
    longer_hash = sha256_hex(longer)

    document, added = await store.register(longer, longer_hash)
    fits, fits_added = await store.register(ME, ME_HASH)

    assert (document.body, added) == (longer, False)
    assert await store.by_hash(longer_hash) is None
    assert fits_added
    assert [d.sha256 for d in await store.documents()] == [fits.sha256]


async def test_a_custom_id_equal_to_a_hash_never_answers_for_that_hash(
    store: DocumentStore,
) -> None:
    await store.push(relay({ME_HASH: CHILDREN}))

    document, added = await store.register(ME, ME_HASH)

    assert (document.body, document.sha256, added) == (ME, ME_HASH, False)
    assert await store.by_hash(ME_HASH) is None


async def test_lookups_survive_a_fresh_process(store: DocumentStore) -> None:
    await store.register(ME, ME_HASH)
    store.lru = LruCache(0)

    document = await store.by_hash(ME_HASH)

    assert document is not None
    assert document.body == ME
    assert document.created_at.tzinfo is not None


async def test_push_is_idempotent(store: DocumentStore) -> None:
    first = await store.push(apollo(ME, RENAME), client="portal")
    second = await store.push(apollo(ME, RENAME), client="portal")

    assert first.added == [ME_HASH, sha256_hex(RENAME)]
    assert (first.unchanged, second.added) == ([], [])
    assert second.unchanged == first.added
    documents = await store.documents()
    assert [(d.name, d.operation_type, d.source, d.client_name) for d in documents] == [
        ("Me", "query", "portal.json", "portal"),
        ("Rename", "mutation", "portal.json", "portal"),
    ]


async def test_concurrent_pushes_of_one_manifest(store: DocumentStore) -> None:
    # Found by the Hive comparison: two gateways starting together on one data
    # folder each pushed the portal's documents, and one crashed on the insert.
    others = [DocumentStore.open(store.database.url) for _ in range(3)]
    stores = [store, *others]
    try:
        # Connected first, so that no push gets a head start.
        await asyncio.gather(*(s.documents() for s in stores))
        reports = await asyncio.gather(
            *(s.push(apollo(ME, RENAME), client="portal") for s in stores)
        )
    finally:
        for other in others:
            await other.close()

    assert sorted(len(report.added) for report in reports)[-1] >= 1
    assert all(
        sorted(report.added + report.unchanged) == sorted([ME_HASH, sha256_hex(RENAME)])
        for report in reports
    )
    assert len(await store.documents()) == 2


async def test_push_refuses_a_new_text_for_a_known_id_and_writes_nothing(
    store: DocumentStore,
) -> None:
    await store.push(relay({"a1": ME}), client="app")

    with pytest.raises(ManifestConflict) as raised:
        await store.push(relay({"b2": RENAME, "a1": CHILDREN}, source="next.json"))

    assert raised.value.message == (
        "The manifest 'next.json' gives id 'a1' a text other than the one stored "
        "from 'relay.json'; give the changed document a new id."
    )
    assert raised.value.formatted["extensions"]["code"] == "MANIFEST_CONFLICT"
    assert [d.id for d in await store.documents()] == ["a1"]


async def test_push_promotes_an_apq_registration(store: DocumentStore) -> None:
    await store.register(ME, ME_HASH)
    assert await store.by_hash(ME_HASH) is not None  # now cached as untrusted

    report = await store.push(apollo(ME), client="portal")
    document = await store.by_hash(ME_HASH, trusted=True)

    assert report.added == [ME_HASH]
    assert document is not None
    assert (document.source, document.name, document.client_name) == (
        "portal.json",
        "Me",
        "portal",
    )


async def test_hash_lookups_prefer_trusted_documents(store: DocumentStore) -> None:
    await store.register(ME, ME_HASH)
    await store.push(relay({"me-v1": ME}))
    store.lru = LruCache(0)

    document = await store.by_hash(ME_HASH)

    assert document is not None
    assert (document.id, document.trusted) == ("me-v1", True)


async def test_operations_for_schema_checks(store: DocumentStore) -> None:
    await store.push(apollo(ME, RENAME))
    await store.push(relay({"two": f"{ME}\n{CHILDREN}"}))
    await store.register(CHILDREN, sha256_hex(CHILDREN))

    assert await store.operations() == [
        ("two", f"{ME}\n{CHILDREN}"),
        ("Me", ME),
        ("Rename", RENAME),
    ]
    assert len(await store.operations(include_apq=True)) == 4


def test_the_lru_is_bounded() -> None:
    lru = LruCache(2)
    documents = [
        StoredDocument(
            str(i), str(i), None, None, "{ x }", "apq", None, datetime.now(UTC)
        )
        for i in range(3)
    ]

    lru.put("id", "0", documents[0])
    lru.put("id", "1", documents[1])
    assert lru.get("id", "0") == documents[0]  # 1 is now the least recent
    lru.put("id", "2", documents[2])

    assert len(lru) == 2
    assert lru.get("id", "1") is None
    assert lru.get("id", "0") == documents[0]


async def test_redis_serves_documents_the_database_lacks(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    # Two stores with one Redis but separate databases: what the second finds,
    # it can only have found in Redis.
    first = DocumentStore.open(
        sqlite_url(tmp_path / "a", "gateway"),
        redis_url=redis_url,
        redis_prefix=redis_prefix,
    )
    second = DocumentStore.open(
        sqlite_url(tmp_path / "b", "gateway"),
        redis_url=redis_url,
        redis_prefix=redis_prefix,
    )
    try:
        for store in (first, second):
            await store.create()
        await first.register(ME, ME_HASH)

        found = await second.by_hash(ME_HASH)
        by_id = await second.by_id(ME_HASH)
    finally:
        await first.close()
        await second.close()

    assert found is not None
    assert found.body == ME
    assert by_id == found


async def test_a_malformed_redis_entry_is_a_miss(
    sqlite_store: DocumentStore, redis_url: str, redis_prefix: str
) -> None:
    sqlite_store.cache = RedisCache.from_url(redis_url, redis_prefix)
    client = Redis.from_url(redis_url)
    try:
        await client.set(f"{redis_prefix}sha256:{ME_HASH}", b"{not json")
    finally:
        await client.aclose()

    assert await sqlite_store.by_hash(ME_HASH) is None
    await sqlite_store.register(ME, ME_HASH)
    sqlite_store.lru = LruCache(0)
    document = await sqlite_store.by_hash(ME_HASH)
    assert document is not None
    assert document.body == ME


async def test_a_redis_outage_falls_back_to_the_database(
    sqlite_store: DocumentStore, caplog: pytest.LogCaptureFixture
) -> None:
    cache = RedisCache.from_url(f"redis://127.0.0.1:{closed_port()}/0")
    sqlite_store.cache = cache
    sqlite_store.lru = LruCache(0)

    stored, added = await sqlite_store.register(ME, ME_HASH)
    by_hash = await sqlite_store.by_hash(ME_HASH)
    pushed = await sqlite_store.push(apollo(CHILDREN))
    by_id = await sqlite_store.by_id(sha256_hex(CHILDREN), trusted=True)

    assert added
    assert by_hash == stored
    assert pushed.added == [sha256_hex(CHILDREN)]
    assert by_id is not None
    assert not cache.available
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        "Redis cache unavailable for 5 s, reading documents from the database: "
        "ConnectionError"
    ]
