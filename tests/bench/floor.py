"""The in-process floor: a query plan's fetches run directly on subgraph schemas.

:func:`floor_app` builds an ASGI application that answers every ``POST /graphql``
by executing a fixed list of fetches, one after another, with graphql-core on the
subgraphs' schemas (documents parsed and validated once, at start-up), and returns
their results side by side. No planning, no merging, no shaping: what is left is
the HTTP hop, the subgraphs' own work and the JSON of the answer, the lower bound
for a gateway that runs its subgraphs in process.

``standin_floor`` is the floor of the stand-in dashboard; a floor for the citizen
graph is built the same way from the authorities' schemas and contexts.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from inspect import isawaitable
from typing import Any

import graphql
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from subgraphs.service import frozen_heap
from tests.bench.standin import FLOOR_FETCHES
from tests.peers.standin import SCHEMAS

ContextFactory = Callable[[Request], Any]


class FloorError(RuntimeError):
    """A fetch of a floor is not valid against its schema."""

    code = "FLOOR_INVALID"


@dataclass(frozen=True)
class Fetch:
    """One fetch of a plan: a schema, a document valid against it, variables."""

    schema: graphql.GraphQLSchema
    document: graphql.DocumentNode
    variables: Mapping[str, Any] = field(default_factory=dict)


def prepare(
    schema: graphql.GraphQLSchema, query: str, variables: Mapping[str, Any]
) -> Fetch:
    """Parse and validate ``query`` once."""
    document = graphql.parse(query)
    errors = graphql.validate(schema, document)
    if errors:
        raise FloorError(f"The fetch {query!r} is not valid: {errors[0].message}")
    return Fetch(schema, document, variables)


def floor_app(fetches: Sequence[Fetch], context: ContextFactory) -> Starlette:
    """An application that runs ``fetches`` for each request to ``/graphql``."""

    async def run(request: Request) -> JSONResponse:
        await request.body()
        value = context(request)
        results: list[Any] = []
        errors: list[Any] = []
        for fetch in fetches:
            outcome = graphql.execute(
                fetch.schema,
                fetch.document,
                variable_values=dict(fetch.variables),
                context_value=value,
            )
            if isawaitable(outcome):
                outcome = await outcome
            results.append(outcome.data)
            errors.extend(error.formatted for error in outcome.errors or ())
        answer: dict[str, Any] = {"data": {"fetches": results}}
        if errors:
            answer["errors"] = errors
        return JSONResponse(answer)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        # As the gateway and the subgraph services do once they are ready.
        with frozen_heap():
            yield

    handler: Callable[[Request], Awaitable[JSONResponse]] = run
    return Starlette(
        routes=[Route("/graphql", handler, methods=["POST"])], lifespan=lifespan
    )


def standin_floor() -> Starlette:
    """The stand-in dashboard's fetches on the stand-in schemas (a uvicorn factory)."""
    fetches = [
        prepare(SCHEMAS[subgraph]._schema, query, variables)
        for subgraph, query, variables, _headers in FLOOR_FETCHES
    ]
    return floor_app(fetches, lambda request: {"request": request})
