"""The document cache: parse and validate once per document, bounded."""

import pytest

from gateway.documents import DocumentCache, document_hash, select_operation
from gateway.errors import GatewayError
from gateway.limits import Limits
from tests.gateway.support import SCHEMA


def test_a_document_is_prepared_once() -> None:
    cache = DocumentCache(SCHEMA._schema, Limits(), dev=False)

    first = cache.prepare("{ hello }")
    second = cache.prepare("{ hello }")

    assert first is second
    assert first.hash == document_hash("{ hello }")
    assert len(cache) == 1


def test_a_refused_document_is_remembered_too() -> None:
    cache = DocumentCache(SCHEMA._schema, Limits(), dev=False)

    first = cache.prepare("{ nope }")

    assert cache.prepare("{ nope }") is first
    with pytest.raises(GatewayError) as raised:
        first.valid()
    assert raised.value.code == "GRAPHQL_VALIDATION_FAILED"


def test_the_cache_keeps_the_most_recently_used() -> None:
    cache = DocumentCache(SCHEMA._schema, Limits(document_cache_size=2), dev=False)
    kept = cache.prepare("{ hello }")
    cache.prepare("{ items { number } }")

    cache.prepare("{ hello }")
    cache.prepare("{ items { name } }")

    assert len(cache) == 2
    assert cache.prepare("{ hello }") is kept


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{", "GRAPHQL_PARSE_FAILED"),
        ("{ a: hello b: hello }", "ALIAS_LIMIT_EXCEEDED"),
        ("{ " + "hello " * 50 + "}", "GRAPHQL_PARSE_FAILED"),
        ("{ hello }" + " " * 600, "DOCUMENT_TOO_LARGE"),
    ],
)
def test_limits_apply_before_validation(text: str, code: str) -> None:
    limits = Limits(max_aliases=1, max_tokens=40, max_document_bytes=500)
    cache = DocumentCache(SCHEMA._schema, limits, dev=True)

    with pytest.raises(GatewayError) as raised:
        cache.prepare(text).valid()

    assert raised.value.code == code


def test_the_only_operation_is_chosen_without_a_name() -> None:
    cache = DocumentCache(SCHEMA._schema, Limits(), dev=False)
    document = cache.prepare("query Only { hello }").valid()

    operation = select_operation(document, None)

    assert operation.name is not None
    assert operation.name.value == "Only"
