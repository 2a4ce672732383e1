"""One authority's subgraph as its own HTTP service (Starlette + Strawberry).

``POST /graphql`` answers the subgraph's schema, ``_service`` and ``_entities``
included. Each request gets a fresh context built from a :class:`Viewer` by
:meth:`~subgraphs.kit.Subgraph.make_context`, exactly as the gateway builds it
in-process.

Where the viewer comes from: ``viewer_source(request)``, by default
:func:`viewer_from_state`, which reads ``request.state.viewer``: the place where
authentication middleware in front of the app leaves the viewer it verified
(:class:`auth.service_tokens.ServiceTokenMiddleware` does, from the gateway's
service token; ``citizen-graph subgraph`` puts it in front). Without such
middleware every request is anonymous and allowed nothing personal; there is no
header a client could set to choose a viewer.

The guarded fields a response returns go back to the gateway, for its access log,
in the response's ``extensions.accessed`` (:mod:`auth.recording`).
"""

import gc
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from auth.access_log import SeenFields
from auth.recording import EXTENSION, recording
from auth.viewer import ANONYMOUS, Viewer
from subgraphs.kit import Database, Subgraph, SubgraphContext

ViewerSource = Callable[[Request | WebSocket], Viewer]


def viewer_from_state(request: Request | WebSocket) -> Viewer:
    """The viewer that authentication left in ``request.state``; anonymous if none."""
    viewer = getattr(request.state, "viewer", None)
    return viewer if isinstance(viewer, Viewer) else ANONYMOUS


class SubgraphGraphQL(GraphQL[SubgraphContext, None]):
    """Strawberry's ASGI app with a per-request subgraph context."""

    def __init__(
        self, subgraph: Subgraph, database: Database, viewer_source: ViewerSource
    ) -> None:
        super().__init__(subgraph.schema, graphql_ide=None, allow_queries_via_get=False)
        self.subgraph = subgraph
        self.database = database
        self.viewer_source = viewer_source

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> SubgraphContext:
        """A fresh context for this request only, with its own loaders."""
        return self.subgraph.make_context(self.viewer_source(request), self.database)

    async def execute_operation(
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Any:
        """Execute while recording which guarded fields were returned."""
        seen = SeenFields()
        request.state.access_seen = seen
        with recording(seen):
            return await super().execute_operation(request, *args, **kwargs)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """The response, with what was seen for the gateway's access log.

        An error without a stable code (an exception in a resolver or the
        database) is answered as the gateway answers it in-process: a sentence
        that names the authority, never the exception's message, which may hold
        an internal name or personal data.
        """
        if result.errors:
            result.errors = [
                masked(error, self.subgraph.name) for error in result.errors
            ]
        response = await super().process_result(request, result)
        seen: SeenFields | None = getattr(request.state, "access_seen", None)
        if seen is not None and seen.by_person:
            pairs = [
                [person, coordinate]
                for person, coordinates in sorted(seen.by_person.items())
                for coordinate in sorted(coordinates)
            ]
            extensions = dict(response.get("extensions") or {})
            extensions[EXTENSION] = pairs
            response["extensions"] = extensions
        return response


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Leave what start-up made out of the garbage collector's passes while serving.

    For a server, once it is ready. Schemas, the supergraph and plans live as long
    as the process; left to the collector, its full passes walked them all again
    every few hundred requests (about a fifth of a millisecond per dashboard).
    Reference counting still frees whatever of them is let go.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def masked(error: GraphQLError, subgraph: str) -> GraphQLError:
    """``error``, or for an unexpected exception a stand-in that tells nothing of it."""
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return error
    return GraphQLError(
        f"The subgraph {subgraph} failed to resolve this field.",
        nodes=error.nodes,
        path=error.path,
        extensions={"code": "SUBGRAPH_ERROR"},
    )


def create_app(
    subgraph: Subgraph,
    database: Database,
    viewer_source: ViewerSource = viewer_from_state,
    middleware: Sequence[Middleware] = (),
) -> Starlette:
    """The HTTP service of ``subgraph`` over ``database``; closes it on shutdown."""
    graphql = SubgraphGraphQL(subgraph, database, viewer_source)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "subgraph": subgraph.name})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            with frozen_heap():
                yield
        finally:
            await database.close()

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ],
        middleware=list(middleware),
        lifespan=lifespan,
    )
