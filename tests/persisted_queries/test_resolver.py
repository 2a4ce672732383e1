import json
import logging
from typing import Any

import pytest

from persisted_queries.apq import sha256_hex
from persisted_queries.cache import LruCache, RedisCache
from persisted_queries.errors import PersistedQueryError
from persisted_queries.manifest import parse_manifest
from persisted_queries.resolver import DocumentResolver, Mode, ResolvedDocument
from persisted_queries.store import DocumentStore
from tests.persisted_queries.conftest import (
    CHILDREN,
    ME,
    RENAME,
    apollo_manifest,
    closed_port,
)

ME_HASH = sha256_hex(ME)
CHILDREN_HASH = sha256_hex(CHILDREN)
UNKNOWN = "query Unknown { me { address } }"
UNKNOWN_HASH = sha256_hex(UNKNOWN)


def hashed(digest: str, query: str | None = None, **params: Any) -> dict[str, Any]:
    """Request parameters of an APQ request, with or without the query."""
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    request: dict[str, Any] = {"extensions": extensions, **params}
    if query is not None:
        request["query"] = query
    return request


async def resolved(
    store: DocumentStore, params: dict[str, Any], mode: Mode, **options: bool
) -> ResolvedDocument:
    result = await DocumentResolver(store).resolve(params, mode=mode, **options)
    assert isinstance(result, ResolvedDocument), result
    return result


async def refused(
    store: DocumentStore, params: dict[str, Any], mode: Mode, **options: bool
) -> PersistedQueryError:
    result = await DocumentResolver(store).resolve(params, mode=mode, **options)
    assert isinstance(result, PersistedQueryError), result
    return result


async def push_trusted(store: DocumentStore, *bodies: str) -> None:
    data = json.dumps(apollo_manifest(*bodies)).encode()
    await store.push(parse_manifest(data, "portal.json"), client="portal")


def test_modes() -> None:
    assert Mode.default(production=True) is Mode.ENFORCE
    assert Mode.default(production=False) is Mode.OFF
    assert Mode.parse(" Audit ") is Mode.AUDIT
    assert Mode.from_setting(None, production=True) is Mode.ENFORCE
    assert Mode.from_setting("", production=False) is Mode.OFF
    assert Mode.from_setting("audit", production=True) is Mode.AUDIT
    with pytest.raises(ValueError, match="Unknown persisted-query mode 'strict'"):
        Mode.parse("strict")


async def test_free_text_runs_when_off(sqlite_store: DocumentStore) -> None:
    result = await resolved(sqlite_store, {"query": ME}, Mode.OFF)

    assert (result.text, result.sha256, result.source) == (ME, ME_HASH, "request")
    assert not result.trusted
    assert await sqlite_store.documents() == []


async def test_apq_registers_on_the_first_miss(sqlite_store: DocumentStore) -> None:
    miss = await refused(sqlite_store, hashed(ME_HASH), Mode.OFF)
    first = await resolved(sqlite_store, hashed(ME_HASH, ME), Mode.OFF)
    second = await resolved(sqlite_store, hashed(ME_HASH), Mode.OFF)

    assert miss.formatted == {
        "message": "PersistedQueryNotFound",
        "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
    }
    assert miss.http_status == 200
    assert (first.registered, first.source, first.text) == (True, "apq", ME)
    assert (second.registered, second.source, second.text) == (False, "apq", ME)
    assert [d.id for d in await sqlite_store.documents()] == [ME_HASH]


async def test_apq_names_the_registration_after_the_operation(
    sqlite_store: DocumentStore,
) -> None:
    await resolved(sqlite_store, hashed(ME_HASH, ME, operationName="Me"), Mode.OFF)

    assert [d.name for d in await sqlite_store.documents()] == ["Me"]


async def test_apq_records_only_a_valid_operation_name(
    sqlite_store: DocumentStore,
) -> None:
    params = hashed(ME_HASH, ME, operationName="Me; DROP TABLE")

    await resolved(sqlite_store, params, Mode.OFF)

    assert [d.name for d in await sqlite_store.documents()] == [None]


async def test_apq_over_get_carries_extensions_as_json_text(
    sqlite_store: DocumentStore,
) -> None:
    params = hashed(ME_HASH, ME)
    params["extensions"] = json.dumps(params["extensions"], separators=(",", ":"))

    result = await resolved(sqlite_store, params, Mode.OFF)

    assert result.registered


