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

The citizen graph's executor refuses early what an authority is certain to deny
(:func:`citizen_gate`): which policy names the gateway can decide, which entity
keys name the person, and which authorities check references themselves are
configuration of the citizen graph, here.
"""

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from graphql import GraphQLSchema, parse
from sqlalchemy import text

from auth.access_log import AccessLog
from auth.gate import ATOMS, PolicyGate, owner_atom
from auth.policy import attorney
from auth.service_tokens import ServiceTokens
from auth.viewer import Relations, Viewer
from gateway.http import GraphQLParams
from gateway.metrics import MeteredTransport
from gateway.pipeline import CitizenExecutor, RelationsSource
from gateway.seams import DocumentResolver, Executor
from gateway.settings import Settings
from resolvers.executor import FederatedExecutor, Gate
from resolvers.transports import (
    FetchRequest,
    HttpClient,
    HttpTransport,
    InProcessTransport,
)
from schema.compose import SubgraphSdl, compose
from schema.supergraph import Supergraph, SupergraphError, load_supergraph
from subgraphs.cpr.policies import CUSTODY_OF_MINOR
from subgraphs.cpr.relations import (
    VIEWER_RELATIONS_QUERY,
    BadRelations,
    load_relations,
    relations_from_result,
)
from subgraphs.kit import Database
from subgraphs.registry import AUTHORITIES, load_graph

logger = logging.getLogger(__name__)

HEALTH_QUERY = "SELECT 1"

CITIZEN_ATOMS = {
    **ATOMS,
    CUSTODY_OF_MINOR.name: owner_atom(CUSTODY_OF_MINOR),
    **{rule.name: owner_atom(rule) for rule in map(attorney, AUTHORITIES)},
}
"""Policy names the gateway decides; ``no-address-protection`` needs the register."""

CITIZEN_OWNERS = {"Person": "personId", "Child": "personId", "Spouse": "personId"}
"""Entity type -> the key field whose value is the person the data is about."""

CHECKED_REFERENCES = ("cpr", "property")
"""Authorities whose entities answer NOT_FOUND to a viewer who may not see them."""


class CompositionError(Exception):
    """A piece of the graph is missing or does not fit; ``code`` is stable."""

    code = "COMPOSITION_FAILED"


def citizen_gate(supergraph: Supergraph) -> Gate:
    """The early refusal of the citizen graph, from its supergraph's ``@policy``."""
    return PolicyGate(
        supergraph,
        CITIZEN_ATOMS,
        owners=CITIZEN_OWNERS,
        checked_references=CHECKED_REFERENCES,
    )


def build_executor(
    supergraph_sdl: str,
    transports: Mapping[str, Any],
    *,
    timeouts: Mapping[str, float] | None = None,
    gate: Callable[[Supergraph], Gate] | None = None,
) -> Executor:
    """The federated executor of ``supergraph_sdl`` over ``transports``.

    ``gate`` makes the executor's early refusal from the loaded supergraph; None
    leaves every decision to the subgraphs.

    Raises:
        CompositionError: the planner is missing, the supergraph does not load,
            or a subgraph of the supergraph has no transport.
    """
    supergraph = _load(supergraph_sdl)
    missing = sorted(set(supergraph.subgraphs) - set(transports))
    if missing:
        raise CompositionError(
            f"There is no transport for the subgraphs {', '.join(missing)}."
        )
    return FederatedExecutor(
        supergraph,
        {name: MeteredTransport(t, name) for name, t in transports.items()},
        timeouts=timeouts,
        gate=gate(supergraph) if gate is not None else None,
    )


def _load(sdl: str) -> Supergraph:
    try:
        return load_supergraph(sdl)
    except SupergraphError as exc:
        raise CompositionError(f"The supergraph does not load: {exc}") from exc


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


class _Graph:
    """What every graph the gateway serves offers: :meth:`prepare` builds its
    executor, and :attr:`api_schema` is the executor's public schema."""

    _executor: Executor | None = None

    def prepare(self) -> None:
        """Build the executor; nothing connects yet."""
        raise NotImplementedError

    @property
    def api_schema(self) -> GraphQLSchema:
        """The public schema of the prepared graph."""
        if self._executor is None:
            self.prepare()
        assert self._executor is not None
        return self._executor.api_schema


