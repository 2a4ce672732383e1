from typing import Any

import pytest

from subgraphs import kit
from subgraphs.population import Household
from subgraphs.property import seed
from subgraphs.property.loaders import PropertyContext
from subgraphs.property.schema import subgraph
from tests.subgraphs.authorities import (
    citizen,
    home,
    household,
    insert_rows,
    run,
    statements,
    viewer,
)

PROPERTIES = """
query ($id: ID!) {
  _entities(representations: [{__typename: "Person", personId: $id}]) {
    ... on Person {
      properties {
        bfeNumber
        address { street houseNumber postcode city municipalityCode text }
        cadastre { cadastralDistrict parcelNumber landArea }
        buildings { buildingNumber useCode useText constructionYear floorArea heating }
        ownershipShare { person { personId } fraction numerator denominator since }
        owners { person { personId } fraction }
        valuations { year propertyValue landValue preliminary propertyValueTax landTax }
        propertyValueTax
        landTax
        landTaxRate
      }
    }
  }
}
"""

BY_KEY = """
query ($reps: [_Any!]!) {
  _entities(representations: $reps) {
    ... on Property { bfeNumber ownershipShare { fraction } landTax }
  }
}
"""


async def _seeded(database: kit.Database, *households: Household) -> None:
    await insert_rows(database, seed.rows(households))


async def test_an_owner_sees_the_whole_property(database: kit.Database) -> None:
    parent, spouse = citizen(), citizen()
    await _seeded(
        database, household(parent, spouse, homes=[home(4711, parent, spouse)])
    )

    data, errors = await run(
        subgraph, database, viewer(parent), PROPERTIES, id=parent.person_id
    )

    assert errors == []
    assert data is not None
    [found] = data["_entities"][0]["properties"]
    assert found["bfeNumber"] == 4711
    assert found["address"]["text"] == "Algade 12, 4000 Roskilde"
    assert found["cadastre"] == {
        "cadastralDistrict": "Roskilde Bygrunde",
        "parcelNumber": "14a",
        "landArea": 800,
    }
    assert found["buildings"][0]["useText"] == "Detached single-family house"
    assert found["ownershipShare"] == {
        "person": {"personId": parent.person_id},
        "fraction": "1/2",
        "numerator": 1,
        "denominator": 2,
        "since": "2012-04-01",
    }
    assert [o["person"]["personId"] for o in found["owners"]] == [
        parent.person_id,
        spouse.person_id,
    ]
    newest = found["valuations"][0]
    assert (newest["year"], newest["propertyValue"], newest["preliminary"]) == (
        2025,
        3_800_000,
        True,
    )
    assert (found["landTaxRate"], found["landTax"]) == (7.0, 6_720)
    assert found["propertyValueTax"] == 15_504


async def test_the_spouse_is_denied_the_other_spouses_list(
    database: kit.Database,
) -> None:
    parent, spouse = citizen(), citizen()
    await _seeded(
        database, household(parent, spouse, homes=[home(4711, parent, spouse)])
    )

    data, errors = await run(
        subgraph,
        database,
        viewer(spouse, spouse=parent.person_id),
        PROPERTIES,
        id=parent.person_id,
    )

    assert data == {"_entities": [{"properties": None}]}
    assert len(errors) == 1
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert errors[0]["path"] == ["_entities", 0, "properties"]


async def test_a_property_by_key_is_seen_through_the_viewers_share(
    database: kit.Database,
) -> None:
    owner, stranger = citizen(), citizen()
    await _seeded(database, household(owner, homes=[home(10, owner), home(11, owner)]))
    reps: list[dict[str, Any]] = [
        {"__typename": "Property", "bfeNumber": 11},
        {"__typename": "Property", "bfeNumber": 10},
        {"__typename": "Property", "bfeNumber": 99},
    ]

    mine, mine_errors = await run(subgraph, database, viewer(owner), BY_KEY, reps=reps)
    theirs, their_errors = await run(
        subgraph, database, viewer(stranger), BY_KEY, reps=reps[:1]
    )

    assert mine == {
        "_entities": [
            {"bfeNumber": 11, "ownershipShare": {"fraction": "1/1"}, "landTax": 6_720},
            {"bfeNumber": 10, "ownershipShare": {"fraction": "1/1"}, "landTax": 6_720},
            None,
        ]
    }
    assert [(e["path"], e["extensions"]["code"]) for e in mine_errors] == [
        (["_entities", 2], "NOT_FOUND")
    ]
    assert theirs == {"_entities": [None]}
    assert [e["extensions"]["code"] for e in their_errors] == ["NOT_FOUND"]


@pytest.mark.parametrize(
    "representation",
    [
        {"__typename": "Property", "bfeNumber": "4711"},
        {"__typename": "Property", "bfe": 4711},
        {"__typename": "Property", "bfeNumber": 4711, "owner": "x"},
    ],
)
async def test_a_bad_property_representation_is_refused(
    database: kit.Database, representation: dict[str, Any]
) -> None:
    owner = citizen()
    await _seeded(database, household(owner, homes=[home(4711, owner)]))

    data, errors = await run(
        subgraph, database, viewer(owner), BY_KEY, reps=[representation]
    )

    assert data == {"_entities": [None]}
    assert [e["extensions"]["code"] for e in errors] == ["BAD_REPRESENTATION"]
    assert "Property" in errors[0]["message"] or "BFE" in errors[0]["message"]


async def test_statements_do_not_grow_with_properties(database: kit.Database) -> None:
    single, investor = citizen(), citizen()
    await _seeded(
        database,
        household(single, homes=[home(1, single)]),
        household(investor, homes=[home(n, investor) for n in (2, 3, 4)]),
    )
    counts = []

    for person in (single, investor):
        with statements(database) as seen:
            data, errors = await run(
                subgraph, database, viewer(person), PROPERTIES, id=person.person_id
            )
        assert errors == []
        assert data is not None
        counts.append((len(data["_entities"][0]["properties"]), len(seen)))

    assert counts == [(1, 4), (3, 4)]


def test_sdl_has_the_keys_and_the_contract_fields() -> None:
    sdl = subgraph.sdl

    assert 'type Property @key(fields: "bfeNumber")' in sdl
    assert 'type Person @key(fields: "personId")' in sdl
    assert "properties: [Property!]" in sdl


async def test_each_request_gets_fresh_loaders(database: kit.Database) -> None:
    first = subgraph.make_context(viewer("a"), database)
    second = subgraph.make_context(viewer("b"), database)

    assert isinstance(first, PropertyContext)
    assert isinstance(second, PropertyContext)
    for name in ("homes", "properties", "owners", "buildings", "valuations"):
        assert getattr(first, name) is not getattr(second, name)
