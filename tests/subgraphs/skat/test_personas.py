from subgraphs import kit
from subgraphs.skat.schema import subgraph
from tests.subgraphs.authorities import entities, persona_viewer, reps, run

INCOME = entities(
    "Person",
    "payslips { incomeType grossPay netPay } "
    "taxAssessments { kind year totalTax refund }",
)


async def test_the_parent_sees_the_domain_payslip_and_year(
    seeded: dict[str, kit.Database],
) -> None:
    parent = await persona_viewer(seeded["cpr"], "parent")

    data, errors = await run(
        subgraph, seeded["skat"], parent, INCOME, reps=reps("Person", "parent")
    )

    assert errors == []
    assert data is not None
    income = data["_entities"][0]
    assert (
        income["payslips"]
        == [{"incomeType": "salary", "grossPay": 42_000, "netPay": 26_067}] * 3
    )
    annual = next(a for a in income["taxAssessments"] if a["kind"] == "ANNUAL")
    assert (annual["year"], annual["totalTax"], annual["refund"]) == (
        2025,
        158_846,
        11_002,
    )


async def test_the_spouse_does_not_see_the_parents_income(
    seeded: dict[str, kit.Database],
) -> None:
    spouse = await persona_viewer(seeded["cpr"], "spouse")

    data, errors = await run(
        subgraph, seeded["skat"], spouse, INCOME, reps=reps("Person", "parent")
    )

    assert spouse.relations.spouse_id is not None
    assert data == {"_entities": [{"payslips": None, "taxAssessments": None}]}
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN", "FORBIDDEN"]


async def test_the_student_has_pay_and_the_grant(
    seeded: dict[str, kit.Database],
) -> None:
    student = await persona_viewer(seeded["cpr"], "student")

    data, errors = await run(
        subgraph, seeded["skat"], student, INCOME, reps=reps("Person", "student")
    )

    assert errors == []
    assert data is not None
    kinds = {p["incomeType"] for p in data["_entities"][0]["payslips"]}
    assert kinds == {"salary", "su_grant"}