async def test_a_mismatch_is_refused_before_parsing_or_storing(
    sqlite_store: DocumentStore,
) -> None:
    not_graphql = "this is { not GraphQL"

    error = await refused(sqlite_store, hashed(ME_HASH, not_graphql), Mode.OFF)

    assert error.formatted["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert error.http_status == 400
    assert await sqlite_store.documents() == []


async def test_registration_can_be_turned_off(sqlite_store: DocumentStore) -> None:
    params = hashed(ME_HASH, ME)

    result = await resolved(sqlite_store, params, Mode.OFF, allow_register=False)

    assert (result.text, result.registered, result.source) == (ME, False, "request")
    assert await sqlite_store.documents() == []


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({}, "BAD_REQUEST", "The request has no query, documentId or persisted "
         "query hash."),
        ({"query": 42}, "BAD_REQUEST", "The query parameter must be a string, "
         "not 42."),
        ({"query": ME, "operationName": ["Me"]}, "BAD_REQUEST", "The operationName "
         'parameter must be a string, not ["Me"].'),
        ({"documentId": 7}, "BAD_REQUEST", "The documentId parameter must be a "
         "string, not 7."),
        ({"documentId": "no spaces please"}, "BAD_REQUEST", 'The documentId "no '
         'spaces please" is not a document identifier: up to 200 letters, digits '
         "and '-._~', or 'sha256:<hex>'."),
        ({"documentId": "md5:abc"}, "BAD_REQUEST", 'The documentId "md5:abc" is not '
         "a document identifier: up to 200 letters, digits and '-._~', or "
         "'sha256:<hex>'."),
        ({"documentId": "sha256:ABC"}, "PERSISTED_QUERY_INVALID_HASH", "The "
         'documentId "sha256:ABC" does not end in a SHA-256 hash of 64 lowercase '
         "hexadecimal digits."),
        ({"documentId": f"sha256:{ME_HASH}", "query": ME}, "BAD_REQUEST", "A "
         "request names its document once: send documentId without query or a "
         "persistedQuery extension."),
        ({"documentId": "a1b2", "extensions": {"persistedQuery": {"version": 1,
         "sha256Hash": ME_HASH}}}, "BAD_REQUEST", "A request names its document "
         "once: send documentId without query or a persistedQuery extension."),
        ({"documentId": "a1b2"}, "PERSISTED_DOCUMENT_NOT_FOUND", "No persisted "
         "document has the id 'a1b2'; push the client's manifest or send the query "
         "text."),
        ({"documentId": f"sha256:{ME_HASH}"}, "PERSISTED_DOCUMENT_NOT_FOUND", "No "
         f"persisted document has the id 'sha256:{ME_HASH}'; push the client's "
         "manifest or send the query text."),
        (hashed("abc"), "PERSISTED_QUERY_INVALID_HASH", 'The sha256Hash "abc" is '
         "not a SHA-256 hash of 64 lowercase hexadecimal digits."),
        ({"extensions": {"persistedQuery": {"version": 3, "sha256Hash": ME_HASH}}},
         "PERSISTED_QUERY_VERSION_NOT_SUPPORTED", "Persisted query version 3 is not "
         "supported; send version 1."),
        (hashed(ME_HASH, ME + "\n"), "PERSISTED_QUERY_HASH_MISMATCH", "The query's "
         f"SHA-256 hash is {sha256_hex(ME + chr(10))}, not the {ME_HASH} that the "
         "request names."),
        ({"query": ME, "extensions": "[1"}, "BAD_REQUEST", "The extensions "
         "parameter is not valid JSON: Expecting ',' delimiter: line 1 column 3 (char "
         "2)."),
    ],
)  # fmt: skip
async def test_bad_input(
    sqlite_store: DocumentStore, params: dict[str, Any], code: str, message: str
) -> None:
    error = await refused(sqlite_store, params, Mode.OFF)

    assert error.formatted["extensions"]["code"] == code
    assert error.message == message
    assert error.http_status == 400


async def test_document_ids_name_trusted_documents(
    sqlite_store: DocumentStore,
) -> None:
    await push_trusted(sqlite_store, ME)

    by_prefixed = await resolved(
        sqlite_store, {"documentId": f"sha256:{ME_HASH}"}, Mode.ENFORCE
    )
    by_bare = await resolved(sqlite_store, {"documentId": ME_HASH}, Mode.ENFORCE)
    by_apq = await resolved(sqlite_store, hashed(ME_HASH), Mode.ENFORCE)

    for result in (by_prefixed, by_bare, by_apq):
        assert (result.text, result.name, result.operation_type) == (ME, "Me", "query")
        assert (result.trusted, result.source) == (True, "portal.json")


