import hashlib

import pytest
from graphql import parse

from persisted_queries import apq
from persisted_queries.errors import (
    BadRequest,
    HashMismatch,
    InvalidHash,
    PersistedQueryError,
    VersionNotSupported,
)
from tests.persisted_queries.conftest import ME, RENAME

ME_HASH = apq.sha256_hex(ME)


def test_sha256_is_of_the_utf8_text() -> None:
    text = 'query { greeting(word: "æble") }'

    assert apq.sha256_hex(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert apq.sha256_hex(text) != hashlib.sha256(text.encode("latin-1")).hexdigest()


@pytest.mark.parametrize(
    "extensions",
    [
        {"persistedQuery": {"version": 1, "sha256Hash": ME_HASH}},
        f'{{"persistedQuery":{{"version":1,"sha256Hash":"{ME_HASH}"}}}}',
    ],
    ids=["post-object", "get-json-text"],
)
def test_reads_the_extension_over_post_and_get(extensions: object) -> None:
    parsed = apq.persisted_query(apq.read_extensions(extensions))

    assert parsed == apq.PersistedQuery(sha256=ME_HASH)


@pytest.mark.parametrize("extensions", [None, {}, {"persistedQuery": None}, "{}"])
def test_no_extension_is_no_persisted_query(extensions: object) -> None:
    assert apq.persisted_query(apq.read_extensions(extensions)) is None


@pytest.mark.parametrize(
    ("extensions", "error", "message"),
    [
        (
            "{",
            BadRequest,
            "The extensions parameter is not valid JSON: Expecting property name "
            "enclosed in double quotes: line 1 column 2 (char 1).",
        ),
        (
            [1],
            BadRequest,
            "The extensions parameter must be a JSON object, not [1].",
        ),
        (
            {"persistedQuery": "abc"},
            BadRequest,
            'The persistedQuery extension must be a JSON object, not "abc".',
        ),
        (
            {"persistedQuery": {"sha256Hash": ME_HASH}},
            VersionNotSupported,
            "The persistedQuery extension has no version; send version 1.",
        ),
        (
            {"persistedQuery": {"version": 2, "sha256Hash": ME_HASH}},
            VersionNotSupported,
            "Persisted query version 2 is not supported; send version 1.",
        ),
        (
            {"persistedQuery": {"version": "1", "sha256Hash": ME_HASH}},
            VersionNotSupported,
            'Persisted query version "1" is not supported; send version 1.',
        ),
        (
            {"persistedQuery": {"version": True, "sha256Hash": ME_HASH}},
            VersionNotSupported,
            "Persisted query version true is not supported; send version 1.",
        ),
        (
            {"persistedQuery": {"version": 1}},
            InvalidHash,
            "The sha256Hash is missing; send the SHA-256 hash of the query as 64 "
            "lowercase hexadecimal digits.",
        ),
        (
            {"persistedQuery": {"version": 1, "sha256Hash": ME_HASH.upper()}},
            InvalidHash,
            f'The sha256Hash "{ME_HASH.upper()}" is not a SHA-256 hash of 64 '
            "lowercase hexadecimal digits.",
        ),
        (
            {"persistedQuery": {"version": 1, "sha256Hash": "zz" * 32}},
            InvalidHash,
            f'The sha256Hash "{"zz" * 32}" is not a SHA-256 hash of 64 lowercase '
            "hexadecimal digits.",
        ),
        (
            {"persistedQuery": {"version": 1, "sha256Hash": 12}},
            InvalidHash,
            "The sha256Hash 12 is not a SHA-256 hash of 64 lowercase hexadecimal "
            "digits.",
        ),
    ],
)
def test_bad_extensions(
    extensions: object, error: type[PersistedQueryError], message: str
) -> None:
    with pytest.raises(error) as raised:
        apq.persisted_query(apq.read_extensions(extensions))

    assert raised.value.message == message
    assert raised.value.http_status == 400
    assert raised.value.formatted["extensions"]["code"] == error.code


def test_verify_accepts_the_exact_text() -> None:
    apq.verify(ME, ME_HASH)


def test_verify_refuses_one_byte_of_difference() -> None:
    with pytest.raises(HashMismatch) as raised:
        apq.verify(ME + " ", ME_HASH)

    assert raised.value.message == (
        f"The query's SHA-256 hash is {apq.sha256_hex(ME + ' ')}, not the {ME_HASH} "
        "that the request names."
    )
    assert raised.value.extensions == {
        "code": "PERSISTED_QUERY_HASH_MISMATCH",
        "expected": ME_HASH,
        "actual": apq.sha256_hex(ME + " "),
    }


@pytest.mark.parametrize(
    ("method", "text", "operation_name", "refused"),
    [
        ("GET", RENAME, None, True),
        ("get", RENAME, "Rename", True),
        ("POST", RENAME, None, False),
        ("GET", ME, None, False),
        ("GET", f"{ME}\n{RENAME}", "Me", False),
        ("GET", f"{ME}\n{RENAME}", "Rename", True),
        ("GET", f"{ME}\n{RENAME}", None, False),  # ambiguous: validation's job
    ],
)
def test_mutations_never_run_over_get(
    method: str, text: str, operation_name: str | None, refused: bool
) -> None:
    error = apq.refuse_mutation_over_get(method, parse(text), operation_name)

    assert (error is not None) is refused
    if error is not None:
        assert error.http_status == 405
        assert error.formatted["extensions"] == {
            "code": "METHOD_NOT_ALLOWED",
            "allow": "POST",
        }
        assert error.message == "A mutation cannot run over GET; send it with POST."
