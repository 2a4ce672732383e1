"""The civil register subgraph against a seeded database (SQLite and PostgreSQL)."""

import asyncio
import uuid
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from auth.viewer import ANONYMOUS, ChildRelation, PowerOfAttorney, Relations
from subgraphs import kit
from subgraphs.cpr.names import addressing_name
from subgraphs.cpr.relations import (
    VIEWER_RELATIONS_QUERY,
    BadRelations,
    load_relations,
    relations_from_result,
)
from subgraphs.cpr.types import NOT_FOUND_MESSAGE
from subgraphs.population import PERSONAS, TODAY, persona
from tests.subgraphs.authorities import statements
from tests.subgraphs.cpr.conftest import (
    add_family,
    errors,
    execute,
    persona_viewer,
    viewer_for,
)

ME = """
{ me {
    personId cprNumber birthDate
    name { firstNames middleName lastName addressingName }
    address { street houseNumber floor door postcode city municipalityCode addressId }
    civilStatus { code description since }
    status { code since }
    protections { kind validFrom validTo }
    spouse { personId cprNumber name { firstNames } marriedSince }
    children { personId cprNumber birthDate name { firstNames } hasCustody }
    parents { personId hasCustody }
} }
"""

PERSON = """
query ($id: ID!) { person(personId: $id) {
    personId cprNumber name { lastName } birthDate
    address { city } civilStatus { code } protections { kind }
} }
"""

ENTITIES = """
query ($reps: [_Any!]!) { _entities(representations: $reps) {
    ... on Person { personId name { firstNames } }
    ... on Spouse { personId cprNumber }
    ... on Child { personId name { firstNames } hasCustody }
} }
"""


def pid(name: str) -> str:
    return persona(name).person_id


async def test_me_shows_everything_to_the_person(cpr: kit.Database) -> None:
    result = await execute(cpr, await persona_viewer(cpr, "parent"), ME)

    assert result.errors is None
    assert result.data is not None
    me = result.data["me"]
    assert me["personId"] == pid("parent")
    assert me["civilStatus"]["code"] == "G"
    assert me["address"]["municipalityCode"] == "265"
    assert me["protections"] == []
    assert me["spouse"]["personId"] == pid("spouse")
    assert [c["personId"] for c in me["children"]] == [pid("teen"), pid("young-child")]
    assert all(c["hasCustody"] for c in me["children"])
    assert me["parents"] == []


async def test_a_child_sees_their_parents(cpr: kit.Database) -> None:
    result = await execute(cpr, await persona_viewer(cpr, "teen"), ME)

    assert result.data is not None
    parents = result.data["me"]["parents"]
    assert {p["personId"] for p in parents} == {pid("parent"), pid("spouse")}
    assert all(p["hasCustody"] for p in parents)


async def test_the_spouse_sees_name_and_cpr_number_only(cpr: kit.Database) -> None:
    viewer = await persona_viewer(cpr, "spouse")

    result = await execute(cpr, viewer, PERSON, {"id": pid("parent")})

    assert result.data is not None
    person = result.data["person"]
    assert person["cprNumber"] is not None
    assert person["name"] == {"lastName": "Jensen"}
    assert person["address"] is None
    assert person["civilStatus"] is None
    assert person["protections"] is None
    assert sorted(errors(result)) == [
        (["person", "address"], "FORBIDDEN"),
        (["person", "civilStatus"], "FORBIDDEN"),
        (["person", "protections"], "FORBIDDEN"),
    ]


async def test_parents_see_their_childrens_name_and_number(cpr: kit.Database) -> None:
    viewer = await persona_viewer(cpr, "parent")

    result = await execute(cpr, viewer, PERSON, {"id": pid("teen")})

    assert result.data is not None
    assert result.data["person"]["cprNumber"] is not None
    assert result.data["person"]["address"] == {"city": "Roskilde"}
    assert sorted(errors(result)) == [
        (["person", "civilStatus"], "FORBIDDEN"),
        (["person", "protections"], "FORBIDDEN"),
    ]


async def test_a_non_custodial_parent_does_not_see_the_address(
    cpr: kit.Database,
) -> None:
    viewer = await persona_viewer(cpr, "non-custodial-parent")
    (child,) = viewer.relations.children
    assert not child.has_custody

    result = await execute(cpr, viewer, PERSON, {"id": child.person_id})

    assert result.data is not None
    assert result.data["person"]["name"] is not None
    assert (["person", "address"], "FORBIDDEN") in errors(result)


