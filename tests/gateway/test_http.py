"""The GraphQL-over-HTTP protocol helpers: Accept negotiation and browsers."""

import pytest

from gateway.errors import NotAcceptable
from gateway.http import GRAPHQL_RESPONSE_JSON, JSON, negotiate, prefers_html


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        ("APPLICATION/GRAPHQL-RESPONSE+JSON", GRAPHQL_RESPONSE_JSON),
        (f"{JSON};q=0.9, {GRAPHQL_RESPONSE_JSON};q=0.8", JSON),
        (f"*/*;q=0.1, {GRAPHQL_RESPONSE_JSON}", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=0, {JSON}", JSON),
        (f'{JSON}; charset="UTF-8"', JSON),
        (f"{JSON};q=nonsense, {GRAPHQL_RESPONSE_JSON}", GRAPHQL_RESPONSE_JSON),
    ],
)
def test_negotiate(accept: str | None, expected: str) -> None:
    assert negotiate(accept) == expected


@pytest.mark.parametrize(
    "accept", ["text/html", "image/png, text/*", f"{JSON}; charset=utf-16", "*/*;q=0"]
)
def test_negotiate_refuses(accept: str) -> None:
    with pytest.raises(NotAcceptable, match="answers in application/graphql"):
        negotiate(accept)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        ("text/html", True),
        (None, False),
        ("*/*", False),
        (f"{JSON}, text/html;q=0.5", False),
        (f"text/html;q=0.5, {GRAPHQL_RESPONSE_JSON}", False),
    ],
)
def test_prefers_html(accept: str | None, expected: bool) -> None:
    assert prefers_html(accept) is expected
