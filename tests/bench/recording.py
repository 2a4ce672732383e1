"""The dashboard's fetches, recorded from one real execution, and plan timings.

:func:`record` composes the citizen graph in this process, runs the dashboard
once for the persona's viewer with transports that wrap the in-process ones and
keep every :class:`~resolvers.transports.FetchRequest` (subgraph, document text,
variables with the real entity representations), and times the executor's
``plan()`` on a cache miss and on a hit. The floors replay the recorded fetches;
the report shows the plan timings as the proof that a cached plan costs no
planning time.

A recording is plain JSON (:meth:`Recording.save`, :func:`load`), so that the
in-process floor's server, a separate process, can read it.
"""

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import graphql

from auth.dev_issuer import DevIssuer
from auth.viewer import AssuranceLevel, Viewer
from gateway.composition import CitizenGraph, build_executor
from gateway.documents import document_hash
from gateway.settings import Settings
from resolvers.executor import FederatedExecutor
from resolvers.transports import FetchRequest, FetchResult, InProcessTransport
from subgraphs.cpr.relations import load_relations
from subgraphs.kit import Database
from subgraphs.population import TODAY, persona

PLAN_SAMPLES = 30
"""Plans made from scratch (cache misses) to time one miss."""
HIT_SAMPLES = 3000
"""Cached plans looked up to time one hit."""


class RecordingFailed(RuntimeError):
    """The recorded execution did not give the whole dashboard."""

    code = "BENCH_RECORDING_FAILED"


@dataclass(frozen=True)
class RecordedFetch:
    """One fetch as the executor sent it."""

    subgraph: str
    query: str
    variables: dict[str, Any]
    operation_name: str | None


@dataclass(frozen=True)
class PlanTimes:
    """The executor's ``plan()`` timed in this process, in microseconds.

    Attributes:
        miss_us: Median time of planning the dashboard from scratch.
        hit_us: Median time of ``plan()`` when the plan is cached.
        hits: The plan cache's hit count after the timings.
        misses: The plan cache's miss count after the timings.
        same_plan: Whether every hit returned the very plan object cached.
    """

    miss_us: float
    hit_us: float
    hits: int
    misses: int
    same_plan: bool


@dataclass(frozen=True)
class InProcessCost:
    """CPU per dashboard in this process, one request at a time, no HTTP.

    Attributes:
        executor_ms: ``FederatedExecutor.execute()`` of the dashboard (cached
            plan, fetches, representations, merging, shaping).
        fetches_ms: The same recorded fetches run directly on the transports.
        rounds: Dashboards per timing; the figures are medians of 5 timings.
    """

    executor_ms: float
    fetches_ms: float
    rounds: int


@dataclass(frozen=True)
class Recording:
    """The persona, the fetches of one execution, and the timings."""

    person_id: str
    fetches: list[RecordedFetch]
    plan_times: PlanTimes
    cost: InProcessCost

    def save(self, path: Path) -> Path:
        """Write the recording as JSON to ``path``."""
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")
        return path


def load(path: Path) -> Recording:
    """A recording written by :meth:`Recording.save`."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Recording(
        person_id=raw["person_id"],
        fetches=[RecordedFetch(**fetch) for fetch in raw["fetches"]],
        plan_times=PlanTimes(**raw["plan_times"]),
        cost=InProcessCost(**raw["cost"]),
    )


class Recorder:
    """A transport that passes fetches on and keeps a copy of each request."""

    def __init__(
        self,
        inner: InProcessTransport,
        kept: list[RecordedFetch],
        requests: list[FetchRequest],
    ) -> None:
        self.inner = inner
        self.kept = kept
        self.requests = requests

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Keep the request (variables deep-copied through JSON), then run it."""
        variables = json.loads(json.dumps(dict(request.variables)))
        self.requests.append(replace(request, variables=variables))
        self.kept.append(
            RecordedFetch(
                request.subgraph, request.text, variables, request.operation_name
            )
        )
        return await self.inner.fetch(request)


