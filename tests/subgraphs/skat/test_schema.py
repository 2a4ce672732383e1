import asyncio
from datetime import date

import pytest

from auth.viewer import AssuranceLevel
from subgraphs import kit
from subgraphs.population import Citizen
from subgraphs.skat import seed
from subgraphs.skat.loaders import SkatContext
from subgraphs.skat.schema import subgraph
from tests.subgraphs.authorities import (
    citizen,
    employment,
    household,
    insert_rows,
    run,
    statements,
    viewer,
)

PAYSLIPS = """
query ($id: ID!, $last: Int) {
  _entities(representations: [{__typename: "Person", personId: $id}]) {
    ... on Person {
      personId
      payslips(last: $last) {
        employerCvr employerName periodStart paymentDate incomeType grossPay
        contributionBase incomeWithoutContribution aTax labourMarketContribution
        atpRate atpAmount hours employeePension employerPension aIncome
        withholdingRate allowanceUsed netPay
      }
    }
  }
}
"""

ASSESSMENTS = """
query ($id: ID!) {
  _entities(representations: [{__typename: "Person", personId: $id}]) {
    ... on Person {
      taxAssessments {
        kind year personalIncome capitalIncome deductions employmentDeduction
        taxableIncome bottomTax municipalTax churchTax totalTax taxPaid
        residualTax refund withholdingRate monthlyAllowance
      }
    }
  }
}
"""


async def _seeded(database: kit.Database, *people: Citizen) -> None:
    await insert_rows(database, seed.rows([household(*people)]))


async def test_the_person_sees_their_newest_payslips(database: kit.Database) -> None:
    parent = citizen(employment=employment(42_000))
    await _seeded(database, parent)

    data, errors = await run(
        subgraph, database, viewer(parent), PAYSLIPS, id=parent.person_id, last=None
    )

    assert errors == []
    assert data is not None
    slips = data["_entities"][0]["payslips"]
    assert [s["periodStart"] for s in slips] == [
        "2026-11-01",
        "2026-10-01",
        "2026-09-01",
    ]
    assert slips[0] == {
        "employerCvr": "64642839",
        "employerName": "Mølle Regionshospital",
        "periodStart": "2026-11-01",
        "paymentDate": "2026-11-30",
        "incomeType": "salary",
        "grossPay": 42_000,
        "contributionBase": 40_221,
        "incomeWithoutContribution": 0,
        "aTax": 10_936,
        "labourMarketContribution": 3_218,
        "atpRate": "A",
        "atpAmount": 297,
        "hours": 160,
        "employeePension": 1_680,
        "employerPension": 3_360,
        "aIncome": 37_003,
        "withholdingRate": 37.71,
        "allowanceUsed": 8_003,
        "netPay": 26_067,
    }


@pytest.mark.parametrize("last", [0, 25, -3])
async def test_last_out_of_range_is_a_clear_error(
    database: kit.Database, last: int
) -> None:
    parent = citizen(employment=employment())

    data, errors = await run(
        subgraph, database, viewer(parent), PAYSLIPS, id=parent.person_id, last=last
    )

    assert data == {"_entities": [{"personId": parent.person_id, "payslips": None}]}
    assert len(errors) == 1
    assert errors[0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "argument": "last",
        "value": last,
    }
    assert f"got {last}." in errors[0]["message"]


async def test_last_24_reaches_back_two_years(database: kit.Database) -> None:
    parent = citizen(employment=employment())
    await _seeded(database, parent)

    data, errors = await run(
        subgraph, database, viewer(parent), PAYSLIPS, id=parent.person_id, last=24
    )

    assert errors == []
    assert data is not None
    assert len(data["_entities"][0]["payslips"]) == 24


@pytest.mark.parametrize("query", [PAYSLIPS, ASSESSMENTS])
async def test_the_spouse_is_denied(database: kit.Database, query: str) -> None:
    parent = citizen(employment=employment())
    spouse = citizen(employment=employment(), spouse_id=parent.person_id)
    await _seeded(database, parent, spouse)

    data, errors = await run(
        subgraph,
        database,
        viewer(spouse, spouse=parent.person_id),
        query,
        id=parent.person_id,
    )

    assert data is not None
    assert next(iter(data["_entities"][0].values())) in (None, parent.person_id)
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    assert None in data["_entities"][0].values()


async def test_a_parent_does_not_see_a_childs_pay(database: kit.Database) -> None:
    teen = citizen(birth_date=date(2012, 3, 1), employment=employment(3_000))
    parent = citizen()
    await _seeded(database, parent, teen)

    data, errors = await run(
        subgraph,
        database,
        viewer(parent, children=[teen]),
        PAYSLIPS,
        id=teen.person_id,
    )

    assert data == {"_entities": [{"personId": teen.person_id, "payslips": None}]}
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


