"""The tax agency's synthetic data, derived from the population.

For every resident with income, the income register holds a payslip per payer and
month for the last :data:`PAY_MONTHS` months (the salary from the employer, and
pension, SU grant or benefit as field-14 income from the paying authority). Each
year has a preliminary assessment that sets the tax card the payslips withhold by,
and the last finished year has an annual assessment summed from that year's
payslips, plus interest and deductions that the payslips do not show (hence a
refund or residual tax). The 2026 rates serve every year.

People without a current address (the dead, the emigrated) are left out.
"""

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table

from subgraphs.population import TODAY, Citizen, Household, persona
from subgraphs.skat import rates
from subgraphs.skat.models import payslips, tax_assessments

PAY_MONTHS = 24
"""Months of payslips: enough for the whole of the last finished year."""

ANNUAL_YEAR = TODAY.year - 1
"""The last finished year: the one with an annual assessment."""

PRELIMINARY_YEARS = (TODAY.year - 1, TODAY.year)
"""The years with a preliminary assessment (each made in November before)."""

PAYERS = {
    "old_age_pension": ("Udbetaling Danmark, Pension", "40281207"),
    "su_grant": ("Uddannelses- og Forskningsstyrelsen, SU", "40281215"),
    "unemployment_benefit": ("Arbejdsløshedskassen", "40281223"),
}
"""Who pays income outside employment, by income type; CVR numbers are synthetic."""

FALLBACK_PAYER = ("Udbetaling Danmark", "40281231")

DOMAIN_YEAR = (-36_800, 6_000)
"""Interest and union fees of DOMAIN.md's consistent year, for the parent persona.

With the persona's salary of 42,000 kr, the annual assessment then shows exactly
DOMAIN.md's year: taxable income 339,698, total tax 158,846, refund 11,002.
"""

DOMAIN_YEAR_PERSON = persona("parent").person_id


def last_weekday(year: int, month: int) -> date:
    """The last weekday of a month: the day salaries are paid."""
    first_next = date(year + month // 12, month % 12 + 1, 1)
    day = first_next - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True, slots=True)
class PayMonth:
    """A month of the income register: its period and its payday."""

    year: int
    start: date
    end: date
    payday: date


def pay_months(today: date = TODAY, count: int = PAY_MONTHS) -> list[PayMonth]:
    """The ``count`` newest months already paid on ``today``, oldest first."""
    year, month = today.year, today.month
    if last_weekday(year, month) > today:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months = []
    for _ in range(count):
        end = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        months.append(
            PayMonth(year, date(year, month, 1), end, last_weekday(year, month))
        )
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


MONTHS = pay_months()
"""The pay months of the synthetic income register."""

_STAMPS = [
    {"period_start": m.start, "period_end": m.end, "payment_date": m.payday}
    for m in MONTHS
]


@dataclass(frozen=True, slots=True)
class Source:
    """One payer of a citizen's monthly income."""

    cvr: str
    name: str
    income_type: str
    pay: rates.Pay
    starts: date


def sources(citizen: Citizen) -> list[Source]:
    """The citizen's payers, the primary tax card's first."""
    found: list[Source] = []
    job = citizen.employment
    if job is not None:
        pay = rates.Pay(
            gross=job.monthly_gross,
            employee_pension_rate=rates.rate(job.employee_pension_rate),
            employer_pension_rate=rates.rate(job.employer_pension_rate),
            hours=job.hours_per_month,
        )
        found.append(
            Source(job.employer_cvr, job.employer_name, "salary", pay, job.started)
        )
    if citizen.other_monthly_income > 0:
        kind = citizen.other_income_type or "other"
        name, cvr = PAYERS.get(kind, FALLBACK_PAYER)
        pay = rates.Pay(other_income=citizen.other_monthly_income)
        found.append(Source(cvr, name, kind, pay, date.min))
    return found


def _card(citizen: Citizen, found: Sequence[Source]) -> rates.TaxCard:
    municipal, church = _local_rates(citizen)
    untaxed = rates.TaxCard(Decimal(0), 0)
    work = sum(rates.withhold(s.pay, untaxed, 0).contribution_base for s in found)
    return rates.tax_card(work * 12, municipal, church)


def _local_rates(citizen: Citizen) -> tuple[Decimal, Decimal]:
    assert citizen.address is not None
    municipality = citizen.address.municipality
    church = municipality.church_tax_rate if citizen.church_member else 0.0
    return rates.rate(municipality.municipal_tax_rate), rates.rate(church)


def month_slips(
    found: Sequence[Source], card: rates.TaxCard
) -> list[tuple[Source, rates.Withholding]]:
    """One month's payslips: the allowance is used by the primary card first."""
    left = card.monthly_allowance
    slips = []
    for source in found:
        slip = rates.withhold(source.pay, card, left)
        left -= slip.allowance_used
        slips.append((source, slip))
    return slips


def _atp_rate(hours: int, paid: int) -> str:
    if not paid:
        return ""
    return "A" if hours >= 117 else "B" if hours >= 78 else "C"


def _payslip_base(
    citizen: Citizen, source: Source, slip: rates.Withholding, card: rates.TaxCard
) -> dict[str, Any]:
    return {
        "person_id": citizen.person_id,
        "employer_cvr": source.cvr,
        "employer_name": source.name,
        "income_type": source.income_type,
        "gross_pay": slip.gross,
        "contribution_base": slip.contribution_base,
        "other_a_income": slip.other_income,
        "a_tax": slip.a_tax,
        "contribution": slip.contribution,
        "atp_rate": _atp_rate(source.pay.hours, slip.atp_total),
        "atp_amount": slip.atp_total,
        "atp_employee": slip.atp_employee,
        "hours": source.pay.hours,
        "employee_pension": slip.employee_pension,
        "employer_pension": slip.employer_pension,
        "a_income": slip.a_income,
        "allowance_used": slip.allowance_used,
        "withholding_rate": card.basis_points,
        "net_pay": slip.net,
    }


