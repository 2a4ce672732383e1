"""The citizen graph's early refusal: fewer fetches, the same responses.

A small synthetic population is seeded into SQLite files and the citizen graph is
composed as the gateway composes it. Two executors share the same in-process
transports, each wrapped to count the fetches and representations it carries:
one with the citizen graph's gate (:func:`gateway.composition.citizen_gate`), one
without. Every response must be the same bytes from both; the gated one must not
reach an authority that is certain to refuse.
"""

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
import pytest_asyncio
from graphql import parse, validate

from auth.viewer import AssuranceLevel, Viewer
from gateway.composition import CitizenGraph, build_executor, citizen_gate
from gateway.seams import Executor
from gateway.settings import Settings
from resolvers.transports import FetchRequest, FetchResult, InProcessTransport
from subgraphs.kit import Database
from subgraphs.population import persona
from subgraphs.registry import load_graph
from subgraphs.seeding import seed
from tests.auth.matrix import (
    PERSONA_CODES,
    aliased_operation,
    lookup_operation,
    me_operation,
)
from tests.subgraphs.authorities import persona_viewer

IN_MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")
pytestmark = IN_MODULE_LOOP

CITIZENS = 60
SEED = 3


class Counting:
    """A transport that counts the fetches and representations it carries."""

    def __init__(self, inner: InProcessTransport) -> None:
        self.inner = inner
        self.representations: list[int] = []

    async def fetch(self, request: FetchRequest) -> FetchResult:
        reps = request.variables.get("representations")
        self.representations.append(len(reps) if isinstance(reps, list) else 0)
        return await self.inner.fetch(request)


@dataclass
class Graph:
    """The gated and the plain executor over the same counting transports."""

    gated: Executor
    plain: Executor
    counters: dict[str, Counting]
    register: Database
    documents: dict[str, Any] = field(default_factory=dict)

    async def viewer(
        self, name: str, assurance: AssuranceLevel = AssuranceLevel.SUBSTANTIAL
    ) -> Viewer:
        return await persona_viewer(self.register, name, assurance)

    async def run(
        self, executor: Executor, viewer: Viewer, query: str, variables: Any
    ) -> dict[str, Any]:
        document = parse(query)
        assert not validate(executor.api_schema, document)
        response = await executor.execute(
            document,
            operation_name=None,
            variables=variables,
            viewer=viewer,
            document_hash=hashlib.sha256(query.encode()).hexdigest(),
        )
        return response.formatted()

    async def compare(
        self, viewer: Viewer, query: str, variables: Any = None
    ) -> tuple[dict[str, Any], dict[str, list[int]], dict[str, list[int]]]:
        """The response, and each authority's fetches with and without the gate.

        Asserts that the two responses are the same bytes.
        """
        gated, gated_fetches = await self._counted(self.gated, viewer, query, variables)
        plain, plain_fetches = await self._counted(self.plain, viewer, query, variables)
        assert orjson.dumps(gated) == orjson.dumps(plain)
        return gated, gated_fetches, plain_fetches

    async def _counted(
        self, executor: Executor, viewer: Viewer, query: str, variables: Any
    ) -> tuple[dict[str, Any], dict[str, list[int]]]:
        for counter in self.counters.values():
            counter.representations.clear()
        body = await self.run(executor, viewer, query, variables)
        fetches = {
            name: list(c.representations)
            for name, c in self.counters.items()
            if c.representations
        }
        return body, fetches


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def graph(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Graph]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("gate"))
    citizen = CitizenGraph(settings)
    subgraphs, sdl = citizen.compose()
    databases = {
        s.name: Database.open(settings.database_url(s.database_name)) for s in subgraphs
    }
    await seed(
        {s.database_name: databases[s.name] for s in load_graph()}, CITIZENS, SEED
    )
    counters = {
        s.name: Counting(InProcessTransport(s, databases[s.name])) for s in subgraphs
    }
    yield Graph(
        gated=build_executor(sdl, counters, gate=citizen_gate),
        plain=build_executor(sdl, counters),
        counters=counters,
        register=databases["cpr"],
    )
    for database in databases.values():
        await database.close()


def forbidden(path: list[Any], field_name: str, graph: str) -> dict[str, Any]:
    return {
        "message": f"You may not see the field '{field_name}'.",
        "extensions": {"code": "FORBIDDEN", "serviceName": graph},
        "path": path,
    }


