"""What the server needs from the rest of the system, as types it can check.

The server is assembled by the composition root (:mod:`gateway.composition`) from
these pieces; each has a default that a test or a small deployment can live with.

- :class:`Executor`: the federated executor (``resolvers.executor``), or anything
  that honours the same contract: ``api_schema`` and ``execute``.
- :data:`ExecutorFactory`: opens an executor for the life of the server and
  closes what it holds (database engines, HTTP clients) at shutdown.
- :data:`Authenticate`: turns a request into a :class:`~auth.viewer.Viewer`, or
  raises :class:`auth.errors.Unauthenticated` (401 with ``WWW-Authenticate``,
  taken from the exception's ``challenge`` attribute when it has one) or any
  :class:`gateway.errors.GatewayError`.
- :data:`DocumentResolver`: turns a request's parameters into the document text:
  persisted queries and trusted documents. It raises an exception with a string
  ``code`` attribute (and optionally an HTTP ``status`` and ``headers``) to
  refuse; without ``status`` the refusal is a GraphQL request error (200 under
  ``application/json``, 400 under ``application/graphql-response+json``).
- :data:`ReadinessCheck`: names each dependency (a database, Redis) with whether
  it answers right now.
- :class:`DevSignIn`: the development issuer's personas and their tokens.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from graphql import DocumentNode, GraphQLSchema
from starlette.requests import Request

from auth.viewer import Viewer
from gateway.errors import RequestError
from gateway.http import GraphQLParams
from gateway.settings import Settings


class ExecutionResponse(Protocol):
    """What :meth:`Executor.execute` returns (``resolvers.executor.Response``)."""

    @property
    def data(self) -> dict[str, Any] | None: ...

    @property
    def errors(self) -> list[dict[str, Any]]: ...

    @property
    def extensions(self) -> dict[str, Any]: ...


class Executor(Protocol):
    """The executor contract (``resolvers.executor.FederatedExecutor``).

    ``execute`` receives a document that the server has parsed, validated against
    ``api_schema`` and checked against its limits, with raw variables that the
    server has checked to coerce.
    """

    @property
    def api_schema(self) -> GraphQLSchema: ...

    async def execute(
        self,
        document: DocumentNode,
        *,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        viewer: Viewer,
        document_hash: str,
        include_plan: bool = False,
    ) -> ExecutionResponse: ...


ExecutorFactory = Callable[[Settings], AbstractAsyncContextManager[Executor]]
"""Opens the executor when the server starts and closes it when it stops."""

Authenticate = Callable[[Request], Awaitable[Viewer]]
"""The identity of a request's caller; raises to refuse the request."""

DocumentResolver = Callable[[GraphQLParams], Awaitable[str]]
"""The document text a request names, by its text, APQ hash or document id."""

ReadinessCheck = Callable[[], Awaitable[Mapping[str, bool]]]
"""Whether each dependency of the server answers, by name."""


class DevSignIn(Protocol):
    """The development issuer, on only in dev mode."""

    def personas(self) -> Sequence[str]:
        """The names of the personas a developer can sign in as."""
        ...

    async def token(self, persona: str) -> str:
        """A signed bearer token for ``persona``; LookupError for an unknown one."""
        ...


async def resolve_plain(params: GraphQLParams) -> str:
    """The default :data:`DocumentResolver`: the request's own ``query`` text.

    Raises:
        gateway.errors.RequestError: when the request names a persisted query,
            which this server does not keep.
    """
    if params.query is None:
        raise RequestError(
            "This server keeps no persisted queries; send the document in 'query'.",
            code="PERSISTED_QUERY_NOT_SUPPORTED",
        )
    return params.query
