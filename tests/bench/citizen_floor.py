"""The in-process floor of the citizen graph: recorded fetches on the schemas.

:func:`citizen_floor` is a uvicorn factory. It reads a recording
(:mod:`tests.bench.recording`, path in ``BENCH_RECORDING``) and the data folder
(``CITIZEN_GRAPH_DATA_DIR``), prepares each recorded fetch once on its
authority's schema, and answers every ``POST /graphql`` by reading the persona's
relations from the civil register (as the gateway does per request) and running
the fetches one after another, each with a fresh ``subgraph.make_context(viewer,
database)``. No token, no planning, no merging, no shaping, no access log.
"""

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import graphql
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from auth.viewer import Viewer
from gateway.settings import Settings
from subgraphs.cpr.relations import load_relations
from subgraphs.kit import Database, Subgraph
from subgraphs.registry import load_all
from subgraphs.service import frozen_heap
from tests.bench.floor import Fetch, prepare
from tests.bench.recording import load, persona_viewer

RECORDING_VARIABLE = "BENCH_RECORDING"


@dataclass(frozen=True)
class Replay:
    """One recorded fetch, prepared, with its authority."""

    subgraph: Subgraph
    fetch: Fetch
    operation_name: str | None


def citizen_floor() -> Starlette:
    """The floor application (a uvicorn factory; see the module's docstring)."""
    data_dir = Path(os.environ["CITIZEN_GRAPH_DATA_DIR"])
    recording = load(Path(os.environ[RECORDING_VARIABLE]))
    settings = Settings.from_env(environ={}, data_dir=data_dir)
    subgraphs = {s.name: s for s in load_all()}
    databases = {
        name: Database.open(settings.database_url(s.database_name))
        for name, s in subgraphs.items()
    }
    replays = [
        Replay(
            subgraphs[item.subgraph],
            prepare(
                subgraphs[item.subgraph].schema._schema, item.query, item.variables
            ),
            item.operation_name,
        )
        for item in recording.fetches
    ]
    state: dict[str, Viewer] = {}

    async def run(request: Request) -> JSONResponse:
        await request.body()
        viewer = state["viewer"]
        assert viewer.person_id is not None
        relations = await load_relations(
            databases["cpr"], viewer.person_id, viewer.today
        )
        viewer = replace(viewer, relations=relations)
        results: list[Any] = []
        errors: list[Any] = []
        for replay in replays:
            outcome = graphql.execute(
                replay.fetch.schema,
                replay.fetch.document,
                variable_values=_copy(replay.fetch.variables),
                context_value=replay.subgraph.make_context(
                    viewer, databases[replay.subgraph.name]
                ),
                operation_name=replay.operation_name,
            )
            if not isinstance(outcome, graphql.ExecutionResult):
                outcome = await outcome
            results.append(outcome.data)
            errors.extend(error.formatted for error in outcome.errors or ())
        answer: dict[str, Any] = {"data": {"fetches": results}}
        if errors:
            answer["errors"] = errors
        return JSONResponse(answer)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        state["viewer"] = await persona_viewer(data_dir, "parent", databases)
        # As the gateway and the subgraph services do once they are ready.
        try:
            with frozen_heap():
                yield
        finally:
            for database in databases.values():
                await database.close()

    handler: Callable[[Request], Awaitable[JSONResponse]] = run
    return Starlette(
        routes=[Route("/graphql", handler, methods=["POST"])], lifespan=lifespan
    )


def _copy(variables: Any) -> dict[str, Any]:
    """Fresh variables per request: a subgraph may pop keys of representations."""
    return {
        name: [dict(v) if isinstance(v, dict) else v for v in value]
        if isinstance(value, list)
        else value
        for name, value in dict(variables).items()
    }