async def test_a_protected_address_is_shown_to_nobody_but_the_person(
    cpr: kit.Database,
) -> None:
    family = await add_family(cpr, children=1, protected_children=True)
    (child,) = family.children
    parent = await viewer_for(cpr, family.parent.person_id)

    seen_by_parent = await execute(cpr, parent, PERSON, {"id": child.person_id})
    seen_by_child = await execute(
        cpr, await viewer_for(cpr, child.person_id), PERSON, {"id": child.person_id}
    )

    assert seen_by_parent.data is not None
    assert seen_by_parent.data["person"]["address"] is None
    assert seen_by_parent.data["person"]["protections"] is None
    assert (["person", "address"], "FORBIDDEN") in errors(seen_by_parent)
    assert (["person", "protections"], "FORBIDDEN") in errors(seen_by_parent)
    assert seen_by_child.data is not None
    assert seen_by_child.data["person"]["address"] == {"city": "Roskilde"}
    assert seen_by_child.data["person"]["protections"] == [{"kind": "NAME_ADDRESS"}]


async def test_the_protected_persona_sees_her_own_address(cpr: kit.Database) -> None:
    result = await execute(cpr, await persona_viewer(cpr, "protected"), ME)

    assert result.data is not None
    me = result.data["me"]
    assert me["address"]["city"] == "København N"
    assert [p["kind"] for p in me["protections"]] == ["NAME_ADDRESS"]
    assert me["protections"][0]["validTo"] is not None


async def test_a_denied_and_an_unknown_person_look_the_same(cpr: kit.Database) -> None:
    viewer = await persona_viewer(cpr, "parent")

    denied = await execute(cpr, viewer, PERSON, {"id": pid("pensioner")})
    unknown = await execute(cpr, viewer, PERSON, {"id": str(uuid.uuid4())})

    assert denied.data == unknown.data == {"person": None}
    assert denied.errors is not None
    assert unknown.errors is not None
    assert [e.formatted for e in denied.errors] == [e.formatted for e in unknown.errors]
    assert denied.errors[0].message == NOT_FOUND_MESSAGE
    assert errors(denied) == [(["person"], "NOT_FOUND")]


async def test_no_one_signed_in_sees_nobody(cpr: kit.Database) -> None:
    me = await execute(cpr, ANONYMOUS, "{ me { personId } }")
    other = await execute(cpr, ANONYMOUS, PERSON, {"id": pid("parent")})

    assert me.data == {"me": None}
    assert me.errors is None
    assert errors(other) == [(["person"], "NOT_FOUND")]


@pytest.mark.parametrize(
    ("name", "status", "has_address"),
    [("deceased", "90", False), ("emigrated", "80", False), ("student", "01", True)],
)
async def test_person_status(
    cpr: kit.Database, name: str, status: str, has_address: bool
) -> None:
    result = await execute(
        cpr,
        await persona_viewer(cpr, name),
        "{ me { status { code } address { city } } }",
    )

    assert result.data is not None
    assert result.data["me"]["status"]["code"] == status
    assert (result.data["me"]["address"] is not None) is has_address


async def test_a_number_failing_modulus_11_is_served(cpr: kit.Database) -> None:
    result = await execute(
        cpr, await persona_viewer(cpr, "no-mod11"), "{ me { cprNumber birthDate } }"
    )

    assert result.data is not None
    assert result.data["me"] == {"cprNumber": "670408-5738", "birthDate": "2008-04-07"}


async def test_relations_of_the_viewer(cpr: kit.Database) -> None:
    relations = await load_relations(cpr, pid("parent"))

    assert relations.spouse_id == pid("spouse")
    assert [c.person_id for c in relations.children] == [
        pid("teen"),
        pid("young-child"),
    ]
    assert all(c.has_custody for c in relations.children)
    assert (await load_relations(cpr, str(uuid.uuid4()))).children == ()


async def test_relations_carry_parents_and_the_powers_held_that_have_not_ended(
    cpr: kit.Database,
) -> None:
    relations = await load_relations(cpr, pid("attorney"), today=date(2026, 12, 4))
    later = await load_relations(cpr, pid("attorney"), today=date(2028, 2, 1))

    assert set(relations.parent_ids) == {pid("pensioner"), pid("deceased")}
    assert relations.powers == (
        PowerOfAttorney(
            pid("pensioner"),
            frozenset({"skat", "property"}),
            date(2025, 2, 1),
            date(2028, 1, 31),
        ),
    )
    assert later.powers == ()


