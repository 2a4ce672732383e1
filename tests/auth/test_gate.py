"""The early refusal over a small federation of two Strawberry subgraphs.

``people`` owns ``Person @key(fields: "id")``; ``records`` extends it with fields
under different rules, and has root fields of its own. Both are real subgraphs
with :func:`auth.policy.guarded` fields, composed by our composer; a counting
transport executes each fetch on the subgraph's schema and remembers the
representations it was sent. Each response of the gated executor is compared, byte
for byte, with the response of an executor without a gate over the same
subgraphs.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
import strawberry
from graphql import ExecutionResult, execute, parse

from auth.gate import ATOMS, CompiledPolicy, PolicyGate
from auth.policy import NOBODY, SELF, SPOUSE, SUBSTANTIAL, Rule, guarded
from auth.viewer import AssuranceLevel, Relations, Viewer
from resolvers.executor import FederatedExecutor, Gate, Response
from resolvers.transports import FetchRequest, FetchResult
from schema.compose import SubgraphSdl, compose
from schema.policies import read_policies
from schema.supergraph import Supergraph, load_supergraph

MYSTERY = Rule("mystery", lambda viewer, subject: False)
"""A rule the gateway's registry does not know: always unknown at the gateway."""


@strawberry.federation.type(keys=["id"])
class PeoplePerson:
    id: strawberry.ID

    @property
    def owner_id(self) -> str:
        return str(self.id)

    @strawberry.field(extensions=guarded(SELF | SPOUSE))
    def name(self) -> str | None:
        return f"Name of {self.id}"


@strawberry.type
class PeopleQuery:
    @strawberry.field
    def person(self, id: strawberry.ID) -> PeoplePerson:
        return PeoplePerson(id=id)

    @strawberry.field
    def people(self, ids: list[strawberry.ID]) -> list[PeoplePerson]:
        return [PeoplePerson(id=i) for i in ids]


@strawberry.federation.type(keys=["id"], name="Person")
class RecordsPerson:
    id: strawberry.ID

    @property
    def owner_id(self) -> str:
        return str(self.id)

    @strawberry.field(extensions=guarded(SELF))
    def income(self) -> int | None:
        return 100

    @strawberry.field(extensions=guarded(SELF | SPOUSE))
    def household(self) -> str | None:
        return "two adults"

    @strawberry.field(extensions=guarded(SUBSTANTIAL & SELF))
    def diagnosis(self) -> str | None:
        return "healthy"

    @strawberry.field(extensions=guarded(MYSTERY))
    def secret(self) -> str | None:
        return "hidden"


@strawberry.type
class RecordsQuery:
    @strawberry.field(extensions=guarded(SUBSTANTIAL))
    def notice(self) -> str | None:
        return "for substantial sign-ins"

    @strawberry.field(extensions=guarded(NOBODY))
    def sealed(self) -> str | None:
        return "never"

    @strawberry.field(extensions=guarded(SELF))
    def mine(self) -> str | None:
        return "nobody's"


PEOPLE = strawberry.federation.Schema(
    query=PeopleQuery, types=[PeoplePerson], federation_version="2.9"
)
PEOPLE_SDL = PEOPLE.as_str().replace("PeoplePerson", "Person")
RECORDS = strawberry.federation.Schema(
    query=RecordsQuery, types=[RecordsPerson], federation_version="2.9"
)


@dataclass
class Context:
    viewer: Viewer


class Counting:
    """Executes fetches on a subgraph's schema and remembers what it was sent."""

    def __init__(self, schema: strawberry.federation.Schema) -> None:
        self.schema = schema._schema
        self.calls: list[list[dict[str, Any]] | None] = []

    async def fetch(self, request: FetchRequest) -> FetchResult:
        reps = request.variables.get("representations")
        self.calls.append([dict(r) for r in reps] if reps is not None else None)
        variables = {
            name: [dict(v) for v in value] if name == "representations" else value
            for name, value in request.variables.items()
        }
        outcome = execute(
            self.schema,
            request.document,
            variable_values=variables,
            context_value=Context(request.viewer),
            operation_name=request.operation_name,
        )
        result = outcome if isinstance(outcome, ExecutionResult) else await outcome
        errors = [dict(e.formatted) for e in result.errors or ()]
        return FetchResult(data=result.data, errors=errors)


def supergraph() -> Supergraph:
    sdl = compose(
        [
            SubgraphSdl("people", None, PEOPLE_SDL),
            SubgraphSdl("records", None, RECORDS.as_str()),
        ]
    ).supergraph_or_raise()
    return load_supergraph(sdl)


