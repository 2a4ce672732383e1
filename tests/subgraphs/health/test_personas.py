import pytest

from auth.viewer import AssuranceLevel
from subgraphs import kit
from subgraphs.health.schema import subgraph
from tests.subgraphs.authorities import entities, persona_viewer, reps, run

CHILD_RECORD = entities(
    "Child", "healthRecord { vaccinations { vaccine } medications { drug } }"
)
OWN_RECORD = entities(
    "Person", "healthRecord { vaccinations { vaccine } labResults { value } }"
)


async def test_the_parent_sees_the_young_childs_vaccinations(
    seeded: dict[str, kit.Database],
) -> None:
    parent = await persona_viewer(seeded["cpr"], "parent")

    data, errors = await run(
        subgraph,
        seeded["health"],
        parent,
        CHILD_RECORD,
        reps=reps("Child", "young-child", "teen"),
    )

    assert data is not None
    young, teen = data["_entities"]
    assert young["healthRecord"]["vaccinations"]
    assert teen == {"healthRecord": None}
    assert [(e["path"], e["extensions"]["code"]) for e in errors] == [
        (["_entities", 1, "healthRecord"], "FORBIDDEN")
    ]


async def test_the_non_custodial_parent_sees_nothing(
    seeded: dict[str, kit.Database],
) -> None:
    father = await persona_viewer(seeded["cpr"], "non-custodial-parent")
    [child] = father.relations.children

    data, errors = await run(
        subgraph,
        seeded["health"],
        father,
        CHILD_RECORD,
        reps=[{"__typename": "Child", "personId": child.person_id}],
    )

    assert not child.has_custody
    assert data == {"_entities": [{"healthRecord": None}]}
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("level", "allowed"),
    [(AssuranceLevel.SUBSTANTIAL, True), (AssuranceLevel.LOW, False)],
)
async def test_the_teen_signs_in_to_their_own_record(
    seeded: dict[str, kit.Database], level: AssuranceLevel, allowed: bool
) -> None:
    teen = await persona_viewer(seeded["cpr"], "teen", assurance=level)

    data, errors = await run(
        subgraph, seeded["health"], teen, OWN_RECORD, reps=reps("Person", "teen")
    )

    assert data is not None
    record = data["_entities"][0]["healthRecord"]
    assert (record is not None) is allowed
    assert len(errors) == (0 if allowed else 1)
