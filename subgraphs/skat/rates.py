"""Income tax as the tax agency computes it: payslips and assessments.

Everything here is pure arithmetic on whole kroner and exact decimals, so the
numbers of DOMAIN.md come out to the krone. Rates are the 2026 rates (Personskatteloven
§§ 5-8 and 10, Arbejdsmarkedsbidragsloven § 1, Ligningsloven § 9 J); the same rates
are used for every year the synthetic population covers.

The withholding rate on a tax card is the bottom tax plus the municipal and church
tax rates. The monthly allowance is the personal allowance plus the employment
deduction, the latter converted to an allowance at the ratio between the rates it
is worth (municipal and church tax) and the withholding rate, spread over twelve
months.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

BOTTOM_RATE = Decimal("0.1201")
PERSONAL_ALLOWANCE = 54_100
MIDDLE_RATE = Decimal("0.075")
MIDDLE_THRESHOLD = 641_200
TOP_RATE = Decimal("0.075")
TOP_THRESHOLD = 777_900
TOP_TOP_RATE = Decimal("0.05")
TOP_TOP_THRESHOLD = 2_592_700
CONTRIBUTION_RATE = Decimal("0.08")
EMPLOYMENT_DEDUCTION_RATE = Decimal("0.1275")
EMPLOYMENT_DEDUCTION_CAP = 63_300

ATP_FULL_TIME = (99, 198)
"""The employee's and the employer's monthly ATP at 117 hours or more."""


def kroner(amount: Decimal) -> int:
    """Round ``amount`` to whole kroner, halves away from zero."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@cache
def rate(value: float | Decimal) -> Decimal:
    """A tax rate as an exact decimal with four places (``0.2350``)."""
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def atp(hours: int) -> tuple[int, int]:
    """The employee's and the employer's monthly ATP for ``hours`` paid.

    The monthly scale of ATP-loven: full rate from 117 hours, two thirds from 78,
    one third from 39, nothing below.
    """
    employee, employer = ATP_FULL_TIME
    if hours >= 117:
        return employee, employer
    if hours >= 78:
        return employee * 2 // 3, employer * 2 // 3
    if hours >= 39:
        return employee // 3, employer // 3
    return 0, 0