async def test_enforce_runs_trusted_text_and_nothing_else(
    sqlite_store: DocumentStore,
) -> None:
    await push_trusted(sqlite_store, ME)

    trusted = await resolved(sqlite_store, {"query": ME}, Mode.ENFORCE)
    error = await refused(
        sqlite_store, {"query": UNKNOWN, "operationName": "Unknown"}, Mode.ENFORCE
    )

    assert trusted.trusted
    assert error.formatted == {
        "message": f"The operation Unknown (hash {UNKNOWN_HASH}) is not a trusted "
        "document, and this deployment runs only trusted documents.",
        "extensions": {"code": "PERSISTED_QUERY_NOT_ALLOWED", "sha256": UNKNOWN_HASH},
    }
    assert error.http_status == 400


@pytest.mark.parametrize("query", [None, UNKNOWN], ids=["hash-only", "register"])
async def test_enforce_refuses_apq_registration(
    sqlite_store: DocumentStore, query: str | None
) -> None:
    error = await refused(sqlite_store, hashed(UNKNOWN_HASH, query), Mode.ENFORCE)

    assert error.formatted["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
    assert error.message == (
        f"The operation with hash {UNKNOWN_HASH} is not a trusted document, and this "
        "deployment registers none through automatic persisted queries; push the "
        "client's manifest."
    )
    assert await sqlite_store.documents() == []


async def test_enforce_refuses_documents_registered_by_apq(
    sqlite_store: DocumentStore,
) -> None:
    await resolved(sqlite_store, hashed(ME_HASH, ME), Mode.OFF)

    by_id = await refused(sqlite_store, {"documentId": ME_HASH}, Mode.ENFORCE)
    by_hash = await refused(sqlite_store, hashed(ME_HASH), Mode.ENFORCE)

    assert by_id.formatted["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
    assert by_hash.formatted["extensions"]["code"] == "PERSISTED_QUERY_NOT_ALLOWED"


async def test_a_push_trusts_a_cached_apq_document_at_once(
    sqlite_store: DocumentStore,
) -> None:
    # The gateway's store caches the APQ registration; the push comes from
    # another process (the command line) with a store of its own.
    await resolved(sqlite_store, hashed(ME_HASH, ME), Mode.OFF)
    assert sqlite_store.lru.get("sha256", ME_HASH) is not None
    other = DocumentStore.open(sqlite_store.database.url)
    try:
        await push_trusted(other, ME)
    finally:
        await other.close()

    result = await resolved(sqlite_store, hashed(ME_HASH), Mode.ENFORCE)

    assert (result.trusted, result.source) == (True, "portal.json")


async def test_audit_runs_untrusted_operations_and_logs_name_and_hash_only(
    sqlite_store: DocumentStore, caplog: pytest.LogCaptureFixture
) -> None:
    await push_trusted(sqlite_store, ME)
    secret = 'query Unknown { person(cpr: "0101011234") { name } }'
    params = {
        "query": secret,
        "operationName": "Unknown",
        "variables": {"cpr": "0101015678"},
    }
    caplog.set_level(logging.INFO, logger="persisted_queries")

    trusted = await resolved(sqlite_store, {"query": ME}, Mode.AUDIT)
    untrusted = await resolved(sqlite_store, params, Mode.AUDIT)

    assert trusted.trusted
    assert not untrusted.trusted
    assert untrusted.text == secret
    assert [r.getMessage() for r in caplog.records] == [
        f"Untrusted operation Unknown ran in audit mode, sha256 {sha256_hex(secret)}"
    ]
    assert "0101011234" not in caplog.text
    assert "0101015678" not in caplog.text


async def test_audit_still_registers_apq(sqlite_store: DocumentStore) -> None:
    await refused(sqlite_store, hashed(CHILDREN_HASH), Mode.AUDIT)
    result = await resolved(sqlite_store, hashed(CHILDREN_HASH, CHILDREN), Mode.AUDIT)

    assert result.registered
    assert not result.trusted


async def test_stored_mutations_keep_their_type_for_get_checks(
    sqlite_store: DocumentStore,
) -> None:
    await push_trusted(sqlite_store, RENAME)

    result = await resolved(
        sqlite_store, {"documentId": f"sha256:{sha256_hex(RENAME)}"}, Mode.ENFORCE
    )

    assert (result.operation_type, result.name) == ("mutation", "Rename")


async def test_apq_works_through_a_redis_outage(sqlite_store: DocumentStore) -> None:
    sqlite_store.cache = RedisCache.from_url(f"redis://127.0.0.1:{closed_port()}/0")
    sqlite_store.lru = LruCache(0)

    miss = await refused(sqlite_store, hashed(ME_HASH), Mode.OFF)
    first = await resolved(sqlite_store, hashed(ME_HASH, ME), Mode.OFF)
    second = await resolved(sqlite_store, hashed(ME_HASH), Mode.OFF)

    assert miss.formatted["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert (first.registered, second.text) == (True, ME)
    assert not sqlite_store.cache.available