async def persona_viewer(
    data_dir: Path, name: str, databases: Mapping[str, Database]
) -> Viewer:
    """The viewer the gateway makes of the persona's sign-in, relations included."""
    person_id = persona(name).person_id
    relations = await load_relations(databases["cpr"], person_id, TODAY)
    return Viewer(
        subject=DevIssuer.load_or_create(data_dir).subject(person_id),
        person_id=person_id,
        assurance=AssuranceLevel.SUBSTANTIAL,
        relations=relations,
        today=TODAY,
    )


def _median_us(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1e6


def time_plans(
    executor: FederatedExecutor, document: graphql.DocumentNode
) -> PlanTimes:
    """Time ``plan()`` on misses (a fresh key each) and on hits of one key."""
    misses: list[float] = []
    for index in range(PLAN_SAMPLES):
        start = time.perf_counter()
        executor.plan(document, None, f"miss-{index}")
        misses.append(time.perf_counter() - start)
    key = document_hash(graphql.print_ast(document))
    cached = executor.plan(document, None, key)
    hits: list[float] = []
    same = True
    for _ in range(HIT_SAMPLES):
        start = time.perf_counter()
        found = executor.plan(document, None, key)
        hits.append(time.perf_counter() - start)
        same = same and found is cached
    return PlanTimes(
        miss_us=_median_us(misses),
        hit_us=_median_us(hits),
        hits=executor.plans.hits,
        misses=executor.plans.misses,
        same_plan=same,
    )


async def time_costs(
    executor: FederatedExecutor,
    document: graphql.DocumentNode,
    viewer: Viewer,
    transports: Mapping[str, InProcessTransport],
    requests: list[FetchRequest],
    rounds: int = 40,
) -> InProcessCost:
    """CPU per dashboard through the executor and as bare fetches, alternated."""
    key = document_hash(graphql.print_ast(document))

    async def through_executor() -> None:
        await executor.execute(
            document,
            operation_name=None,
            variables=None,
            viewer=viewer,
            document_hash=key,
        )

    async def bare_fetches() -> None:
        for request in requests:
            await transports[request.subgraph].fetch(request)

    async def cpu_ms(work: Callable[[], Awaitable[None]]) -> float:
        start = time.process_time()
        for _ in range(rounds):
            await work()
        return (time.process_time() - start) * 1e3 / rounds

    await through_executor()
    await bare_fetches()
    gateway, floor = [], []
    for _ in range(5):
        gateway.append(await cpu_ms(through_executor))
        floor.append(await cpu_ms(bare_fetches))
    return InProcessCost(statistics.median(gateway), statistics.median(floor), rounds)


async def _record(data_dir: Path, persona_name: str, query: str) -> Recording:
    graph = CitizenGraph(Settings.from_env(environ={}, data_dir=data_dir))
    subgraphs, sdl = graph.compose()
    databases = {
        s.name: Database.open(graph.settings.database_url(s.database_name))
        for s in subgraphs
    }
    kept: list[RecordedFetch] = []
    requests: list[FetchRequest] = []
    try:
        plain = {s.name: InProcessTransport(s, databases[s.name]) for s in subgraphs}
        transports = {
            name: Recorder(transport, kept, requests)
            for name, transport in plain.items()
        }
        executor = build_executor(sdl, transports)
        assert isinstance(executor, FederatedExecutor)
        viewer = await persona_viewer(data_dir, persona_name, databases)
        document = graphql.parse(query)
        errors = graphql.validate(executor.api_schema, document)
        if errors:
            raise RecordingFailed(f"The dashboard is not valid: {errors[0].message}")
        response = await executor.execute(
            document,
            operation_name=None,
            variables=None,
            viewer=viewer,
            document_hash=document_hash(query),
        )
        if response.errors or not response.data or response.data.get("me") is None:
            raise RecordingFailed(
                f"The recorded dashboard has errors: {str(response.errors)[:400]}"
            )
        fresh = build_executor(sdl, plain)
        assert isinstance(fresh, FederatedExecutor)
        plan_times = time_plans(fresh, document)
        cost = await time_costs(fresh, document, viewer, plain, requests)
    finally:
        for database in databases.values():
            await database.close()
    assert viewer.person_id is not None
    return Recording(viewer.person_id, kept, plan_times, cost)


def record(data_dir: Path, persona_name: str, query: str) -> Recording:
    """Run ``query`` once for the persona and keep its fetches (see the module)."""
    return asyncio.run(_record(data_dir, persona_name, query))
