"""The assembled gateway (:func:`gateway.assembly.build_app`) as ``serve`` runs it.

The app is built from the environment exactly as the ``serve`` command builds
it, in development mode over an empty data folder, and answers real HTTP on
127.0.0.1.
"""

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.assembly import Options, build_app
from gateway.settings import Settings
from tests.gateway.support import live_server

SMALL = "query Small { __typename }"
LARGE = "query Large { __typename }" + " " * 3_000


def apq(text: str | None, digest: str) -> dict[str, Any]:
    """An automatic persisted query request, with or without its text."""
    body: dict[str, Any] = {
        "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}
    }
    if text is not None:
        body["query"] = text
    return body


def sha256(text: str) -> str:
    """The hex SHA-256 of ``text`` in UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_apq_stores_no_text_the_document_limit_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITIZEN_GRAPH_MAX_DOCUMENT_BYTES", "2000")
    monkeypatch.setenv("CITIZEN_GRAPH_PERSISTED_QUERIES", "audit")
    app = build_app(Settings(data_dir=tmp_path), Options(dev=True))

    with live_server(app) as url, httpx.Client(base_url=url) as client:
        large = client.post("/graphql", json=apq(LARGE, sha256(LARGE))).json()
        large_again = client.post("/graphql", json=apq(None, sha256(LARGE))).json()
        client.post("/graphql", json=apq(SMALL, sha256(SMALL)))
        small_again = client.post("/graphql", json=apq(None, sha256(SMALL))).json()

    assert large["errors"][0]["extensions"]["code"] == "DOCUMENT_TOO_LARGE"
    assert large_again["errors"][0]["extensions"]["code"] == (
        "PERSISTED_QUERY_NOT_FOUND"
    )
    assert small_again == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("query Broken { __typename", "GRAPHQL_PARSE_FAILED"),
        ("query Unknown { noSuchField }", "GRAPHQL_VALIDATION_FAILED"),
    ],
)
def test_apq_stores_no_text_that_cannot_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, code: str
) -> None:
    monkeypatch.setenv("CITIZEN_GRAPH_PERSISTED_QUERIES", "audit")
    app = build_app(Settings(data_dir=tmp_path), Options(dev=True))

    with live_server(app) as url, httpx.Client(base_url=url) as client:
        first = client.post("/graphql", json=apq(text, sha256(text))).json()
        again = client.post("/graphql", json=apq(None, sha256(text))).json()

    assert first["errors"][0]["extensions"]["code"] == code
    assert again["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