class People:
    """A gated and an ungated executor over the same two counting subgraphs."""

    def __init__(self, gate: Gate | None = None, **options: Any) -> None:
        self.supergraph = supergraph()
        self.records = Counting(RECORDS)
        transports = {"people": Counting(PEOPLE), "records": self.records}
        if gate is None:
            gate = PolicyGate(
                self.supergraph, ATOMS, owners={"Person": "id"}, **options
            )
        self.gated = FederatedExecutor(self.supergraph, transports, gate=gate)
        self.plain = FederatedExecutor(self.supergraph, transports)

    async def run(
        self, executor: FederatedExecutor, viewer: Viewer, query: str
    ) -> Response:
        return await executor.execute(
            parse(query),
            operation_name=None,
            variables=None,
            viewer=viewer,
            document_hash=hashlib.sha256(query.encode()).hexdigest(),
        )

    async def compare(
        self, viewer: Viewer, query: str
    ) -> tuple[dict[str, Any], list[Any], list[Any]]:
        """The gated response, and the records fetches with and without the gate.

        Asserts that both responses are the same bytes.
        """
        self.records.calls.clear()
        gated = await self.run(self.gated, viewer, query)
        gated_calls = list(self.records.calls)
        self.records.calls.clear()
        plain = await self.run(self.plain, viewer, query)
        assert orjson.dumps(gated.formatted()) == orjson.dumps(plain.formatted())
        return gated.formatted(), gated_calls, list(self.records.calls)


def person(
    person_id: str,
    assurance: AssuranceLevel = AssuranceLevel.SUBSTANTIAL,
    spouse: str | None = None,
) -> Viewer:
    return Viewer(
        subject=f"s-{person_id}",
        person_id=person_id,
        assurance=assurance,
        relations=Relations(spouse_id=spouse),
    )


ME = person("me", spouse="wife")
WIFE = person("wife", spouse="me")
LOW = person("me", AssuranceLevel.LOW, spouse="wife")


def forbidden(path: list[Any], field_name: str) -> dict[str, Any]:
    return {
        "message": f"You may not see the field '{field_name}'.",
        "extensions": {"code": "FORBIDDEN", "serviceName": "records"},
        "path": path,
    }


def rep(person_id: str) -> dict[str, Any]:
    return {"__typename": "Person", "id": person_id}


def test_policies_are_read_per_coordinate_in_dnf() -> None:
    policies = read_policies(supergraph().document)

    assert policies["Person.name"] == [["self"], ["spouse"]]
    assert policies["Person.diagnosis"] == [["assurance-substantial", "self"]]
    assert policies["Query.sealed"] == [["nobody"]]
    assert "Person.id" not in policies


async def test_every_field_denied_never_reaches_the_subgraph() -> None:
    people = People()
    query = '{ person(id: "me") { name income diagnosis } }'

    body, gated, plain = await people.compare(WIFE, query)

    assert gated == []
    assert plain == [[rep("me")]]
    assert body["data"] == {
        "person": {"name": "Name of me", "income": None, "diagnosis": None}
    }
    assert body["errors"] == [
        forbidden(["person", "income"], "income"),
        forbidden(["person", "diagnosis"], "diagnosis"),
    ]


async def test_aliases_and_arguments_keep_their_errors() -> None:
    people = People()
    query = '{ person(id: "me") { pay: income again: income d: diagnosis } }'

    body, gated, _ = await people.compare(WIFE, query)

    assert gated == []
    assert [e["path"] for e in body["errors"]] == [
        ["person", "pay"],
        ["person", "again"],
        ["person", "d"],
    ]


async def test_some_fields_allowed_go_to_the_subgraph_with_one_error_each() -> None:
    people = People()
    query = '{ person(id: "me") { income household } }'

    body, gated, plain = await people.compare(WIFE, query)

    assert gated == plain == [[rep("me")]]
    assert body["data"] == {"person": {"income": None, "household": "two adults"}}
    assert body["errors"] == [forbidden(["person", "income"], "income")]


async def test_only_the_denied_objects_are_left_out_of_a_batch() -> None:
    people = People()
    query = '{ people(ids: ["me", "wife", "stranger", "me"]) { income } }'

    body, gated, plain = await people.compare(ME, query)

    assert gated == [[rep("me")]]
    assert plain == [[rep("me"), rep("wife"), rep("stranger")]]
    assert [item["income"] for item in body["data"]["people"]] == [100, None, None, 100]
    assert body["errors"] == [
        forbidden(["people", 1, "income"], "income"),
        forbidden(["people", 2, "income"], "income"),
    ]


