"""Errors of the persisted_queries package.

    PersistedQueryError           base: a stable ``code`` and an ``http_status``
    ├── BadRequest                BAD_REQUEST: a malformed parameter
    ├── InvalidHash               PERSISTED_QUERY_INVALID_HASH: not 64 lowercase hex
    ├── VersionNotSupported       PERSISTED_QUERY_VERSION_NOT_SUPPORTED
    ├── HashMismatch              PERSISTED_QUERY_HASH_MISMATCH: text and hash differ
    ├── PersistedQueryNotFound    PERSISTED_QUERY_NOT_FOUND: unknown APQ hash (200)
    ├── DocumentNotFound          PERSISTED_DOCUMENT_NOT_FOUND: unknown documentId
    ├── NotAllowed                PERSISTED_QUERY_NOT_ALLOWED: not a trusted document
    ├── MutationOverGet           METHOD_NOT_ALLOWED: a mutation sent with GET (405)
    └── ManifestError             MANIFEST_INVALID: a manifest that cannot be loaded
        ├── ManifestTooLarge      MANIFEST_TOO_LARGE
        └── ManifestConflict      MANIFEST_CONFLICT: one id, two different texts

Each is a :class:`graphql.GraphQLError`, so ``error.formatted`` is the entry of the
response's ``errors`` list, with the code in ``extensions.code``. ``http_status`` is
the status of a response that carries only this error.
"""

from typing import Any

from graphql import GraphQLError


class PersistedQueryError(GraphQLError):
    """Base of the persisted-query errors; ``code`` lands in ``extensions.code``."""

    code = "PERSISTED_QUERY_ERROR"
    http_status = 400

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})

    @property
    def status(self) -> int:
        """``http_status``, under the name the gateway's seams read."""
        return self.http_status


class BadRequest(PersistedQueryError):
    """A request parameter has the wrong type or shape."""

    code = "BAD_REQUEST"


class InvalidHash(PersistedQueryError):
    """A SHA-256 hash that is not 64 lowercase hexadecimal digits."""

    code = "PERSISTED_QUERY_INVALID_HASH"


class VersionNotSupported(PersistedQueryError):
    """An ``extensions.persistedQuery.version`` other than 1."""

    code = "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"


class HashMismatch(PersistedQueryError):
    """The SHA-256 of the query text is not the hash the request names."""

    code = "PERSISTED_QUERY_HASH_MISMATCH"


class PersistedQueryNotFound(PersistedQueryError):
    """A hash-only request for a hash the store does not know.

    The message is the fixed word that Apollo Client and urql look for before they
    send the full query; the status is 200, as those clients expect.
    """

    code = "PERSISTED_QUERY_NOT_FOUND"
    http_status = 200

    def __init__(self) -> None:
        super().__init__("PersistedQueryNotFound")


class DocumentNotFound(PersistedQueryError):
    """A ``documentId`` that names no stored document."""

    code = "PERSISTED_DOCUMENT_NOT_FOUND"


class NotAllowed(PersistedQueryError):
    """An operation that is not a trusted document, in a deployment that enforces."""

    code = "PERSISTED_QUERY_NOT_ALLOWED"


class MutationOverGet(PersistedQueryError):
    """A mutation requested with GET, which must stay a safe method."""

    code = "METHOD_NOT_ALLOWED"
    http_status = 405


class ManifestError(PersistedQueryError):
    """A manifest that cannot be loaded; the message names the entry or position."""

    code = "MANIFEST_INVALID"


class ManifestTooLarge(ManifestError):
    """A manifest over the size limit."""

    code = "MANIFEST_TOO_LARGE"


class ManifestConflict(ManifestError):
    """A manifest that gives an id a text other than the one already stored."""

    code = "MANIFEST_CONFLICT"