@dataclass(frozen=True, slots=True)
class Income:
    """A citizen's payers and the tax card they withhold by."""

    citizen: Citizen
    sources: list[Source]
    card: rates.TaxCard

    @classmethod
    def of(cls, citizen: Citizen) -> "Income | None":
        """The citizen's income; None without income or a current address."""
        found = sources(citizen)
        if not found or citizen.address is None:
            return None
        return cls(citizen, found, _card(citizen, found))


def payslip_rows(
    income: Income,
) -> Iterator[tuple[int, rates.Withholding, dict[str, Any]]]:
    """The citizen's payslips: (year, computed lines, row) per payer and month.

    The amounts are the same every month a set of payers is active, so they are
    computed once per set and stamped with each month's dates.
    """
    citizen, found, card = income.citizen, income.sources, income.card
    everyone = tuple(range(len(found)))
    always = all(s.starts <= MONTHS[0].end for s in found)
    cache: dict[tuple[int, ...], list[tuple[rates.Withholding, dict[str, Any]]]] = {}
    for month, stamp in zip(MONTHS, _STAMPS, strict=True):
        active = (
            everyone
            if always
            else tuple(i for i, s in enumerate(found) if s.starts <= month.end)
        )
        if active not in cache:
            slips = month_slips([found[i] for i in active], card)
            cache[active] = [
                (slip, _payslip_base(citizen, source, slip, card))
                for source, slip in slips
            ]
        for slip, base in cache[active]:
            yield month.year, slip, base | stamp


def _extras(citizen: Citizen, owner: bool) -> tuple[int, int]:
    """Capital income and other deductions of the annual assessment."""
    if citizen.person_id == DOMAIN_YEAR_PERSON:
        return DOMAIN_YEAR
    rng = random.Random(f"skat:{citizen.person_id}")
    if owner:
        capital = -rng.randrange(12_000, 60_000, 100)
    else:
        capital = (
            rng.randrange(0, 1_500, 10)
            if rng.random() < 0.7
            else -rng.randrange(500, 9_000, 100)
        )
    union = (
        rng.randrange(3_000, 7_001, 100)
        if citizen.employment and rng.random() < 0.65
        else 0
    )
    return capital, union


def _assessment_row(
    income: Income, lines: rates.Assessment, **identity: Any
) -> dict[str, Any]:
    citizen = income.citizen
    assert citizen.address is not None
    return {
        "person_id": citizen.person_id,
        **identity,
        "municipality_code": citizen.address.municipality.code,
        "personal_income": lines.personal_income,
        "capital_income": lines.capital_income,
        "employment_deduction": lines.employment_deduction,
        "other_deductions": lines.other_deductions,
        "taxable_income": lines.taxable_income,
        "bottom_tax": lines.bottom_tax,
        "middle_tax": lines.middle_tax,
        "top_tax": lines.top_tax,
        "top_top_tax": lines.top_top_tax,
        "municipal_tax": lines.municipal_tax,
        "church_tax": lines.church_tax,
        "labour_market_contribution": lines.labour_market_contribution,
        "total_tax": lines.total_tax,
        "tax_paid": lines.tax_paid,
        "residual_tax": lines.residual_tax,
        "withholding_rate": income.card.basis_points,
        "monthly_allowance": income.card.monthly_allowance,
    }


def assessment_rows(
    income: Income, slips: Sequence[tuple[int, rates.Withholding]], owner: bool
) -> list[dict[str, Any]]:
    """Preliminary assessments for the years with income, an annual one for the last.

    A preliminary assessment projects the year's income from twelve months of the
    payers active at its end, with the employment deduction only; the annual one
    sums the year's payslips and adds interest and union fees.
    """
    local = _local_rates(income.citizen)
    years = {year for year, _ in slips}
    result = []
    month = [slip for _, slip in month_slips(income.sources, income.card)]
    projected = rates.assess(rates.YearIncome.of(month * 12), *local)
    for year in PRELIMINARY_YEARS:
        if year in years:
            issued = date(year - 1, 11, 12)
            result.append(
                _assessment_row(
                    income, projected, kind="PRELIMINARY", year=year, issued=issued
                )
            )
    year_slips = [slip for y, slip in slips if y == ANNUAL_YEAR]
    if year_slips:
        capital, union = _extras(income.citizen, owner)
        lines = rates.assess(rates.YearIncome.of(year_slips, capital, union), *local)
        issued = date(ANNUAL_YEAR + 1, 3, 16)
        result.append(
            _assessment_row(
                income, lines, kind="ANNUAL", year=ANNUAL_YEAR, issued=issued
            )
        )
    return result


def rows(chunk: Sequence[Household]) -> dict[Table, list[dict[str, Any]]]:
    """The tax agency's rows for a chunk of households (pure and deterministic)."""
    slip_rows: list[dict[str, Any]] = []
    assessment: list[dict[str, Any]] = []
    for household in chunk:
        owners = {o.person_id for home in household.homes for o in home.owners}
        for citizen in household.members:
            income = Income.of(citizen)
            if income is None:
                continue
            slips = []
            for year, slip, row in payslip_rows(income):
                slips.append((year, slip))
                slip_rows.append(row)
            owner = citizen.person_id in owners
            assessment.extend(assessment_rows(income, slips, owner))
    return {payslips: slip_rows, tax_assessments: assessment}