async def test_low_assurance_is_refused_without_a_subject() -> None:
    people = People()
    query = '{ person(id: "me") { diagnosis } }'

    body, gated, plain = await people.compare(LOW, query)

    assert (gated, plain) == ([], [[rep("me")]])
    assert body["errors"] == [forbidden(["person", "diagnosis"], "diagnosis")]
    mine, calls, _ = await people.compare(ME, query)
    assert calls == [[rep("me")]]
    assert mine["data"] == {"person": {"diagnosis": "healthy"}}


async def test_without_an_owner_key_only_viewer_rules_refuse() -> None:
    people = People(PolicyGate(supergraph(), ATOMS))

    _, low, _ = await people.compare(LOW, '{ person(id: "me") { diagnosis } }')
    _, wife, _ = await people.compare(WIFE, '{ person(id: "me") { income } }')

    assert low == []
    assert wife == [[rep("me")]]


@pytest.mark.parametrize(
    ("viewer", "query"),
    [
        (WIFE, '{ person(id: "me") { secret } }'),
        (ME, '{ person(id: "me") { secret } }'),
        (WIFE, '{ person(id: "me") { secret income } }'),
    ],
)
async def test_an_unknown_rule_never_refuses(viewer: Viewer, query: str) -> None:
    people = People()

    body, gated, plain = await people.compare(viewer, query)

    assert gated == plain == [[rep("me")]]
    assert forbidden(["person", "secret"], "secret") in body["errors"]


@pytest.mark.parametrize(
    "atoms",
    [{}, {name: atom for name, atom in ATOMS.items() if name != "self"}],
    ids=["no atoms", "without self"],
)
async def test_names_missing_from_the_registry_are_unknown(
    atoms: Mapping[str, Any],
) -> None:
    gate = PolicyGate(supergraph(), atoms, owners={"Person": "id"})
    people = People(gate)

    _, gated, _ = await people.compare(WIFE, '{ person(id: "me") { income } }')

    assert gated == [[rep("me")]]


async def test_subgraphs_that_check_references_are_always_asked() -> None:
    people = People(checked_references=["records"])

    _, gated, _ = await people.compare(WIFE, '{ person(id: "me") { income } }')

    assert gated == [[rep("me")]]


@pytest.mark.parametrize(
    ("viewer", "query", "fetched"),
    [
        (LOW, "{ notice }", False),
        (ME, "{ notice }", True),
        (ME, "{ sealed }", False),
        (ME, "{ mine }", True),  # the owner of a root object is not known
        (LOW, "{ notice mine }", True),
    ],
)
async def test_root_fields_are_refused_by_viewer_rules(
    viewer: Viewer, query: str, fetched: bool
) -> None:
    people = People()

    _, gated, plain = await people.compare(viewer, query)

    assert plain == [None]
    assert gated == ([None] if fetched else [])


def test_a_field_that_two_subgraphs_resolve_is_not_gated() -> None:
    link = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", '
        'import: ["@shareable", "@policy"])\n'
    )
    nobody = '@policy(policies: [["nobody"]])'
    sdl = compose(
        [
            SubgraphSdl(
                "a",
                None,
                f"{link}type Query {{ x: Int @shareable {nobody} y: Int {nobody} }}",
            ),
            SubgraphSdl("b", None, f"{link}type Query {{ x: Int @shareable }}"),
        ]
    ).supergraph_or_raise()
    gate = PolicyGate(load_supergraph(sdl), ATOMS)

    assert gate.policies["Query.x"] == [["nobody"]]
    assert gate.fields("a", "Query", ["x"], entity=False) is None
    assert gate.fields("a", "Query", ["y", "x"], entity=False) is None
    only = gate.fields("a", "Query", ["y"], entity=False)
    assert only is not None
    assert only.denies(ME, None)


@pytest.mark.parametrize(
    ("policies", "owner", "decision"),
    [
        ([["self"], ["spouse"]], "wife", True),
        ([["self"], ["spouse"]], "stranger", False),
        ([["self"], ["spouse"]], None, None),
        ([["assurance-substantial", "self"]], None, None),
        ([["mystery"], ["self"]], "stranger", None),
        ([["mystery", "self"]], "stranger", False),
        ([["mystery", "self"]], "me", None),
        ([["nobody"], ["assurance-substantial"]], None, True),
        ([], "me", False),
    ],
)
def test_policies_decide_in_three_values(
    policies: list[list[str]], owner: str | None, decision: bool | None
) -> None:
    gate = PolicyGate(supergraph(), ATOMS)
    compiled: CompiledPolicy = gate.compile(policies)

    assert compiled.decide(ME, owner) is decision
