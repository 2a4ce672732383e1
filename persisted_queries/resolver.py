"""Turning a request's parameters into the text of the document it runs.

This is the seam between the HTTP server and persisted queries. The server hands
over the request's parameters (the JSON body of a POST, or the query string of a
GET) and gets back either a :class:`ResolvedDocument`, whose text it then parses,
validates and runs, or a :class:`~persisted_queries.errors.PersistedQueryError`
with a stable ``code`` and an ``http_status``. It knows nothing of Starlette.

A request names its document in one of four ways: free ``query`` text, a
``documentId`` (GraphQL over HTTP, Appendix A: ``sha256:<hex>`` or a custom id), an
APQ hash alone, or an APQ hash with the query that registers it. What may run
depends on the deployment's :class:`Mode`.
"""

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from persisted_queries import apq
from persisted_queries.cache import Key, StoredDocument
from persisted_queries.errors import (
    BadRequest,
    DocumentNotFound,
    InvalidHash,
    NotAllowed,
    PersistedQueryError,
    PersistedQueryNotFound,
)
from persisted_queries.manifest import MAX_ID_LENGTH, valid_document_id
from persisted_queries.store import DocumentStore

logger = logging.getLogger(__name__)

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,199}")
"""A GraphQL name, as an APQ registration may record it."""

REQUEST_SOURCE = "request"
"""The source of a document whose text came with the request itself."""


class Mode(StrEnum):
    """How a deployment treats operations that are not trusted documents.

    ``off`` runs anything; ``audit`` runs anything and logs each untrusted
    operation (name and hash only); ``enforce`` refuses them and registers nothing
    through APQ, so only documents pushed from a manifest run.
    """

    OFF = "off"
    AUDIT = "audit"
    ENFORCE = "enforce"

    @classmethod
    def parse(cls, value: str) -> "Mode":
        """The mode named ``value``; raises ValueError with the names it accepts."""
        try:
            return cls(value.strip().lower())
        except ValueError as exc:
            names = ", ".join(mode.value for mode in cls)
            raise ValueError(
                f"Unknown persisted-query mode {value!r}; use one of {names}."
            ) from exc

    @classmethod
    def from_setting(cls, value: str | None, *, production: bool) -> "Mode":
        """The configured mode, or the default of the deployment when unset."""
        if value is None or not value.strip():
            return cls.default(production=production)
        return cls.parse(value)

    @classmethod
    def default(cls, *, production: bool) -> "Mode":
        """Production enforces trusted documents; development (GraphiQL) runs
        anything."""
        return cls.ENFORCE if production else cls.OFF


@dataclass(frozen=True)
class ResolvedDocument:
    """The document a request runs, before it is parsed.

    Attributes:
        text: the GraphQL source text to parse.
        sha256: the lowercase hex SHA-256 of ``text``; a key for parse caches.
        document_id: the store's id of the document, None for free text.
        name: the operation name the store holds, if any.
        operation_type: ``query``, ``mutation`` or ``subscription`` when the store
            knows it (manifest entries); None otherwise. The server decides GET
            safety from the parsed document, see :func:`apq.refuse_mutation_over_get`.
        trusted: whether the text is a trusted document from a manifest.
        registered: whether this request added the text to the store by APQ.
        source: ``request``, ``apq``, or the name of the manifest it came from.
    """

    text: str
    sha256: str
    document_id: str | None
    name: str | None
    operation_type: str | None
    trusted: bool
    registered: bool
    source: str

    @classmethod
    def stored(
        cls, document: StoredDocument, registered: bool = False
    ) -> "ResolvedDocument":
        """The resolution of a stored document."""
        return cls(
            text=document.body,
            sha256=document.sha256,
            document_id=document.id,
            name=document.name,
            operation_type=document.operation_type,
            trusted=document.trusted,
            registered=registered,
            source=document.source,
        )


class RequestParams(Protocol):
    """The parameters the server has read, as ``gateway.http.GraphQLParams``."""

    @property
    def query(self) -> str | None: ...

    @property
    def operation_name(self) -> str | None: ...

    @property
    def extensions(self) -> Mapping[str, Any]: ...

    @property
    def document_id(self) -> str | None: ...


TextResolver = Callable[[RequestParams], Awaitable[str]]
"""The gateway's document seam: the text to run, or a raised refusal."""


@dataclass(frozen=True)
class _Request:
    query: str | None
    document_id: str | None
    persisted: apq.PersistedQuery | None
    operation_name: str | None


