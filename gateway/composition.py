"""The composition root: the executor built from a supergraph and its transports.

Two graphs can be served:

- :class:`CitizenGraph`: the four authorities in this process, composed by our own
  composer, each subgraph over its own database, reached without HTTP;
- :class:`HttpGraph`: any join-spec supergraph whose subgraphs are HTTP services
  at the URLs the supergraph names.

Each builds its executor in :meth:`prepare`, before the server starts, so that a
missing piece or a supergraph that does not load is reported as a sentence and
the command exits; the server then opens it through :meth:`executor` (an
:data:`~gateway.seams.ExecutorFactory`) and asks :meth:`readiness` for
``/readyz``. The planner, composer and transports are found by module name, so
that this module names what is missing instead of failing on import.
"""

import importlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import text
from starlette.requests import Request

from auth.viewer import ANONYMOUS, Viewer
from gateway.http import GraphQLParams
from gateway.seams import Authenticate, DocumentResolver, Executor
from gateway.settings import Settings
from subgraphs.kit import Database
from subgraphs.registry import load_graph

logger = logging.getLogger(__name__)

HEALTH_QUERY = "SELECT 1"


class CompositionError(Exception):
    """A piece of the graph is missing or does not fit; ``code`` is stable."""

    code = "COMPOSITION_FAILED"


def _require(module: str, name: str, what: str) -> Any:
    """``module.name``, or a :class:`CompositionError` naming ``what`` is missing."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise CompositionError(
            f"{what} ({module}.{name}) is not part of this installation."
        ) from exc


def build_executor(
    supergraph_sdl: str,
    transports: Mapping[str, Any],
    *,
    timeouts: Mapping[str, float] | None = None,
) -> Executor:
    """The federated executor of ``supergraph_sdl`` over ``transports``.

    Raises:
        CompositionError: the planner is missing, the supergraph does not load,
            or a subgraph of the supergraph has no transport.
    """
    load_supergraph = _require(
        "schema.supergraph", "load_supergraph", "The supergraph loader"
    )
    executor_class = _require(
        "resolvers.executor", "FederatedExecutor", "The federated executor"
    )
    try:
        supergraph = load_supergraph(supergraph_sdl)
    except Exception as exc:
        if not isinstance(getattr(exc, "code", None), str):
            raise
        raise CompositionError(f"The supergraph does not load: {exc}") from exc
    missing = sorted(set(supergraph.subgraphs) - set(transports))
    if missing:
        raise CompositionError(
            f"There is no transport for the subgraphs {', '.join(missing)}."
        )
    executor: Executor = executor_class(supergraph, transports, timeouts=timeouts)
    return executor


def anonymous_without_token(authenticate: Authenticate) -> Authenticate:
    """``authenticate`` for requests that carry an Authorization header; the
    anonymous viewer for those that carry none (introspection, public fields).

    A header that is present but refused is still refused with 401.
    """

    async def identify(request: Request) -> Viewer:
        if "authorization" not in request.headers:
            return ANONYMOUS
        return await authenticate(request)

    return identify


def persisted_documents(resolver: Any, mode: Any) -> DocumentResolver:
    """The :data:`~gateway.seams.DocumentResolver` over the persisted-query
    resolver (``persisted_queries.resolver.DocumentResolver``) in ``mode``.

    The resolver answers a refusal by returning its error; the seam raises it,
    and the server answers it with the error's ``http_status``.
    """

    async def resolve(params: GraphQLParams) -> str:
        request = {
            "query": params.query,
            "documentId": params.document_id,
            "operationName": params.operation_name,
            "extensions": dict(params.extensions),
        }
        given = {name: value for name, value in request.items() if value is not None}
        resolved = await resolver.resolve(given, mode=mode)
        if isinstance(resolved, Exception):
            raise resolved
        text: str = resolved.text
        return text

    return resolve


class CitizenGraph:
    """The four authorities of the citizen graph, in this process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.databases: dict[str, Database] = {}
        self._executor: Executor | None = None

    def compose(self) -> tuple[list[Any], str]:
        """The subgraphs and the supergraph SDL our composer makes of them.

        Raises:
            CompositionError: an authority or the composer is missing, or the
                subgraphs do not compose.
        """
        try:
            subgraphs = load_graph()
        except ImportError as exc:
            raise CompositionError(
                f"An authority's subgraph is not part of this installation: {exc}."
            ) from exc
        compose = _require("schema.compose", "compose", "The composer")
        subgraph_sdl = _require("schema.compose", "SubgraphSdl", "The composer")
        result = compose([subgraph_sdl(s.name, None, s.sdl) for s in subgraphs])
        if result.supergraph is None:
            problems = " ".join(str(error) for error in result.errors)
            raise CompositionError(f"The subgraphs do not compose: {problems}")
        return subgraphs, result.supergraph

    def prepare(self) -> None:
        """Compose the graph and build its executor; nothing connects yet."""
        subgraphs, sdl = self.compose()
        transport_class = _require(
            "resolvers.transports", "InProcessTransport", "The in-process transport"
        )
        self.databases = {
            s.name: Database.open(self.settings.database_url(s.database_name))
            for s in subgraphs
        }
        transports = {
            s.name: transport_class(s, self.databases[s.name]) for s in subgraphs
        }
        self._executor = build_executor(sdl, transports)

    @asynccontextmanager
    async def executor(self, settings: Settings) -> AsyncIterator[Executor]:
        """The executor for the life of the server; closes the databases after."""
        if self._executor is None:
            self.prepare()
        assert self._executor is not None
        try:
            yield self._executor
        finally:
            for database in self.databases.values():
                await database.close()

    async def readiness(self) -> dict[str, bool]:
        """Whether each authority's database answers a trivial query."""
        return {
            name: await _answers(database) for name, database in self.databases.items()
        }


