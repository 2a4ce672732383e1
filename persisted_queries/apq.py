"""Automatic persisted queries, in the protocol Apollo Client and urql speak.

A client sends ``extensions.persistedQuery = {"version": 1, "sha256Hash": HASH}``,
first without the query. An unknown hash answers ``PersistedQueryNotFound`` and the
client repeats the request with the query, which the server checks against the hash
and stores. Over POST, ``extensions`` is a JSON object; over GET it is a JSON string
in the query string. This module reads and checks the protocol's parameters; it
neither parses GraphQL nor touches the store.
"""

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, OperationType
from graphql.utilities import get_operation_ast

from persisted_queries.errors import (
    BadRequest,
    HashMismatch,
    InvalidHash,
    MutationOverGet,
    VersionNotSupported,
)

VERSION = 1
"""The one version of the protocol there is."""

_HASH = re.compile(r"[0-9a-f]{64}")


def sha256_hex(text: str) -> str:
    """The lowercase hex SHA-256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def shown(value: object, limit: int = 80) -> str:
    """``value`` as JSON for an error message, cut to ``limit`` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = type(value).__name__
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def check_hash(value: object, name: str = "sha256Hash") -> str:
    """``value`` if it is 64 lowercase hex digits; raises InvalidHash otherwise."""
    if isinstance(value, str) and _HASH.fullmatch(value):
        return value
    if value is None:
        raise InvalidHash(
            f"The {name} is missing; send the SHA-256 hash of the query as 64 "
            "lowercase hexadecimal digits."
        )
    raise InvalidHash(
        f"The {name} {shown(value)} is not a SHA-256 hash of 64 lowercase "
        "hexadecimal digits.",
        value=shown(value),
    )


@dataclass(frozen=True)
class PersistedQuery:
    """The ``persistedQuery`` extension of one request, checked."""

    sha256: str


def read_extensions(value: object) -> Mapping[str, Any] | None:
    """The request's ``extensions``: a JSON object, or over GET its JSON text.

    Raises:
        BadRequest: text that is not JSON, or JSON that is not an object.
    """
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise BadRequest(
                f"The extensions parameter is not valid JSON: {exc}."
            ) from exc
    if not isinstance(value, Mapping):
        raise BadRequest(
            f"The extensions parameter must be a JSON object, not {shown(value)}."
        )
    return value


def persisted_query(extensions: Mapping[str, Any] | None) -> PersistedQuery | None:
    """The checked ``persistedQuery`` extension, or None when the request has none.

    Raises:
        BadRequest: the extension is not an object.
        VersionNotSupported: ``version`` is missing or is not the integer 1.
        InvalidHash: ``sha256Hash`` is not 64 lowercase hex digits.
    """
    if extensions is None or extensions.get("persistedQuery") is None:
        return None
    extension = extensions["persistedQuery"]
    if not isinstance(extension, Mapping):
        raise BadRequest(
            "The persistedQuery extension must be a JSON object, "
            f"not {shown(extension)}."
        )
    version = extension.get("version")
    if version is None:
        raise VersionNotSupported(
            f"The persistedQuery extension has no version; send version {VERSION}."
        )
    if type(version) is not int or version != VERSION:
        raise VersionNotSupported(
            f"Persisted query version {shown(version)} is not supported; "
            f"send version {VERSION}.",
            version=shown(version),
        )
    return PersistedQuery(sha256=check_hash(extension.get("sha256Hash")))


def verify(query: str, expected: str) -> None:
    """Check that ``query`` hashes to ``expected``, before it is parsed or stored.

    Raises:
        HashMismatch: the texts differ, by as much as one byte.
    """
    actual = sha256_hex(query)
    if actual != expected:
        raise HashMismatch(
            f"The query's SHA-256 hash is {actual}, not the {expected} that the "
            "request names.",
            expected=expected,
            actual=actual,
        )


def operation_type(
    document: DocumentNode, operation_name: str | None
) -> OperationType | None:
    """The type of the operation a request runs, or None when it names none."""
    operation = get_operation_ast(document, operation_name or None)
    return None if operation is None else operation.operation


def refuse_mutation_over_get(
    method: str, document: DocumentNode, operation_name: str | None
) -> MutationOverGet | None:
    """The error for a mutation requested with GET, else None.

    GraphQL over HTTP, section GET and Appendix A: GET requests must not run
    mutations, and the server answers 405 Method Not Allowed.
    """
    if method.upper() != "GET":
        return None
    if operation_type(document, operation_name) is not OperationType.MUTATION:
        return None
    return MutationOverGet(
        "A mutation cannot run over GET; send it with POST.",
        allow="POST",
    )
