"""Transports: how a fetch reaches a subgraph.

:class:`InProcessTransport` executes the pre-parsed fetch document with
graphql-core on the subgraph's own schema, passing Python objects both ways.
:class:`HttpTransport` posts ``{query, variables}`` as JSON to the subgraph's URL
(GraphQL over HTTP) through the connection pool of an :class:`HttpClient`.
:class:`SchemaTransport` answers introspection from a schema.

Errors::

    TransportError             SUBGRAPH_ERROR: base, carries a stable ``code``
    ├── SubgraphTimeout        SUBGRAPH_TIMEOUT: no answer in time
    ├── SubgraphUnavailable    SUBGRAPH_UNAVAILABLE: no connection, or an HTTP error
    └── SubgraphBadResponse    SUBGRAPH_BAD_RESPONSE: not a GraphQL response
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
import orjson
from graphql import DocumentNode, ExecutionResult, GraphQLError, GraphQLSchema, execute

from auth.recording import EXTENSION, record
from auth.viewer import Viewer
from subgraphs.kit import Database, Subgraph

logger = logging.getLogger(__name__)


class TransportError(Exception):
    """A fetch that produced no GraphQL response; ``code`` is stable."""

    code = "SUBGRAPH_ERROR"

    def __init__(self, subgraph: str, message: str) -> None:
        self.subgraph = subgraph
        super().__init__(message)


class SubgraphTimeout(TransportError):
    """The subgraph did not answer within its timeout."""

    code = "SUBGRAPH_TIMEOUT"


class SubgraphUnavailable(TransportError):
    """The subgraph could not be reached or answered with an HTTP error."""

    code = "SUBGRAPH_UNAVAILABLE"


class SubgraphBadResponse(TransportError):
    """The subgraph's answer is not a GraphQL response (malformed JSON, say)."""

    code = "SUBGRAPH_BAD_RESPONSE"


@dataclass(frozen=True)
class FetchRequest:
    """One fetch as a transport sees it.

    Attributes:
        subgraph: the subgraph's name.
        document: the parsed fetch document (validated when the plan was built).
        text: the same document as text.
        variables: the variable values, representations included.
        viewer: the signed-in citizen the fetch is made for.
        operation_name: the fetch operation's name, if it has one.
    """

    subgraph: str
    document: DocumentNode
    text: str
    variables: Mapping[str, Any]
    viewer: Viewer
    operation_name: str | None = None


@dataclass
class FetchResult:
    """A subgraph's answer: ``data`` as Python objects and spec-shaped errors."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]] = field(default_factory=list)


class Transport(Protocol):
    """Something that runs fetches against one subgraph."""

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Run one fetch; raise :class:`TransportError` when there is no answer."""
        ...


def _error_dict(error: GraphQLError, subgraph: str) -> dict[str, Any]:
    original = error.original_error
    if original is not None and not isinstance(original, GraphQLError):
        # The exception's message may hold personal data: log its type and place.
        where = ".".join(str(p) for p in error.path or ())
        name = type(original).__name__
        logger.warning("Subgraph %s raised %s at %s", subgraph, name, where)
        return {
            "message": f"The subgraph {subgraph} failed to resolve this field.",
            "path": list(error.path) if error.path else None,
            "extensions": {"code": "SUBGRAPH_ERROR"},
        }
    formatted: dict[str, Any] = dict(error.formatted)
    return formatted


def _own_copy(variables: Mapping[str, Any]) -> dict[str, Any]:
    """Variables the subgraph may change: Strawberry pops ``__typename`` from each
    representation, and the executor's own representations must stay intact."""
    return {
        name: [dict(v) if isinstance(v, dict) else v for v in value]
        if isinstance(value, list)
        else value
        for name, value in variables.items()
    }


async def _execute_on(
    schema: GraphQLSchema, request: FetchRequest, context: Any
) -> FetchResult:
    outcome = execute(
        schema,
        request.document,
        variable_values=_own_copy(request.variables),
        context_value=context,
        operation_name=request.operation_name,
    )
    result: ExecutionResult = (
        await outcome if not isinstance(outcome, ExecutionResult) else outcome
    )
    errors = [_error_dict(e, request.subgraph) for e in result.errors or ()]
    return FetchResult(data=result.data, errors=errors)