def contribution(base: int) -> int:
    """The labour-market contribution of 8 %, on the base rounded down to 10 kr."""
    return kroner(Decimal(base // 10 * 10) * CONTRIBUTION_RATE)


def employment_deduction(work_income: int) -> int:
    """The employment deduction: 12.75 % of the year's work income, capped."""
    return min(
        EMPLOYMENT_DEDUCTION_CAP, kroner(work_income * EMPLOYMENT_DEDUCTION_RATE)
    )


@dataclass(frozen=True, slots=True)
class TaxCard:
    """What an employer withholds by: a rate and a monthly allowance."""

    withholding_rate: Decimal
    monthly_allowance: int

    @property
    def basis_points(self) -> int:
        """The withholding rate in hundredths of a percent (3771)."""
        return int(self.withholding_rate * 10_000)


def tax_card(
    yearly_work_income: int, municipal_rate: Decimal, church_rate: Decimal
) -> TaxCard:
    """The tax card of a preliminary assessment.

    Args:
        yearly_work_income: the expected contribution base of the year.
        municipal_rate: the municipality's income tax rate.
        church_rate: the church tax rate, zero for non-members.
    """
    local = municipal_rate + church_rate
    withholding = BOTTOM_RATE + local
    deduction = employment_deduction(yearly_work_income)
    yearly = PERSONAL_ALLOWANCE + Decimal(deduction) * local / withholding
    return TaxCard(withholding, kroner(yearly / 12))


@dataclass(frozen=True, slots=True)
class Pay:
    """One month's pay from one payer, before tax.

    Attributes:
        gross: gross salary (0 for income outside employment).
        employee_pension_rate: the employee's pension share of gross.
        employer_pension_rate: the employer's pension on top of gross.
        hours: hours paid (income-register field 200).
        other_income: A-income not subject to the contribution (field 14).
    """

    gross: int = 0
    employee_pension_rate: Decimal = Decimal(0)
    employer_pension_rate: Decimal = Decimal(0)
    hours: int = 0
    other_income: int = 0


@dataclass(frozen=True, slots=True)
class Withholding:
    """The computed lines of one payslip (income-register fields in brackets)."""

    gross: int
    atp_employee: int
    atp_employer: int
    employee_pension: int
    employer_pension: int
    contribution_base: int  # field 13
    other_income: int  # field 14
    contribution: int  # field 16
    a_income: int
    allowance_used: int
    a_tax: int  # field 15
    net: int

    @property
    def atp_total(self) -> int:
        """The ATP amount reported (field 46): both shares."""
        return self.atp_employee + self.atp_employer


def withhold(pay: Pay, card: TaxCard, allowance: int) -> Withholding:
    """Compute a payslip: ATP, pension, contribution, A-tax and net pay.

    ``allowance`` is the part of the month's allowance still unused when this
    payslip is computed; the result tells how much of it was used.
    """
    atp_employee, atp_employer = atp(pay.hours) if pay.gross else (0, 0)
    employee_pension = kroner(pay.gross * pay.employee_pension_rate)
    base = max(0, pay.gross - atp_employee - employee_pension)
    am = contribution(base)
    a_income = base - am + pay.other_income
    used = min(allowance, a_income)
    a_tax = kroner((a_income - used) * card.withholding_rate)
    return Withholding(
        gross=pay.gross,
        atp_employee=atp_employee,
        atp_employer=atp_employer,
        employee_pension=employee_pension,
        employer_pension=kroner(pay.gross * pay.employer_pension_rate),
        contribution_base=base,
        other_income=pay.other_income,
        contribution=am,
        a_income=a_income,
        allowance_used=used,
        a_tax=a_tax,
        net=pay.gross - atp_employee - employee_pension - am - a_tax + pay.other_income,
    )


@dataclass(frozen=True, slots=True)
class Assessment:
    """The computed lines of a tax assessment for one year."""

    personal_income: int
    capital_income: int
    employment_deduction: int
    other_deductions: int
    taxable_income: int
    bottom_tax: int
    middle_tax: int
    top_tax: int
    top_top_tax: int
    municipal_tax: int
    church_tax: int
    labour_market_contribution: int
    total_tax: int
    tax_paid: int
    residual_tax: int

    @property
    def deductions(self) -> int:
        """All deductions of the year."""
        return self.employment_deduction + self.other_deductions


@dataclass(frozen=True, slots=True)
class YearIncome:
    """What an assessment is computed from, summed over a year's payslips."""

    a_income: int = 0
    contribution_base: int = 0
    contribution: int = 0
    a_tax: int = 0
    capital_income: int = 0
    other_deductions: int = 0

    @classmethod
    def of(
        cls,
        payslips: Iterable[Withholding],
        capital_income: int = 0,
        other_deductions: int = 0,
    ) -> "YearIncome":
        """Sum ``payslips`` into a year's income."""
        a_income = base = am = a_tax = 0
        for slip in payslips:
            a_income += slip.a_income
            base += slip.contribution_base
            am += slip.contribution
            a_tax += slip.a_tax
        return cls(a_income, base, am, a_tax, capital_income, other_deductions)


def _above(amount: int, threshold: int, tax_rate: Decimal) -> int:
    return kroner(max(0, amount - threshold) * tax_rate)


def assess(
    income: YearIncome, municipal_rate: Decimal, church_rate: Decimal
) -> Assessment:
    """Assess a year: the state, municipal and church taxes and the balance.

    Personal income is the A-income after the contribution; the bottom, middle and
    top taxes fall on personal income plus positive capital income, the municipal
    and church taxes on the taxable income above the personal allowance. The
    labour-market contribution counts as tax, and tax paid is the A-tax plus the
    contribution withheld. A positive residual tax is to be paid, a negative one
    is refunded.
    """
    personal = income.a_income
    state_base = personal + max(0, income.capital_income)
    deduction = employment_deduction(income.contribution_base)
    taxable = personal + income.capital_income - deduction - income.other_deductions
    local_base = max(0, taxable - PERSONAL_ALLOWANCE)
    taxes = {
        "bottom_tax": _above(state_base, PERSONAL_ALLOWANCE, BOTTOM_RATE),
        "middle_tax": _above(state_base, MIDDLE_THRESHOLD, MIDDLE_RATE),
        "top_tax": _above(state_base, TOP_THRESHOLD, TOP_RATE),
        "top_top_tax": _above(personal, TOP_TOP_THRESHOLD, TOP_TOP_RATE),
        "municipal_tax": kroner(local_base * municipal_rate),
        "church_tax": kroner(local_base * church_rate),
    }
    total = sum(taxes.values()) + income.contribution
    paid = income.a_tax + income.contribution
    return Assessment(
        personal_income=personal,
        capital_income=income.capital_income,
        employment_deduction=deduction,
        other_deductions=income.other_deductions,
        taxable_income=taxable,
        labour_market_contribution=income.contribution,
        total_tax=total,
        tax_paid=paid,
        residual_tax=total - paid,
        **taxes,
    )