class DocumentResolver:
    """Resolves requests against one document store.

    Args:
        store: the documents.
        accepts: whether a text is a document the server could run (it parses and
            validates against the schema); an automatic persisted query is stored
            only if it is, so the store never fills with texts that cannot run.
            None stores every text whose hash matches.
    """

    def __init__(
        self, store: DocumentStore, accepts: Callable[[str], bool] | None = None
    ) -> None:
        self.store = store
        self.accepts = accepts

    async def resolve(
        self,
        params: Mapping[str, Any],
        *,
        mode: Mode,
        allow_register: bool = True,
    ) -> ResolvedDocument | PersistedQueryError:
        """The document that ``params`` names, or the error to answer with.

        Args:
            params: the request's ``query``, ``documentId``, ``extensions`` (an
                object, or JSON text as GET sends it) and ``operationName``;
                other keys are ignored.
            mode: the deployment's mode.
            allow_register: whether an APQ request with the query may add it to
                the store; it never does in ``enforce`` mode.
        """
        try:
            request = _read(params)
            if request.document_id is not None:
                return await self._by_document_id(request, mode)
            if request.persisted is not None:
                return await self._by_hash(request, mode, allow_register)
            if request.query is not None:
                return await self._free_text(request, mode)
        except PersistedQueryError as exc:
            return exc
        return BadRequest(
            "The request has no query, documentId or persisted query hash."
        )

    def text_resolver(self, *, mode: Mode, allow_register: bool = True) -> TextResolver:
        """:meth:`resolve` in the shape of the gateway's document seam.

        The seam gets the server's parsed parameters and returns the text; a
        refusal is raised as the :class:`PersistedQueryError`, whose ``code`` and
        ``status`` the server turns into its response.
        """

        async def text(params: RequestParams) -> str:
            request = {
                "query": params.query,
                "documentId": params.document_id,
                "extensions": params.extensions,
                "operationName": params.operation_name,
            }
            result = await self.resolve(
                request, mode=mode, allow_register=allow_register
            )
            if isinstance(result, PersistedQueryError):
                raise result
            return result.text

        return text

    async def _by_document_id(self, request: _Request, mode: Mode) -> ResolvedDocument:
        value = str(request.document_id)
        if value.startswith("sha256:"):
            document = await self._find("sha256", value.removeprefix("sha256:"), mode)
        else:
            document = await self._find("id", value, mode)
        if document is None:
            raise DocumentNotFound(
                f"No persisted document has the id {value!r}; push the client's "
                "manifest or send the query text.",
                documentId=value,
            )
        return self._allowed(ResolvedDocument.stored(document), mode, request)

    async def _by_hash(
        self, request: _Request, mode: Mode, allow_register: bool
    ) -> ResolvedDocument:
        assert request.persisted is not None
        digest = request.persisted.sha256
        if request.query is not None:
            apq.verify(request.query, digest)
        document = await self._find("sha256", digest, mode)
        if document is not None:
            return self._allowed(ResolvedDocument.stored(document), mode, request)
        if mode is Mode.ENFORCE:
            raise NotAllowed(
                f"The operation with hash {digest} is not a trusted document, and "
                "this deployment registers none through automatic persisted "
                "queries; push the client's manifest.",
                sha256=digest,
            )
        if request.query is None:
            raise PersistedQueryNotFound()
        if not allow_register or (
            self.accepts is not None and not self.accepts(request.query)
        ):
            return self._allowed(_free(request.query, digest), mode, request)
        stored, added = await self.store.register(
            request.query, digest, name=_valid_name(request.operation_name)
        )
        resolved = ResolvedDocument.stored(stored, registered=added)
        return self._allowed(resolved, mode, request)

    async def _free_text(self, request: _Request, mode: Mode) -> ResolvedDocument:
        assert request.query is not None
        digest = apq.sha256_hex(request.query)
        if mode is not Mode.OFF:
            document = await self.store.by_hash(digest, trusted=True)
            if document is not None:
                return ResolvedDocument.stored(document)
        return self._allowed(_free(request.query, digest), mode, request)

    async def _find(self, kind: Key, key: str, mode: Mode) -> StoredDocument | None:
        lookup = self.store.by_id if kind == "id" else self.store.by_hash
        document = await lookup(key)
        if document is not None and not document.trusted and mode is not Mode.OFF:
            document = await lookup(key, trusted=True) or document
        return document

    def _allowed(
        self, resolved: ResolvedDocument, mode: Mode, request: _Request
    ) -> ResolvedDocument:
        if resolved.trusted or mode is Mode.OFF:
            return resolved
        name = _valid_name(request.operation_name) or resolved.name or "(anonymous)"
        if mode is Mode.ENFORCE:
            raise NotAllowed(
                f"The operation {name} (hash {resolved.sha256}) is not a trusted "
                "document, and this deployment runs only trusted documents.",
                sha256=resolved.sha256,
            )
        logger.warning(
            "Untrusted operation %s ran in audit mode, sha256 %s", name, resolved.sha256
        )
        return resolved


def _valid_name(name: str | None) -> str | None:
    """``name`` if it is a GraphQL name, fit for the store and the log."""
    return name if name is not None and _NAME.fullmatch(name) else None


def _free(query: str, digest: str) -> ResolvedDocument:
    return ResolvedDocument(
        text=query,
        sha256=digest,
        document_id=None,
        name=None,
        operation_type=None,
        trusted=False,
        registered=False,
        source=REQUEST_SOURCE,
    )


def _read(params: Mapping[str, Any]) -> _Request:
    query = _optional_string(params, "query")
    document_id = _optional_string(params, "documentId")
    operation_name = _optional_string(params, "operationName")
    persisted = apq.persisted_query(apq.read_extensions(params.get("extensions")))
    if document_id is not None:
        if query is not None or persisted is not None:
            raise BadRequest(
                "A request names its document once: send documentId without "
                "query or a persistedQuery extension."
            )
        if not valid_document_id(document_id):
            raise _bad_document_id(document_id)
    return _Request(query, document_id, persisted, operation_name)


def _optional_string(params: Mapping[str, Any], key: str) -> str | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequest(
            f"The {key} parameter must be a string, not {apq.shown(value)}.",
            parameter=key,
        )
    return value


def _bad_document_id(value: str) -> PersistedQueryError:
    if value.startswith("sha256:"):
        return InvalidHash(
            f"The documentId {apq.shown(value)} does not end in a SHA-256 hash of "
            "64 lowercase hexadecimal digits.",
            documentId=apq.shown(value),
        )
    return BadRequest(
        f"The documentId {apq.shown(value)} is not a document identifier: up to "
        f"{MAX_ID_LENGTH} letters, digits and '-._~', or 'sha256:<hex>'.",
        documentId=apq.shown(value),
    )