async def test_the_person_sees_preliminary_and_annual_assessments(
    database: kit.Database,
) -> None:
    parent = citizen(employment=employment(42_000))
    await _seeded(database, parent)

    data, errors = await run(
        subgraph, database, viewer(parent), ASSESSMENTS, id=parent.person_id
    )

    assert errors == []
    assert data is not None
    assessments = data["_entities"][0]["taxAssessments"]
    assert [(a["kind"], a["year"]) for a in assessments] == [
        ("PRELIMINARY", 2026),
        ("ANNUAL", 2025),
        ("PRELIMINARY", 2025),
    ]
    annual = assessments[1]
    assert annual["personalIncome"] == 12 * 37_003
    assert annual["taxPaid"] == 12 * (10_936 + 3_218)
    assert annual["residualTax"] == annual["totalTax"] - annual["taxPaid"]
    assert annual["refund"] == max(0, -annual["residualTax"])
    assert (assessments[0]["withholdingRate"], assessments[0]["monthlyAllowance"]) == (
        37.71,
        8_003,
    )


async def test_a_person_without_income_has_empty_lists(database: kit.Database) -> None:
    child = citizen(birth_date=date(2018, 1, 1))

    data, errors = await run(
        subgraph, database, viewer(child), ASSESSMENTS, id=child.person_id
    )

    assert errors == []
    assert data == {"_entities": [{"taxAssessments": []}]}


async def test_entities_resolve_many_people_in_order(database: kit.Database) -> None:
    people = [citizen(employment=employment(30_000 + 1_000 * i)) for i in range(3)]
    await _seeded(database, *people)
    query = """
    query ($reps: [_Any!]!) {
      _entities(representations: $reps) {
        ... on Person { personId payslips(last: 1) { grossPay } }
      }
    }
    """
    reps = [{"__typename": "Person", "personId": p.person_id} for p in reversed(people)]

    data, errors = await run(subgraph, database, viewer(people[0]), query, reps=reps)

    assert data is not None
    assert [e["personId"] for e in data["_entities"]] == [r["personId"] for r in reps]
    assert data["_entities"][2]["payslips"] == [{"grossPay": 30_000}]
    assert data["_entities"][0]["payslips"] is None
    assert [e["path"] for e in errors] == [
        ["_entities", 0, "payslips"],
        ["_entities", 1, "payslips"],
    ]


async def test_statements_do_not_grow_with_payslips(database: kit.Database) -> None:
    newcomer = citizen(employment=employment(started=date(2026, 11, 3)))
    veteran = citizen(employment=employment())
    await _seeded(database, newcomer, veteran)
    counts = []

    for person in (newcomer, veteran):
        with statements(database) as seen:
            data, errors = await run(
                subgraph,
                database,
                viewer(person),
                PAYSLIPS,
                id=person.person_id,
                last=12,
            )
        assert errors == []
        assert data is not None
        counts.append((len(data["_entities"][0]["payslips"]), len(seen)))

    assert counts == [(1, counts[0][1]), (12, counts[0][1])]
    assert counts[0][1] == 1


async def test_low_assurance_still_sees_own_pay(database: kit.Database) -> None:
    parent = citizen(employment=employment())
    await _seeded(database, parent)

    _, errors = await run(
        subgraph,
        database,
        viewer(parent, assurance=AssuranceLevel.LOW),
        PAYSLIPS,
        id=parent.person_id,
        last=1,
    )

    assert errors == []


def test_sdl_has_the_person_key_and_the_contract_fields() -> None:
    sdl = subgraph.sdl

    assert 'type Person @key(fields: "personId")' in sdl
    assert "payslips(last: Int = 3): [Payslip!]" in sdl
    assert "taxAssessments: [TaxAssessment!]" in sdl


async def test_concurrent_requests_never_share_rows(database: kit.Database) -> None:
    people = [citizen(employment=employment(30_000 + 1_000 * i)) for i in range(6)]
    await _seeded(database, *people)

    results = await asyncio.gather(
        *(
            run(subgraph, database, viewer(p), PAYSLIPS, id=p.person_id, last=2)
            for p in people
        )
    )

    for person, (data, errors) in zip(people, results, strict=True):
        assert errors == []
        assert data is not None
        gross = {s["grossPay"] for s in data["_entities"][0]["payslips"]}
        assert gross == {person.employment.monthly_gross if person.employment else 0}


async def test_each_request_gets_fresh_loaders(database: kit.Database) -> None:
    first = subgraph.make_context(viewer("a"), database)
    second = subgraph.make_context(viewer("b"), database)

    assert isinstance(first, SkatContext)
    assert isinstance(second, SkatContext)
    assert first.payslips is not second.payslips
    assert first.assessments is not second.assessments
