from dataclasses import dataclass
from datetime import date

import pytest
import strawberry

from auth import policy
from auth.recording import recording
from auth.viewer import AssuranceLevel, ChildRelation, Relations, Viewer
from schema.compose import SubgraphSdl, compose
from subgraphs.registry import load_graph

TODAY = date(2026, 12, 4)


@dataclass
class Subject:
    owner_id: str


def viewer(**relations: object) -> Viewer:
    return Viewer(
        subject="s",
        person_id="me",
        assurance=AssuranceLevel.SUBSTANTIAL,
        relations=Relations(**relations),  # type: ignore[arg-type]
        today=TODAY,
    )


FAMILY = viewer(
    spouse_id="wife",
    children=(
        ChildRelation("small", date(2016, 5, 1), has_custody=True),
        ChildRelation("teen", date(2011, 12, 4), has_custody=True),
        ChildRelation("away", date(2018, 1, 1), has_custody=False),
    ),
)


@pytest.mark.parametrize(
    ("rule", "owner", "allowed"),
    [
        (policy.SELF, "me", True),
        (policy.SELF, "wife", False),
        (policy.SPOUSE, "wife", True),
        (policy.SPOUSE, "me", False),
        (policy.PARENT, "away", True),
        (policy.CUSTODY_UNDER_15, "small", True),
        (policy.CUSTODY_UNDER_15, "teen", False),  # 15 today
        (policy.CUSTODY_UNDER_15, "away", False),  # no custody
        (policy.NOBODY, "me", False),
        (policy.SELF | policy.SPOUSE, "wife", True),
        (policy.SELF & policy.SPOUSE, "wife", False),
    ],
)
def test_rules(rule: policy.Rule, owner: str, allowed: bool) -> None:
    assert rule.allows(FAMILY, Subject(owner)) is allowed


SELF, SPOUSE, PARENT = policy.SELF, policy.SPOUSE, policy.PARENT
SUBSTANTIAL, CUSTODY = policy.SUBSTANTIAL, policy.CUSTODY_UNDER_15


@pytest.mark.parametrize(
    ("rule", "name", "clauses"),
    [
        (SELF, "self", [["self"]]),
        (
            SELF | SPOUSE | PARENT,
            "self | spouse | parent",
            [["self"], ["spouse"], ["parent"]],
        ),
        (
            SUBSTANTIAL & (SELF | CUSTODY),
            "(assurance-substantial) & (self | custody-under-15)",
            [
                ["assurance-substantial", "self"],
                ["assurance-substantial", "custody-under-15"],
            ],
        ),
        (
            (SELF | SPOUSE) & (PARENT | CUSTODY),
            "(self | spouse) & (parent | custody-under-15)",
            [
                ["self", "parent"],
                ["self", "custody-under-15"],
                ["spouse", "parent"],
                ["spouse", "custody-under-15"],
            ],
        ),
        (
            SELF | (SPOUSE & SUBSTANTIAL),
            "self | (spouse) & (assurance-substantial)",
            [["self"], ["spouse", "assurance-substantial"]],
        ),
        (SELF & SELF, "(self) & (self)", [["self"]]),
        (SELF | SELF, "self | self", [["self"]]),
    ],
)
def test_rules_are_in_disjunctive_normal_form(
    rule: policy.Rule, name: str, clauses: list[list[str]]
) -> None:
    assert rule.name == name
    assert rule.policies == clauses


RULES = [
    SELF,
    SELF | SPOUSE | PARENT,
    SUBSTANTIAL & (SELF | CUSTODY),
    (SELF | SPOUSE) & (PARENT | CUSTODY),
    SUBSTANTIAL & SELF,
    (SELF & SPOUSE) | (CUSTODY & SUBSTANTIAL) | policy.NOBODY,
]
ATOMS = {a.name: a for a in (SELF, SPOUSE, PARENT, SUBSTANTIAL, CUSTODY, policy.NOBODY)}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
@pytest.mark.parametrize("assurance", list(AssuranceLevel))
@pytest.mark.parametrize("owner", ["me", "wife", "small", "teen", "away", "other"])
def test_the_clauses_decide_as_the_rule_does(
    rule: policy.Rule, assurance: AssuranceLevel, owner: str
) -> None:
    seen_by = Viewer(
        subject="s",
        person_id="me",
        assurance=assurance,
        relations=FAMILY.relations,
        today=TODAY,
    )
    subject = Subject(owner)
    by_clauses = any(
        all(ATOMS[name].allows(seen_by, subject) for name in clause)
        for clause in rule.clauses
    )

    assert by_clauses is rule.allows(seen_by, subject)


def test_assurance_rule() -> None:
    low = Viewer(subject="s", person_id="me", assurance=AssuranceLevel.LOW)
    assert not policy.SUBSTANTIAL.allows(low, Subject("me"))
    assert policy.SUBSTANTIAL.allows(FAMILY, Subject("me"))


def test_subject_without_owner_is_denied() -> None:
    assert not policy.SELF.allows(FAMILY, object())


@strawberry.type
class Payslip:
    owner_id: strawberry.Private[str]

    @strawberry.field(extensions=policy.guarded(policy.SELF))
    def gross(self) -> int | None:
        return 42000


@dataclass
class Context:
    viewer: Viewer


@dataclass
class Seen:
    pairs: list[tuple[str, str]]

    def add(self, person_id: str, coordinate: str) -> None:
        self.pairs.append((person_id, coordinate))


@strawberry.type
class Query:
    @strawberry.field
    def payslips(self) -> list[Payslip]:
        return [Payslip(owner_id="me"), Payslip(owner_id="wife")]


async def test_guard_nulls_denied_fields_and_records_allowed_ones() -> None:
    schema = strawberry.Schema(query=Query)
    seen = Seen([])

    with recording(seen):
        result = await schema.execute(
            "{ payslips { gross } }", context_value=Context(viewer=FAMILY)
        )

    assert result.data == {"payslips": [{"gross": 42000}, {"gross": None}]}
    assert result.errors is not None
    assert [(e.path, e.extensions) for e in result.errors] == [
        (["payslips", 1, "gross"], {"code": "FORBIDDEN"})
    ]
    assert seen.pairs == [("me", "Payslip.gross")]


def test_rules_appear_in_the_subgraph_and_the_supergraph_as_policies() -> None:
    subgraphs = load_graph()
    skat = next(s for s in subgraphs if s.name == "skat")

    supergraph = compose(
        [SubgraphSdl(s.name, None, s.sdl) for s in subgraphs]
    ).supergraph_or_raise()

    assert '@link(url: "https://specs.apollo.dev/federation/v2.9", import: ' in skat.sdl
    assert '"@policy"' in skat.sdl
    payslips = next(line for line in supergraph.splitlines() if "payslips(" in line)
    assert '@policy(policies: [["self"], ["attorney-skat"]])' in payslips
    health = next(line for line in supergraph.splitlines() if "vaccinations:" in line)
    assert (
        '@policy(policies: [["assurance-substantial", "self"], '
        '["assurance-substantial", "attorney-health"], '
        '["assurance-substantial", "custody-under-15"]])'
    ) in health
    address = next(
        line
        for line in supergraph.splitlines()
        if line.startswith("  address: Address")
    )
    assert (
        '@policy(policies: [["self"], ["custody-of-minor", "no-address-protection"], '
        '["attorney-cpr", "no-address-protection"]])'
    ) in address