LOOKUP = """
query ($id: ID!) {
  person(personId: $id) {
    name { firstNames }
    payslips(last: 2) { netPay }
    taxAssessments { year }
    healthRecord { vaccinations { vaccine } }
  }
}
"""


async def test_the_spouse_never_reaches_tax_or_health(graph: Graph) -> None:
    spouse = await graph.viewer("spouse")
    parent = persona("parent").person_id

    body, gated, plain = await graph.compare(spouse, LOOKUP, {"id": parent})

    assert gated == {"cpr": [0]}
    assert plain == {"cpr": [0], "skat": [1], "health": [1]}
    assert body["data"]["person"]["name"] is not None
    assert body["errors"] == [
        forbidden(["person", "payslips"], "payslips", "skat"),
        forbidden(["person", "taxAssessments"], "taxAssessments", "skat"),
        forbidden(["person", "healthRecord"], "healthRecord", "health"),
    ]


async def test_a_parent_never_reaches_the_health_of_a_child_of_15(
    graph: Graph,
) -> None:
    parent = await graph.viewer("parent")
    teen = persona("teen").person_id

    body, gated, plain = await graph.compare(parent, LOOKUP, {"id": teen})

    assert gated == {"cpr": [0]}
    assert plain["health"] == [1]
    assert [e["path"][-1] for e in body["errors"]] == [
        "payslips",
        "taxAssessments",
        "healthRecord",
    ]


async def test_only_the_young_child_goes_to_health(graph: Graph) -> None:
    parent = await graph.viewer("parent")
    query = "{ me { children { personId healthRecord { vaccinations { vaccine } } } } }"

    body, gated, plain = await graph.compare(parent, query)

    children = body["data"]["me"]["children"]
    assert len(children) >= 2
    assert gated["health"] == [plain["health"][0] - 1]
    teen = persona("teen").person_id
    teen_at = next(i for i, c in enumerate(children) if c["personId"] == teen)
    assert body["errors"] == [
        forbidden(["me", "children", teen_at, "healthRecord"], "healthRecord", "health")
    ]


async def test_a_low_sign_in_never_reaches_health(graph: Graph) -> None:
    low = await graph.viewer("parent", AssuranceLevel.LOW)
    query = "{ me { name { firstNames } healthRecord { medications { drug } } } }"

    body, gated, plain = await graph.compare(low, query)

    assert "health" not in gated
    assert plain["health"] == [1]
    assert body["errors"] == [
        forbidden(["me", "healthRecord"], "healthRecord", "health")
    ]


async def test_allowed_fields_still_go_to_the_authorities(graph: Graph) -> None:
    parent = await graph.viewer("parent")
    me = persona("parent").person_id

    body, gated, plain = await graph.compare(parent, LOOKUP, {"id": me})

    assert gated == plain == {"cpr": [0], "skat": [1], "health": [1]}
    assert "errors" not in body


async def test_the_register_decides_its_own_lookups(graph: Graph) -> None:
    spouse = await graph.viewer("spouse")
    query = "{ me { spouse { name { firstNames } } children { name { firstNames } } } }"

    _, gated, plain = await graph.compare(spouse, query)

    assert gated == plain


FAMILY = ("parent", "spouse", "teen", "young-child")
"""The lookups that reach other people's data: one family and its children."""


@pytest.mark.parametrize("assurance", [AssuranceLevel.LOW, AssuranceLevel.SUBSTANTIAL])
@pytest.mark.parametrize("name", sorted(PERSONA_CODES.values()))
async def test_every_persona_gets_the_same_answers_from_fewer_fetches(
    graph: Graph, name: str, assurance: AssuranceLevel
) -> None:
    viewer = await graph.viewer(name, assurance)
    schema = graph.gated.api_schema
    asked = [(me_operation(schema), None), (aliased_operation(schema, "me"), None)]
    for target in (name, *FAMILY):
        asked.append((lookup_operation(schema), {"id": persona(target).person_id}))
    saved = 0

    for query, variables in asked:
        _, gated, plain = await graph.compare(viewer, query, variables)
        assert _total(gated) <= _total(plain)
        saved += _total(plain) - _total(gated)

    if assurance is AssuranceLevel.LOW:
        assert saved > 0  # health is never fetched for a low sign-in


def _total(fetches: dict[str, list[int]]) -> int:
    return sum(len(reps) for reps in fetches.values())
