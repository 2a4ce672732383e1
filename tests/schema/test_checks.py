"""Schema checks of changed subgraphs against the citizen graph's fixtures."""

import json

import pytest

from schema.checks import check, replace_subgraph
from schema.compose import SubgraphSdl
from tests.schema.sdl_sets import composing_sets

DASHBOARD = """
query Dashboard {
  me {
    personId
    name { first last }
    children { name { first } healthRecord { vaccinations { name date } } }
    payslips { grossPay netPay }
    taxAssessments { year residualTax }
    properties { address valuation }
    healthRecord { generalPractitioner }
  }
}
"""
HOMES = "query Homes { me { properties { address } } }"
OPERATIONS = [("Dashboard", DASHBOARD), ("Homes", HOMES)]


def current() -> list[SubgraphSdl]:
    """The four authorities of the citizen fixture."""
    return composing_sets()["citizen"]


def changed(name: str, before: str, after: str) -> str:
    """The SDL of subgraph ``name`` with one edit."""
    sdl = next(s.sdl for s in current() if s.name == name)
    assert before in sdl
    return sdl.replace(before, after, 1)


# (subgraph, before, after, changes as (severity, code, coordinate), broken names)
Case = tuple[str, str, str, list[tuple[str, str, str]], list[str]]

BREAKING: list[Case] = [
    (
        "cpr",
        "  name: Name!\n  address",
        "  fullName: Name!\n  address",
        [
            ("BREAKING", "FIELD_REMOVED", "Person.name"),
            ("SAFE", "FIELD_ADDED", "Person.fullName"),
        ],
        ["Dashboard"],
    ),
    (
        "skat",
        "residualTax: Int",
        "residualTax: String",
        [("BREAKING", "FIELD_TYPE_CHANGED", "TaxAssessment.residualTax")],
        [],
    ),
    (
        "property",
        "  properties: [Property!]!",
        "  properties(year: Int!): [Property!]!",
        [("BREAKING", "ARGUMENT_ADDED_REQUIRED", "Person.properties(year:)")],
        ["Dashboard", "Homes"],
    ),
    (
        "health",
        "  date: String!\n",
        "",
        [("BREAKING", "FIELD_REMOVED", "Vaccination.date")],
        ["Dashboard"],
    ),
]

SAFE: list[Case] = [
    (
        "cpr",
        "  children: [Child!]!\n",
        "  children: [Child!]!\n  birthDate: String\n",
        [("SAFE", "FIELD_ADDED", "Person.birthDate")],
        [],
    ),
    (
        "skat",
        "  PRELIMINARY\n",
        "  PRELIMINARY\n  CORRECTED\n",
        [("DANGEROUS", "ENUM_VALUE_ADDED", "AssessmentKind.CORRECTED")],
        [],
    ),
    (
        "property",
        "  valuation: Int\n",
        "  valuation: Int!\n",
        [("SAFE", "FIELD_MADE_NON_NULL", "Property.valuation")],
        [],
    ),
    (
        "health",
        "  vaccinations: [Vaccination!]!",
        "  vaccinations(since: String): [Vaccination!]!",
        [("SAFE", "ARGUMENT_ADDED", "HealthRecord.vaccinations(since:)")],
        [],
    ),
]


@pytest.mark.parametrize(
    ("name", "before", "after", "expected", "broken"),
    BREAKING + SAFE,
    ids=[f"{c[0]}-breaking" for c in BREAKING] + [f"{c[0]}-safe" for c in SAFE],
)
def test_each_authority_change_is_reported(
    name: str,
    before: str,
    after: str,
    expected: list[tuple[str, str, str]],
    broken: list[str],
) -> None:
    report = check(name, changed(name, before, after), current(), OPERATIONS)

    assert report.composition_errors == ()
    assert [
        (c.severity.value, c.code, c.coordinate) for c in report.changes
    ] == expected
    assert [o.name for o in report.broken_operations] == broken
    assert report.breaking is any(s == "BREAKING" for s, _, _ in expected)


def test_broken_operation_carries_the_validation_messages() -> None:
    name, before, after, _, _ = BREAKING[0]

    report = check(name, changed(name, before, after), current(), OPERATIONS)

    assert report.broken_operations[0].messages == (
        "Cannot query field 'name' on type 'Person'.",
    )


def test_a_change_that_does_not_compose_is_breaking() -> None:
    sdl = changed("skat", "  personId: ID!\n", "  personId: String!\n")

    report = check("skat", sdl, current(), OPERATIONS)

    assert report.breaking
    assert [e.code for e in report.composition_errors] == ["FIELD_TYPE_MISMATCH"]
    assert report.changes == ()
    assert report.supergraph is None
    assert '[FIELD_TYPE_MISMATCH] Field "Person.personId"' in report.as_text()


def test_a_new_subgraph_is_added_to_the_others() -> None:
    pension = next(s for s in composing_sets()["shop"] if s.name == "inventory")
    sdl = pension.sdl.replace("Product", "Pension").replace("upc", "pensionId")

    report = check("pension", sdl, current(), OPERATIONS)

    assert not report.breaking
    assert ("SAFE", "TYPE_ADDED", "Pension") in [
        (c.severity.value, c.code, c.coordinate) for c in report.changes
    ]


def test_replace_subgraph_keeps_the_order_and_url() -> None:
    subgraphs = [
        SubgraphSdl("a", "http://127.0.0.1:1/graphql", "x"),
        SubgraphSdl("b", None, "y"),
    ]

    assert replace_subgraph(subgraphs, "a", "z") == [
        SubgraphSdl("a", "http://127.0.0.1:1/graphql", "z"),
        SubgraphSdl("b", None, "y"),
    ]


def test_text_report_reads_as_a_report() -> None:
    name, before, after, _, _ = BREAKING[0]

    text = check(name, changed(name, before, after), current(), OPERATIONS).as_text()

    assert text.splitlines()[:3] == [
        'Schema check of subgraph "cpr": BREAKING',
        "",
        "Composition: the changed subgraph composes with the others.",
    ]
    assert (
        '  BREAKING  Field "Person.name" was removed (perhaps renamed to '
        '"Person.fullName").'
    ) in text.splitlines()
    assert "Operations that stop validating: 1" in text


def test_json_report_has_every_part() -> None:
    name, before, after, _, _ = SAFE[0]

    data = json.loads(check(name, changed(name, before, after), current()).as_json())

    assert data == {
        "subgraph": "cpr",
        "breaking": False,
        "composes": True,
        "compositionErrors": [],
        "changes": [
            {
                "severity": "SAFE",
                "code": "FIELD_ADDED",
                "coordinate": "Person.birthDate",
                "message": 'Field "Person.birthDate" was added.',
            }
        ],
        "brokenOperations": [],
        "notes": [],
    }


def test_operations_that_never_validated_are_not_blamed_on_the_change() -> None:
    name, before, after, _, _ = SAFE[0]
    operations = [("Stale", "query Stale { me { pension } }"), ("Broken", "query {")]

    report = check(name, changed(name, before, after), current(), operations)

    assert report.broken_operations == ()
    assert report.notes == (
        'Operation "Broken" does not parse, so it was not checked: Syntax Error: '
        "Expected Name, found <EOF>.",
    )
