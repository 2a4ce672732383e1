from decimal import Decimal

import pytest

from subgraphs.skat import rates

ROSKILDE = (Decimal("0.2520"), Decimal("0.0050"))  # 37.71 % with the bottom tax


def test_the_domain_payslip_of_42000() -> None:
    card = rates.tax_card(40_221 * 12, *ROSKILDE)
    pay = rates.Pay(42_000, Decimal("0.04"), Decimal("0.08"), hours=160)

    slip = rates.withhold(pay, card, card.monthly_allowance)

    assert card.basis_points == 3771
    assert card.monthly_allowance == 8_003
    assert (slip.atp_employee, slip.atp_total) == (99, 297)
    assert slip.employee_pension == 1_680
    assert slip.employer_pension == 3_360
    assert slip.contribution_base == 40_221
    assert slip.contribution == 3_218
    assert slip.a_income == 37_003
    assert slip.a_tax == 10_936
    assert slip.net == 26_067


def test_the_domain_year() -> None:
    card = rates.tax_card(40_221 * 12, *ROSKILDE)
    pay = rates.Pay(42_000, Decimal("0.04"), Decimal("0.08"), hours=160)
    month = rates.withhold(pay, card, card.monthly_allowance)

    year = rates.assess(rates.YearIncome.of([month] * 12, -36_800, 6_000), *ROSKILDE)

    assert year.personal_income == 444_036
    assert year.capital_income == -36_800
    assert year.deductions == 67_538
    assert year.taxable_income == 339_698
    assert year.total_tax == 158_846
    assert year.tax_paid == 169_848
    assert year.residual_tax == -11_002


@pytest.mark.parametrize(
    ("base", "expected"),
    [(40_221, 3_218), (40_229, 3_218), (40_230, 3_218), (40_240, 3_219), (9, 0)],
)
def test_contribution_rounds_the_base_down_to_ten_kroner(
    base: int, expected: int
) -> None:
    assert rates.contribution(base) == expected


@pytest.mark.parametrize(
    ("hours", "shares"),
    [
        (160, (99, 198)),
        (117, (99, 198)),
        (116, (66, 132)),
        (40, (33, 66)),
        (38, (0, 0)),
    ],
)
def test_atp_follows_the_monthly_scale(hours: int, shares: tuple[int, int]) -> None:
    assert rates.atp(hours) == shares


def test_employment_deduction_is_capped() -> None:
    assert rates.employment_deduction(400_000) == 51_000
    assert rates.employment_deduction(2_000_000) == 63_300


def test_high_income_pays_middle_top_and_top_top_tax() -> None:
    income = rates.YearIncome(a_income=3_000_000, contribution_base=3_260_000)

    year = rates.assess(income, *ROSKILDE)

    assert year.middle_tax == rates.kroner(
        Decimal(3_000_000 - 641_200) * Decimal("0.075")
    )
    assert year.top_tax == rates.kroner(Decimal(3_000_000 - 777_900) * Decimal("0.075"))
    assert year.top_top_tax == rates.kroner(
        Decimal(3_000_000 - 2_592_700) * Decimal("0.05")
    )


def test_positive_capital_income_counts_for_the_state_taxes() -> None:
    without = rates.assess(rates.YearIncome(a_income=300_000), *ROSKILDE)
    with_interest = rates.assess(
        rates.YearIncome(a_income=300_000, capital_income=10_000), *ROSKILDE
    )

    assert with_interest.bottom_tax - without.bottom_tax == 1_201


def test_allowance_is_used_once_a_month() -> None:
    card = rates.tax_card(0, *ROSKILDE)
    pension = rates.Pay(other_income=3_000)

    slip = rates.withhold(pension, card, card.monthly_allowance)

    assert card.monthly_allowance == 4_508  # the personal allowance alone
    assert slip.allowance_used == 3_000
    assert slip.a_tax == 0
    assert slip.contribution == 0
