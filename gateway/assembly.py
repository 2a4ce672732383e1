"""The gateway application, assembled from every part of the system.

:func:`build_app` is what ``citizen-graph serve`` runs and what end-to-end tests
start: the graph (the citizen graph in process, or any supergraph over HTTP),
identity (the configured issuer; in dev mode also the development issuer and its
sign-in routes), persisted queries and trusted documents (with the portal's own
operations pushed as trusted at start-up), the relations and access log of the
citizen graph, and the My Page portal.
"""

import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from graphql import GraphQLSchema
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from auth import dev_issuer
from auth.service_tokens import ServiceTokens
from auth.tokens import IdentitySettings, TokenVerifier, TrustedIssuers
from gateway import portal
from gateway.app import create_app
from gateway.composition import (
    CitizenGraph,
    CompositionError,
    HttpGraph,
    persisted_documents,
)
from gateway.documents import DocumentCache
from gateway.limits import Limits
from gateway.seams import Executor
from gateway.settings import Settings
from persisted_queries.manifest import load_manifest
from persisted_queries.resolver import DocumentResolver, Mode
from persisted_queries.store import DEFAULT_APQ_LIMIT, DocumentStore
from subgraphs.population import PERSONAS

logger = logging.getLogger(__name__)

MODE_VARIABLE = "CITIZEN_GRAPH_PERSISTED_QUERIES"
"""``off``, ``audit`` or ``enforce``; production enforces when unset."""


APQ_LIMIT_VARIABLE = "CITIZEN_GRAPH_APQ_LIMIT"
"""How many automatic persisted queries the store keeps (default 10000)."""


def _apq_limit(value: str | None) -> int:
    if value is None or not value.strip():
        return DEFAULT_APQ_LIMIT
    try:
        limit = int(value)
    except ValueError:
        limit = -1
    if limit < 0:
        raise ValueError(
            f"{APQ_LIMIT_VARIABLE} must be a whole number of 0 or more, not {value!r}."
        )
    return limit


@dataclass(frozen=True)
class Options:
    """How to serve: the mode and, optionally, a supergraph over HTTP."""

    dev: bool = False
    supergraph: Path | None = None


def build_app(settings: Settings, options: Options) -> Starlette:
    """The gateway's ASGI application, every part wired.

    Raises:
        CompositionError: the graph cannot be built, or production mode has no
            trusted issuer configured.
    """
    limits = Limits.from_env()
    client = httpx.AsyncClient(timeout=5.0)
    graph = _graph(settings, options.supergraph)
    graph.prepare()
    identity = IdentitySettings.from_env()
    verifiers: list[TokenVerifier] = []
    routes: list[BaseRoute] = portal.routes()
    if options.dev:
        issuer = dev_issuer.DevIssuer.load_or_create(settings.data_dir)
        verifiers.append(issuer.verifier())
        routes += dev_issuer.routes(issuer, PERSONAS)
    if identity.issuer is not None:
        verifiers.append(TokenVerifier.from_settings(identity, client))
    if not verifiers:
        raise CompositionError(
            "Production mode needs a trusted issuer: set CITIZEN_GRAPH_OIDC_ISSUER."
        )
    store = DocumentStore.open(
        settings.database_url("gateway"),
        redis_url=settings.redis_url,
        apq_limit=_apq_limit(os.environ.get(APQ_LIMIT_VARIABLE)),
        apq_max_bytes=limits.max_document_bytes,
    )
    mode = Mode.from_setting(os.environ.get(MODE_VARIABLE), production=not options.dev)

    @asynccontextmanager
    async def lifespan(settings: Settings) -> AsyncIterator[Executor]:
        try:
            async with graph.executor(settings) as executor:
                await store.create()
                await store.push(load_manifest(portal.MANIFEST), client=portal.CLIENT)
                yield executor
        finally:
            # Also when start-up fails: no connection may outlive the event loop.
            await store.close()
            await client.aclose()

    return create_app(
        settings,
        lifespan,
        dev=options.dev,
        limits=limits,
        authenticate=TrustedIssuers(*verifiers, anonymous=True).authenticate,
        resolve_document=persisted_documents(
            DocumentResolver(
                store, accepts=_runnable(graph.api_schema, limits, options)
            ),
            mode,
        ),
        readiness=graph.readiness,
        routes=routes,
    )


def _runnable(
    schema: GraphQLSchema, limits: Limits, options: Options
) -> Callable[[str], bool]:
    """Whether a text is a document this server could run, for the registration of
    automatic persisted queries (the store keeps no text that cannot run)."""
    documents = DocumentCache(schema, limits, dev=options.dev)

    def runnable(text: str) -> bool:
        return documents.prepare(text).error is None

    return runnable


def _graph(settings: Settings, supergraph: Path | None) -> CitizenGraph | HttpGraph:
    if supergraph is None:
        return CitizenGraph(settings)
    try:
        sdl = supergraph.read_text("utf-8")
    except OSError as exc:
        raise CompositionError(
            f"The supergraph file {str(supergraph)!r} cannot be read: {exc.strerror}."
        ) from exc
    tokens = ServiceTokens.from_env(settings.data_dir)
    return HttpGraph(sdl, service_tokens=tokens, settings=settings)
