from collections import defaultdict
from datetime import date
from typing import Any

from subgraphs.population import generate, persona
from subgraphs.skat import seed
from subgraphs.skat.models import payslips, tax_assessments
from tests.subgraphs.authorities import citizen, employment, household


def _of(rows: list[dict[str, Any]], person_id: str) -> list[dict[str, Any]]:
    return [row for row in rows if row["person_id"] == person_id]


def test_pay_months_are_the_24_paid_before_today() -> None:
    months = seed.pay_months(date(2026, 12, 4))

    assert len(months) == 24
    assert (months[0].start, months[-1].start) == (date(2024, 12, 1), date(2026, 11, 1))
    assert months[-1].payday == date(2026, 11, 30)
    assert seed.last_weekday(2026, 1) == date(2026, 1, 30)  # the 31st is a Saturday


def test_a_salary_of_42000_gives_the_domain_payslip() -> None:
    parent = citizen(employment=employment(42_000))

    rows = seed.rows([household(parent)])

    slips = rows[payslips]
    assert len(slips) == 24
    assert {
        (s["contribution_base"], s["contribution"], s["a_tax"], s["net_pay"])
        for s in slips
    } == {(40_221, 3_218, 10_936, 26_067)}
    assert {s["withholding_rate"] for s in slips} == {3771}


def test_annual_assessments_agree_with_the_years_payslips() -> None:
    chunk = next(generate(300, seed=7))
    rows = seed.rows(chunk)
    slips: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows[payslips]:
        if row["period_start"].year == seed.ANNUAL_YEAR:
            slips[row["person_id"]].append(row)

    annual = [a for a in rows[tax_assessments] if a["kind"] == "ANNUAL"]

    assert len(annual) > 50
    assert {a["person_id"] for a in annual} == set(slips)
    for assessment in annual:
        year = slips[assessment["person_id"]]
        assert assessment["personal_income"] == sum(s["a_income"] for s in year)
        assert assessment["labour_market_contribution"] == sum(
            s["contribution"] for s in year
        )
        assert assessment["tax_paid"] == sum(
            s["a_tax"] + s["contribution"] for s in year
        )
        assert (
            assessment["residual_tax"]
            == assessment["total_tax"] - assessment["tax_paid"]
        )


def test_payslips_withhold_by_the_preliminary_assessment_of_their_year() -> None:
    chunk = next(generate(300, seed=7))
    rows = seed.rows(chunk)
    cards = {
        (a["person_id"], a["year"]): (a["withholding_rate"], a["monthly_allowance"])
        for a in rows[tax_assessments]
        if a["kind"] == "PRELIMINARY"
    }

    for slip in rows[payslips]:
        key = (slip["person_id"], slip["period_start"].year)
        if key in cards:
            assert slip["withholding_rate"] == cards[key][0]
            assert slip["allowance_used"] <= cards[key][1]


def test_the_parent_persona_earns_42000() -> None:
    chunk = next(generate(50, seed=1))
    parent = persona("parent").person_id

    slips = _of(seed.rows(chunk)[payslips], parent)

    assert slips
    assert {s["gross_pay"] for s in slips} == {42_000}
    assert {s["net_pay"] for s in slips} == {26_067}


def test_the_parent_personas_year_is_the_domain_year() -> None:
    chunk = next(generate(50, seed=1))
    parent = persona("parent").person_id

    [annual] = [
        a
        for a in seed.rows(chunk)[tax_assessments]
        if a["person_id"] == parent and a["kind"] == "ANNUAL"
    ]

    assert (
        annual["personal_income"],
        annual["capital_income"],
        annual["employment_deduction"] + annual["other_deductions"],
        annual["taxable_income"],
        annual["total_tax"],
        annual["tax_paid"],
        annual["residual_tax"],
    ) == (444_036, -36_800, 67_538, 339_698, 158_846, 169_848, -11_002)


def test_rows_are_deterministic() -> None:
    first = seed.rows(next(generate(100, seed=3)))
    second = seed.rows(next(generate(100, seed=3)))

    assert first == second


def test_the_dead_and_the_emigrated_have_no_rows() -> None:
    gone = citizen(employment=employment(), status="90", address=None)

    rows = seed.rows([household(gone)])

    assert rows == {payslips: [], tax_assessments: []}


def test_a_new_job_starts_the_payslips() -> None:
    newcomer = citizen(employment=employment(started=date(2026, 11, 10)))

    rows = seed.rows([household(newcomer)])

    assert [s["period_start"] for s in rows[payslips]] == [date(2026, 11, 1)]
    assert [(a["kind"], a["year"]) for a in rows[tax_assessments]] == [
        ("PRELIMINARY", 2026)
    ]


def test_a_student_has_salary_and_grant_sharing_one_allowance() -> None:
    student = citizen(
        employment=employment(4_000),
        other_monthly_income=7_426,
        other_income_type="su_grant",
    )

    rows = seed.rows([household(student)])

    november = [s for s in rows[payslips] if s["period_start"] == date(2026, 11, 1)]
    assert [s["income_type"] for s in november] == ["salary", "su_grant"]
    salary, grant = november
    allowance = next(a["monthly_allowance"] for a in rows[tax_assessments])
    assert salary["allowance_used"] == salary["a_income"]
    assert grant["allowance_used"] == allowance - salary["a_income"]
    assert grant["other_a_income"] == 7_426
    assert grant["contribution"] == 0