class InProcessTransport:
    """Runs fetches on a subgraph in this process: no HTTP, no JSON text."""

    def __init__(self, subgraph: Subgraph, database: Database) -> None:
        self.subgraph = subgraph
        self.database = database
        self.schema: GraphQLSchema = subgraph.schema._schema

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Execute the fetch with a fresh per-request context of the subgraph."""
        context = self.subgraph.make_context(request.viewer, self.database)
        return await _execute_on(self.schema, request, context)


class SchemaTransport:
    """Executes fetches on a plain graphql-core schema (introspection, say)."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Execute the fetch on the schema with no context."""
        return await _execute_on(self.schema, request, None)


class HttpClient:
    """The gateway's connections to its HTTP subgraphs: one pool, kept alive.

    The pool opens on first use, inside the running event loop, and is shared by
    every :class:`HttpTransport` made with this client. Fetches are the hot path
    of a gateway over HTTP subgraphs, so they go through aiohttp, whose client
    costs a fraction of the CPU per request of the general-purpose one the
    gateway uses for discovery and keys.

    Args:
        timeout: seconds a request may take in all (the executor's per-subgraph
            timeout usually ends it first).
        connections: connections open at most, over all subgraphs.
    """

    def __init__(self, timeout: float = 10.0, connections: int = 100) -> None:
        self.timeout = timeout
        self.connections = connections
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        """The pool, opened in the running event loop on first use."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connections),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                raise_for_status=False,
            )
        return self._session

    async def close(self) -> None:
        """Close every connection of the pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None


class HttpTransport:
    """Posts fetches to a subgraph's URL as GraphQL over HTTP with JSON."""

    def __init__(
        self,
        url: str,
        client: HttpClient,
        headers_for: Callable[[Viewer], Mapping[str, str]] | None = None,
        *,
        name: str | None = None,
    ) -> None:
        self.url = url
        self.client = client
        self.headers_for = headers_for
        self.name = name or url

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Post the fetch and read the GraphQL response."""
        body: dict[str, Any] = {
            "query": request.text,
            "variables": dict(request.variables),
        }
        if request.operation_name:
            body["operationName"] = request.operation_name
        headers = {
            "content-type": "application/json",
            "accept": "application/graphql-response+json, application/json",
        }
        if self.headers_for is not None:
            headers.update(self.headers_for(request.viewer))
        try:
            async with self.client.session().post(
                self.url, data=orjson.dumps(body), headers=headers
            ) as response:
                status, content = response.status, await response.read()
        except TimeoutError as exc:
            raise SubgraphTimeout(
                request.subgraph, f"The subgraph {request.subgraph} timed out."
            ) from exc
        except (aiohttp.ClientError, ValueError) as exc:
            raise SubgraphUnavailable(
                request.subgraph,
                f"The subgraph {request.subgraph} could not be reached.",
            ) from exc
        logger.debug("Fetched from subgraph %s: HTTP %s", request.subgraph, status)
        return _read_response(request.subgraph, status, content)


def _read_response(subgraph: str, status: int, content: bytes) -> FetchResult:
    try:
        payload = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        if status >= 400:
            raise SubgraphUnavailable(
                subgraph, f"The subgraph {subgraph} answered with HTTP {status}."
            ) from exc
        raise SubgraphBadResponse(
            subgraph, f"The subgraph {subgraph} answered with malformed JSON."
        ) from exc
    if not isinstance(payload, dict) or not ("data" in payload or "errors" in payload):
        raise SubgraphBadResponse(
            subgraph, f"The subgraph {subgraph} answered with no GraphQL response."
        )
    data, errors = payload.get("data"), payload.get("errors") or []
    if (data is not None and not isinstance(data, dict)) or not isinstance(
        errors, list
    ):
        raise SubgraphBadResponse(
            subgraph, f"The subgraph {subgraph} answered with a malformed response."
        )
    _record_accessed(payload.get("extensions"))
    return FetchResult(
        data=data,
        errors=[e if isinstance(e, dict) else {"message": str(e)} for e in errors],
    )


def _record_accessed(extensions: object) -> None:
    """Pass what an HTTP subgraph reports it returned on to the access log."""
    pairs = extensions.get(EXTENSION) if isinstance(extensions, dict) else None
    for pair in pairs if isinstance(pairs, list) else ():
        if (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(part, str) for part in pair)
        ):
            record(pair[0], pair[1])