async def test_me_is_the_person_acted_for_and_lookups_follow(
    cpr: kit.Database,
) -> None:
    attorney = await persona_viewer(cpr, "attorney")
    acting = replace(attorney, acting_for=pid("pensioner"))
    query = "query ($id: ID!) { me { personId } person(personId: $id) { personId } }"

    as_herself = await execute(cpr, attorney, query, {"id": pid("pensioner")})
    for_her_mother = await execute(cpr, acting, query, {"id": pid("pensioner")})

    assert as_herself.data == {
        "me": {"personId": pid("attorney")},
        "person": None,
    }
    assert for_her_mother.data == {
        "me": {"personId": pid("pensioner")},
        "person": {"personId": pid("pensioner")},
    }


async def test_a_subgraph_refuses_me_for_someone_the_viewer_may_not_act_for(
    cpr: kit.Database,
) -> None:
    student = await persona_viewer(cpr, "student")
    acting = replace(student, acting_for=pid("pensioner"))

    result = await execute(cpr, acting, "{ me { personId name { lastName } } }")

    assert result.data == {"me": None}
    assert errors(result) == [(["me"], "NOT_FOUND")]


@pytest.mark.parametrize("name", [p.name for p in PERSONAS])
async def test_relations_read_directly_equal_those_read_over_graphql(
    cpr: kit.Database, name: str
) -> None:
    viewer = await persona_viewer(cpr, name)
    result = await execute(cpr, viewer, VIEWER_RELATIONS_QUERY)
    assert result.errors is None

    over_graphql = relations_from_result(result.data)

    assert over_graphql == await load_relations(cpr, pid(name), TODAY)
    assert over_graphql == viewer.relations


def test_relations_from_a_result() -> None:
    data = {
        "viewerRelations": {
            "spouseId": None,
            "children": [
                {"personId": "c", "birthDate": "2015-06-25", "hasCustody": False}
            ],
            "parentIds": ["p"],
            "powers": [
                {
                    "grantorId": "g",
                    "scope": ["skat", "property"],
                    "validFrom": "2025-02-01",
                    "validTo": None,
                }
            ],
        }
    }

    relations = relations_from_result(data)

    assert relations.spouse_id is None
    assert relations.children[0].birth_date.year == 2015
    assert relations.parent_ids == ("p",)
    assert relations.powers == (
        PowerOfAttorney("g", frozenset({"skat", "property"}), date(2025, 2, 1)),
    )
    assert relations_from_result({"viewerRelations": None}).children == ()
    with pytest.raises(BadRelations):
        relations_from_result({"viewerRelations": {"children": [{}]}})


async def test_entities_check_each_representation(cpr: kit.Database) -> None:
    viewer = await persona_viewer(cpr, "parent")
    reps: list[Any] = [
        {"__typename": "Child", "personId": pid("young-child")},
        {"__typename": "Persn", "personId": pid("parent")},
        {"__typename": "Person"},
        {"__typename": "Person", "personId": pid("parent"), "cpr": "x"},
        {"__typename": "Spouse", "personId": pid("spouse")},
        {"__typename": "Child", "personId": pid("pensioner")},
        {"__typename": "Person", "personId": pid("parent")},
    ]

    result = await execute(cpr, viewer, ENTITIES, {"reps": reps})

    assert result.data is not None
    found = result.data["_entities"]
    assert [item and item["personId"] for item in found] == [
        pid("young-child"),
        None,
        None,
        None,
        pid("spouse"),
        None,
        pid("parent"),
    ]
    assert found[0]["hasCustody"] is True
    assert errors(result) == [
        (["_entities", 1], "BAD_REPRESENTATION"),
        (["_entities", 2], "BAD_REPRESENTATION"),
        (["_entities", 3], "BAD_REPRESENTATION"),
        (["_entities", 5], "NOT_FOUND"),
    ]
    messages = [e.message for e in result.errors or []]
    assert "'Persn'" in messages[0]
    assert "personId" in messages[1]
    assert "'cpr'" in messages[2]
    assert not any("subgraphs." in m or "Error" in m for m in messages)


async def test_entities_of_a_child_without_custody(cpr: kit.Database) -> None:
    viewer = await persona_viewer(cpr, "non-custodial-parent")
    (child,) = viewer.relations.children
    reps = [{"__typename": "Child", "personId": child.person_id}]

    result = await execute(cpr, viewer, ENTITIES, {"reps": reps})

    assert result.errors is None
    assert result.data == {
        "_entities": [
            {
                "personId": child.person_id,
                "name": {"firstNames": "Alma"},
                "hasCustody": False,
            }
        ]
    }


FAMILY_QUERY = """
{ me {
    name { firstNames } protections { kind }
    spouse { name { firstNames } }
    children { personId cprNumber birthDate name { lastName } hasCustody }
} }
"""


