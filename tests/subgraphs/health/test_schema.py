from datetime import date
from typing import Any

import pytest
from graphql import parse

from auth.viewer import AssuranceLevel
from schema.supergraph import directive_args
from subgraphs import kit
from subgraphs.health import seed
from subgraphs.health.loaders import HealthContext
from subgraphs.health.schema import subgraph
from subgraphs.population import Citizen
from tests.subgraphs.authorities import (
    citizen,
    household,
    insert_rows,
    run,
    statements,
    viewer,
)

FIELDS = """
healthRecord {
  generalPractitioner { name clinic providerNumber }
  medications { drug atcCode dose indication startDate endDate }
  vaccinations { vaccine protectsAgainst dose givenOn }
  labResults { analysisCode value unit referenceRange outsideReference }
  hospitalRecords { hospital diagnosisCode }
  referrals { specialty }
  organDonor { status registered }
}
"""

RECORD = f"""
query ($reps: [_Any!]!) {{
  _entities(representations: $reps) {{
    ... on Person {{ {FIELDS} }}
    ... on Child {{ {FIELDS} }}
  }}
}}
"""

LISTS = (
    "generalPractitioner",
    "medications",
    "vaccinations",
    "labResults",
    "hospitalRecords",
    "referrals",
    "organDonor",
)

YOUNG = date(2018, 5, 1)  # 8 years old on 2026-12-04
TEEN = date(2010, 3, 1)  # 16


def _rep(person: Citizen, typename: str = "Person") -> dict[str, str]:
    return {"__typename": typename, "personId": person.person_id}


async def _seeded(database: kit.Database, *people: Citizen) -> None:
    await insert_rows(database, seed.rows([household(*people)]))


def _forbidden(errors: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        tuple(e["path"][3:]) for e in errors if e["extensions"]["code"] == "FORBIDDEN"
    )


async def test_the_person_sees_their_whole_record(database: kit.Database) -> None:
    person = citizen(birth_date=date(1998, 6, 1))
    await _seeded(database, person)

    data, errors = await run(
        subgraph, database, viewer(person), RECORD, reps=[_rep(person)]
    )

    assert errors == []
    assert data is not None
    record = data["_entities"][0]["healthRecord"]
    assert all(record[name] is not None for name in LISTS)
    assert record["generalPractitioner"]["clinic"] == "Lægerne Roskilde"
    assert len(record["vaccinations"]) == len(seed.PROGRAMME)


@pytest.mark.parametrize("level", [AssuranceLevel.LOW])
async def test_a_low_sign_in_sees_no_health_data(
    database: kit.Database, level: AssuranceLevel
) -> None:
    person = citizen()
    await _seeded(database, person)

    data, errors = await run(
        subgraph, database, viewer(person, assurance=level), RECORD, reps=[_rep(person)]
    )

    assert data == {"_entities": [{"healthRecord": None}]}
    assert [(e["path"], e["extensions"]["code"]) for e in errors] == [
        (["_entities", 0, "healthRecord"], "FORBIDDEN")
    ]


async def test_the_spouse_sees_no_health_data(database: kit.Database) -> None:
    person, spouse = citizen(), citizen()
    await _seeded(database, person, spouse)

    data, errors = await run(
        subgraph,
        database,
        viewer(spouse, spouse=person.person_id),
        RECORD,
        reps=[_rep(person)],
    )

    assert data == {"_entities": [{"healthRecord": None}]}
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


async def test_custody_under_15_sees_medication_and_vaccinations_only(
    database: kit.Database,
) -> None:
    parent, child = citizen(), citizen(birth_date=YOUNG)
    await _seeded(database, parent, child)

    data, errors = await run(
        subgraph,
        database,
        viewer(parent, children=[child]),
        RECORD,
        reps=[_rep(child, "Child")],
    )

    assert data is not None
    record = data["_entities"][0]["healthRecord"]
    assert len(record["vaccinations"]) == 9
    assert record["medications"] is not None
    denied = {"generalPractitioner", "labResults", "hospitalRecords", "referrals"}
    assert {name for name in LISTS if record[name] is None} == denied | {"organDonor"}
    assert _forbidden(errors) == sorted((name,) for name in denied | {"organDonor"})
    assert len(errors) == 5