async def _answers(database: Database) -> bool:
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text(HEALTH_QUERY))
    except Exception as exc:
        logger.warning("A database did not answer: %s.", type(exc).__name__)
        return False
    return True


class HttpGraph:
    """Any join-spec supergraph whose subgraphs are HTTP services.

    Args:
        supergraph_sdl: the supergraph; each subgraph needs a URL in it.
        headers_for: the headers that carry the viewer to a subgraph (the
            service token, from ``auth/``); none by default.
        timeout: seconds per subgraph request.
    """

    def __init__(
        self,
        supergraph_sdl: str,
        *,
        headers_for: Callable[[Viewer], Mapping[str, str]] | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.sdl = supergraph_sdl
        self.headers_for = headers_for
        self.client = httpx.AsyncClient(timeout=timeout)
        self._executor: Executor | None = None

    def prepare(self) -> None:
        """Load the supergraph and build its executor; nothing connects yet."""
        load_supergraph = _require(
            "schema.supergraph", "load_supergraph", "The supergraph loader"
        )
        transport_class = _require(
            "resolvers.transports", "HttpTransport", "The HTTP transport"
        )
        try:
            supergraph = load_supergraph(self.sdl)
        except Exception as exc:
            if not isinstance(getattr(exc, "code", None), str):
                raise
            raise CompositionError(f"The supergraph does not load: {exc}") from exc
        unreachable = sorted(
            name for name, info in supergraph.subgraphs.items() if not info.url
        )
        if unreachable:
            raise CompositionError(
                "The supergraph names no URL for the subgraphs "
                f"{', '.join(unreachable)}."
            )
        transports = {
            name: transport_class(info.url, self.client, self.headers_for, name=name)
            for name, info in supergraph.subgraphs.items()
        }
        self._executor = build_executor(self.sdl, transports)

    @asynccontextmanager
    async def executor(self, settings: Settings) -> AsyncIterator[Executor]:
        """The executor for the life of the server; closes the HTTP client after."""
        if self._executor is None:
            self.prepare()
        assert self._executor is not None
        try:
            yield self._executor
        finally:
            await self.client.aclose()

    async def readiness(self) -> dict[str, bool]:
        """Nothing of its own to check: each subgraph service has its own probe."""
        return {}
