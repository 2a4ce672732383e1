from subgraphs import kit
from subgraphs.property.schema import subgraph
from tests.subgraphs.authorities import entities, persona_viewer, reps, run

HOMES = entities(
    "Person",
    "properties { bfeNumber ownershipShare { fraction } owners { fraction } landTax }",
)


async def test_the_parents_own_half_of_the_family_home_each(
    seeded: dict[str, kit.Database],
) -> None:
    found = []
    for name in ("parent", "spouse"):
        who = await persona_viewer(seeded["cpr"], name)
        data, errors = await run(
            subgraph, seeded["property"], who, HOMES, reps=reps("Person", name)
        )
        assert errors == []
        assert data is not None
        found.append(data["_entities"][0]["properties"])

    assert found[0] == found[1]
    [home] = found[0]
    assert home["ownershipShare"] == {"fraction": "1/2"}
    assert home["owners"] == [{"fraction": "1/2"}, {"fraction": "1/2"}]


async def test_the_pensioner_owns_her_house_alone(
    seeded: dict[str, kit.Database],
) -> None:
    pensioner = await persona_viewer(seeded["cpr"], "pensioner")

    data, errors = await run(
        subgraph,
        seeded["property"],
        pensioner,
        HOMES,
        reps=reps("Person", "pensioner"),
    )

    assert errors == []
    assert data is not None
    [home] = data["_entities"][0]["properties"]
    assert home["ownershipShare"] == {"fraction": "1/1"}


async def test_the_student_rents(seeded: dict[str, kit.Database]) -> None:
    student = await persona_viewer(seeded["cpr"], "student")

    data, errors = await run(
        subgraph, seeded["property"], student, HOMES, reps=reps("Person", "student")
    )

    assert errors == []
    assert data == {"_entities": [{"properties": []}]}