@pytest.mark.parametrize(
    ("born", "custody", "level"),
    [
        (TEEN, True, AssuranceLevel.SUBSTANTIAL),  # 16: their own sign-in
        (date(2011, 12, 4), True, AssuranceLevel.HIGH),  # 15 today
        (YOUNG, False, AssuranceLevel.SUBSTANTIAL),  # a parent without custody
        (YOUNG, True, AssuranceLevel.LOW),  # custody, but a weak sign-in
    ],
)
async def test_parents_are_denied_otherwise(
    database: kit.Database, born: date, custody: bool, level: AssuranceLevel
) -> None:
    parent, child = citizen(), citizen(birth_date=born)
    await _seeded(database, parent, child)

    data, errors = await run(
        subgraph,
        database,
        viewer(parent, children=[child], custody=custody, assurance=level),
        RECORD,
        reps=[_rep(child, "Child"), _rep(child)],
    )

    assert data == {"_entities": [{"healthRecord": None}, {"healthRecord": None}]}
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN", "FORBIDDEN"]


async def test_the_day_before_15_custody_still_sees(database: kit.Database) -> None:
    parent, child = citizen(), citizen(birth_date=date(2011, 12, 5))
    await _seeded(database, parent, child)

    data, _ = await run(
        subgraph,
        database,
        viewer(parent, children=[child]),
        RECORD,
        reps=[_rep(child, "Child")],
    )

    assert data is not None
    assert data["_entities"][0]["healthRecord"]["vaccinations"]


async def test_a_person_without_a_record_gets_null(database: kit.Database) -> None:
    stranger = citizen()

    data, errors = await run(
        subgraph, database, viewer(stranger), RECORD, reps=[_rep(stranger)]
    )

    assert data == {"_entities": [{"healthRecord": None}]}
    assert errors == []


async def test_statements_do_not_grow_with_the_record(database: kit.Database) -> None:
    baby, teen = citizen(birth_date=date(2026, 8, 15)), citizen(birth_date=TEEN)
    await _seeded(database, baby, teen)
    counts = []

    for person in (baby, teen):
        with statements(database) as seen:
            data, errors = await run(
                subgraph, database, viewer(person), RECORD, reps=[_rep(person)]
            )
        assert errors == []
        assert data is not None
        record = data["_entities"][0]["healthRecord"]
        counts.append((len(record["vaccinations"]), len(seen)))

    assert counts == [(2, 6), (11, 6)]


async def test_a_parent_with_two_children_costs_the_same(
    database: kit.Database,
) -> None:
    parent = citizen()
    small, smaller = citizen(birth_date=YOUNG), citizen(birth_date=date(2020, 1, 9))
    await _seeded(database, parent, small, smaller)
    query = """
    query ($reps: [_Any!]!) {
      _entities(representations: $reps) {
        ... on Child { healthRecord { medications { drug } vaccinations { vaccine } } }
      }
    }
    """
    counts = []

    for children in ([small], [small, smaller]):
        with statements(database) as seen:
            data, errors = await run(
                subgraph,
                database,
                viewer(parent, children=children),
                query,
                reps=[_rep(c, "Child") for c in children],
            )
        assert errors == []
        assert data is not None
        assert all(e["healthRecord"]["vaccinations"] for e in data["_entities"])
        counts.append(len(seen))

    assert counts == [3, 3]


def test_sdl_extends_person_and_child() -> None:
    sdl = subgraph.sdl

    assert 'type Person @key(fields: "personId")' in sdl
    assert 'type Child @key(fields: "personId")' in sdl
    dnf = [
        ["assurance-substantial", "self"],
        ["assurance-substantial", "attorney-health"],
        ["assurance-substantial", "custody-under-15"],
    ]
    assert _policies(sdl, "healthRecord") == {"Person": dnf, "Child": dnf}


def _policies(sdl: str, field_name: str) -> dict[str, Any]:
    found = {}
    for definition in parse(sdl).definitions:
        for item in getattr(definition, "fields", None) or ():
            for directive in item.directives or ():
                if item.name.value == field_name and directive.name.value == "policy":
                    found[definition.name.value] = directive_args(directive)["policies"]
    return found


async def test_each_request_gets_fresh_loaders(database: kit.Database) -> None:
    first = subgraph.make_context(viewer("a"), database)
    second = subgraph.make_context(viewer("b"), database)

    assert isinstance(first, HealthContext)
    assert isinstance(second, HealthContext)
    for name in ("records", "medications", "vaccinations", "lab_results"):
        assert getattr(first, name) is not getattr(second, name)