async def test_statements_do_not_depend_on_the_number_of_children(
    cpr: kit.Database,
) -> None:
    small = await add_family(cpr, children=1)
    large = await add_family(cpr, children=6)
    counts = []
    for family in (small, large):
        viewer = await viewer_for(cpr, family.parent.person_id)
        with statements(cpr) as seen:
            result = await execute(cpr, viewer, FAMILY_QUERY)
        assert result.errors is None
        assert result.data is not None
        assert len(result.data["me"]["children"]) == len(family.children)
        counts.append(len(seen))

    assert counts[0] == counts[1]
    assert counts[0] <= 2


async def test_entities_batch_into_one_statement(cpr: kit.Database) -> None:
    family = await add_family(cpr, children=6, custody=False)
    viewer = await viewer_for(cpr, family.parent.person_id)
    counts = []
    for size in (1, 6):
        reps = [
            {"__typename": "Child", "personId": c.person_id} for c in family.children
        ]
        with statements(cpr) as seen:
            result = await execute(cpr, viewer, ENTITIES, {"reps": reps[:size]})
        assert result.errors is None
        counts.append(len(seen))

    assert counts == [2, 2]  # the people, then the custody of all of them


async def test_concurrent_requests_never_share_rows(cpr: kit.Database) -> None:
    names = ["parent", "spouse", "pensioner", "student", "protected", "teen"] * 2
    viewers = [await persona_viewer(cpr, name) for name in names]

    results = await asyncio.gather(
        *(execute(cpr, viewer, "{ me { personId cprNumber } }") for viewer in viewers)
    )

    for viewer, result in zip(viewers, results, strict=True):
        assert result.data is not None
        assert result.data["me"]["personId"] == viewer.person_id
    numbers = {r.data["me"]["cprNumber"] for r in results if r.data}
    assert len(numbers) == len(set(names))


@pytest.mark.parametrize(
    ("first", "middle", "last", "expected"),
    [
        ("Mette", "Holm", "Jensen", "Mette Holm Jensen"),
        (
            "Anne Sofie Charlotte Marie",
            "Vestergaard",
            "Christiansen",
            "Anne S. C. M. V. Christiansen",
        ),
    ],
)
def test_addressing_names_fit(
    first: str, middle: str, last: str, expected: str
) -> None:
    name = addressing_name(first, middle, last)
    assert len(name) <= 34
    assert name.startswith(expected)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


async def _relations_by_plain_sql(
    cpr: kit.Database, person_id: str, today: date
) -> Relations:
    """The relations read with plain SQL, apart from the loaders' statements."""
    async with cpr.engine.connect() as connection:

        async def rows(sql: str) -> list[Any]:
            return list(await connection.execute(text(sql), {"p": person_id}))

        person = await rows("SELECT spouse_id FROM persons WHERE person_id = :p")
        children = await rows(
            "SELECT c.person_id, c.birth_date, pc.custody FROM parent_child pc "
            "JOIN persons c ON c.person_id = pc.child_id WHERE pc.parent_id = :p "
            "ORDER BY c.birth_date, c.person_id"
        )
        parents = await rows(
            "SELECT parent_id FROM parent_child WHERE child_id = :p ORDER BY parent_id"
        )
        powers = await rows(
            "SELECT grantor_id, scope, valid_from, valid_to FROM powers_of_attorney "
            "WHERE grantee_id = :p ORDER BY valid_from, power_id"
        )
    if not person:
        return Relations()
    return Relations(
        spouse_id=person[0].spouse_id or None,
        children=tuple(
            ChildRelation(c.person_id, _day(c.birth_date), bool(c.custody))
            for c in children
        ),
        parent_ids=tuple(p.parent_id for p in parents),
        powers=tuple(
            PowerOfAttorney(
                p.grantor_id,
                frozenset(p.scope.split()),
                _day(p.valid_from),
                None if p.valid_to is None else _day(p.valid_to),
            )
            for p in powers
            if p.valid_to is None or today <= _day(p.valid_to)
        ),
    )


@pytest.mark.parametrize("name", [p.name for p in PERSONAS] + ["unknown"])
async def test_relations_read_directly_equal_those_read_with_plain_sql(
    cpr: kit.Database, name: str
) -> None:
    """Both sides of the GraphQL comparison above come from ``read_relations``:
    this one checks it against the tables, on dates around the end of a power."""
    person_id = str(uuid.UUID(int=0)) if name == "unknown" else pid(name)
    for today in (TODAY, date(2028, 1, 31), date(2028, 2, 1), date(2025, 1, 31)):
        expected = await _relations_by_plain_sql(cpr, person_id, today)
        assert await load_relations(cpr, person_id, today) == expected