class CitizenGraph(_Graph):
    """The four authorities of the citizen graph, in this process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.databases: dict[str, Database] = {}
        self.access_log: AccessLog | None = None
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
        result = compose([SubgraphSdl(s.name, None, s.sdl) for s in subgraphs])
        if result.supergraph is None:
            problems = " ".join(str(error) for error in result.errors)
            raise CompositionError(f"The subgraphs do not compose: {problems}")
        return subgraphs, result.supergraph

    def prepare(self) -> None:
        """Compose the graph and build its executor; nothing connects yet."""
        subgraphs, sdl = self.compose()
        self.databases = {
            s.name: Database.open(self.settings.database_url(s.database_name))
            for s in subgraphs
        }
        transports = {
            s.name: InProcessTransport(s, self.databases[s.name]) for s in subgraphs
        }
        register = self.databases["cpr"]
        self.access_log = AccessLog(self.databases["accesslog"].engine)

        async def relations(viewer: Viewer) -> Relations:
            assert viewer.person_id is not None
            return await load_relations(register, viewer.person_id, today=viewer.today)

        self._executor = CitizenExecutor(
            build_executor(sdl, transports, gate=citizen_gate),
            relations,
            self.access_log,
        )

    @asynccontextmanager
    async def executor(self, settings: Settings) -> AsyncIterator[Executor]:
        """The executor for the life of the server; closes the databases after."""
        if self._executor is None:
            self.prepare()
        assert self._executor is not None
        try:
            if self.access_log is not None:
                await self.access_log.create()
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


class HttpGraph(_Graph):
    """Any join-spec supergraph whose subgraphs are HTTP services.

    When the supergraph is the citizen graph (it has the civil register), the
    gateway reads the viewer's relations from the register and writes the access
    log, exactly as in process.

    Args:
        supergraph_sdl: the supergraph; each subgraph needs a URL in it.
        service_tokens: mints the token that carries the viewer to each subgraph;
            None sends no token (subgraphs that are not ours).
        settings: where the gateway's own database is, for the access log.
        timeout: seconds per subgraph request.
    """

    def __init__(
        self,
        supergraph_sdl: str,
        *,
        service_tokens: ServiceTokens | None = None,
        settings: Settings | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.sdl = supergraph_sdl
        self.service_tokens = service_tokens
        self.settings = settings
        self.client = HttpClient(timeout=timeout)
        self.log_database: Database | None = None
        self.access_log: AccessLog | None = None
        self._executor: Executor | None = None

    def prepare(self) -> None:
        """Load the supergraph and build its executor; nothing connects yet."""
        supergraph = _load(self.sdl)
        unreachable = sorted(
            name for name, info in supergraph.subgraphs.items() if not info.url
        )
        if unreachable:
            raise CompositionError(
                "The supergraph names no URL for the subgraphs "
                f"{', '.join(unreachable)}."
            )
        transports = {
            name: HttpTransport(
                str(info.url), self.client, self._headers(name), name=name
            )
            for name, info in supergraph.subgraphs.items()
        }
        citizen = "cpr" in transports
        relations = _http_relations(transports["cpr"]) if citizen else None
        if citizen and self.settings is not None:
            self.log_database = Database.open(self.settings.database_url("gateway"))
            self.access_log = AccessLog(self.log_database.engine)
        ours = citizen and self.service_tokens is not None
        gate = citizen_gate if ours else None
        self._executor = CitizenExecutor(
            build_executor(self.sdl, transports, gate=gate),
            relations,
            self.access_log,
        )

    def _headers(self, subgraph: str) -> Callable[[Viewer], Mapping[str, str]] | None:
        tokens = self.service_tokens
        if tokens is None:
            return None

        def headers(viewer: Viewer) -> Mapping[str, str]:
            return {"authorization": f"Bearer {tokens.mint(viewer, subgraph)}"}

        return headers

    @asynccontextmanager
    async def executor(self, settings: Settings) -> AsyncIterator[Executor]:
        """The executor for the life of the server; closes the HTTP client after."""
        if self._executor is None:
            self.prepare()
        assert self._executor is not None
        try:
            if self.access_log is not None:
                await self.access_log.create()
            yield self._executor
        finally:
            await self.client.close()
            if self.log_database is not None:
                await self.log_database.close()

    async def readiness(self) -> dict[str, bool]:
        """The gateway's own database; each subgraph service has its own probe."""
        if self.log_database is None:
            return {}
        return {"gateway": await _answers(self.log_database)}


def _http_relations(register: HttpTransport) -> RelationsSource:
    document = parse(VIEWER_RELATIONS_QUERY)

    async def relations(viewer: Viewer) -> Relations:
        request = FetchRequest(
            subgraph="cpr",
            document=document,
            text=VIEWER_RELATIONS_QUERY,
            variables={},
            viewer=viewer,
        )
        result = await register.fetch(request)
        if result.errors:
            raise BadRelations("The civil register did not answer the relations.")
        return relations_from_result(result.data)

    return relations
