"""The tax agency's GraphQL types: payslips, tax assessments and its part of Person.

Each type carries ``owner_id``, the person whose data it is, for the access rules.
"""

import enum
from datetime import date

import strawberry
from strawberry.types import Info

from auth.policy import guarded
from subgraphs import kit
from subgraphs.skat.loaders import SkatContext
from subgraphs.skat.policies import OWN_DATA

MAX_PAY_PERIODS = 24
"""The income register keeps the last 24 months of payslips online."""


class InvalidArgument(kit.SubgraphError):
    """An argument outside its allowed range; the field resolves to null.

    The code is Apollo's ``BAD_USER_INPUT``; ``argument`` and ``value`` name what
    was wrong.
    """

    code = "BAD_USER_INPUT"


def _percent(basis_points: int) -> float:
    return basis_points / 100


@strawberry.type(
    description="One month's pay from one payer, as the income register holds it."
)
class Payslip:
    owner_id: strawberry.Private[str]
    employer_cvr: str = strawberry.field(description="The payer's CVR number.")
    employer_name: str
    period_start: date
    period_end: date
    payment_date: date
    income_type: str = strawberry.field(
        description="salary, or the kind of income outside employment "
        "(old_age_pension, su_grant, ...)."
    )
    gross_pay: int
    hours: int = strawberry.field(description="Hours paid (field 200).")
    atp_rate: str = strawberry.field(
        description="The ATP rate (field 45): A full time, B two thirds, "
        "C one third, blank none."
    )
    atp_amount: int = strawberry.field(description="ATP paid, both shares (field 46).")
    atp_employee: int = strawberry.field(description="The employee's share of ATP.")
    employee_pension: int
    employer_pension: int = strawberry.field(
        description="The employer's pension contribution, on top of gross pay."
    )
    contribution_base: int = strawberry.field(
        description="A-income subject to the labour-market contribution (field 13)."
    )
    income_without_contribution: int = strawberry.field(
        description="A-income not subject to the contribution (field 14)."
    )
    labour_market_contribution: int = strawberry.field(
        description="The labour-market contribution withheld, 8 % (field 16)."
    )
    a_income: int = strawberry.field(description="A-income after the contribution.")
    allowance_used: int
    withholding_rate: float = strawberry.field(description="In percent (37.71).")
    a_tax: int = strawberry.field(description="A-tax withheld (field 15).")
    net_pay: int

    @classmethod
    def from_row(cls, row: kit.Row) -> "Payslip":
        """The payslip of a ``payslips`` row."""
        return cls(
            owner_id=row["person_id"],
            employer_cvr=row["employer_cvr"],
            employer_name=row["employer_name"],
            period_start=row["period_start"],
            period_end=row["period_end"],
            payment_date=row["payment_date"],
            income_type=row["income_type"],
            gross_pay=row["gross_pay"],
            hours=row["hours"],
            atp_rate=row["atp_rate"],
            atp_amount=row["atp_amount"],
            atp_employee=row["atp_employee"],
            employee_pension=row["employee_pension"],
            employer_pension=row["employer_pension"],
            contribution_base=row["contribution_base"],
            income_without_contribution=row["other_a_income"],
            labour_market_contribution=row["contribution"],
            a_income=row["a_income"],
            allowance_used=row["allowance_used"],
            withholding_rate=_percent(row["withholding_rate"]),
            a_tax=row["a_tax"],
            net_pay=row["net_pay"],
        )


@strawberry.enum(
    description="Preliminary (forskudsopgørelse) or annual (årsopgørelse)."
)
class AssessmentKind(enum.Enum):
    PRELIMINARY = "PRELIMINARY"
    ANNUAL = "ANNUAL"


@strawberry.type(
    description="A preliminary or annual income tax assessment of one year."
)
class TaxAssessment:
    owner_id: strawberry.Private[str]
    kind: AssessmentKind
    year: int
    issued: date
    municipality_code: str
    personal_income: int = strawberry.field(
        description="Income after the labour-market contribution and own pension."
    )
    capital_income: int = strawberry.field(
        description="Interest received minus interest paid."
    )
    employment_deduction: int
    other_deductions: int = strawberry.field(description="Union fees, commuting.")
    deductions: int
    taxable_income: int
    bottom_tax: int
    middle_tax: int
    top_tax: int
    top_top_tax: int
    municipal_tax: int
    church_tax: int
    labour_market_contribution: int
    total_tax: int = strawberry.field(
        description="All taxes of the year, the labour-market contribution included."
    )
    tax_paid: int = strawberry.field(
        description="A-tax and contribution withheld (expected, when preliminary)."
    )
    residual_tax: int = strawberry.field(
        description="Tax still to pay; negative when money is refunded."
    )
    refund: int = strawberry.field(description="The amount refunded, or 0.")
    withholding_rate: float = strawberry.field(description="In percent (37.71).")
    monthly_allowance: int

    @classmethod
    def from_row(cls, row: kit.Row) -> "TaxAssessment":
        """The assessment of a ``tax_assessments`` row."""
        return cls(
            owner_id=row["person_id"],
            kind=AssessmentKind(row["kind"]),
            year=row["year"],
            issued=row["issued"],
            municipality_code=row["municipality_code"],
            personal_income=row["personal_income"],
            capital_income=row["capital_income"],
            employment_deduction=row["employment_deduction"],
            other_deductions=row["other_deductions"],
            deductions=row["employment_deduction"] + row["other_deductions"],
            taxable_income=row["taxable_income"],
            bottom_tax=row["bottom_tax"],
            middle_tax=row["middle_tax"],
            top_tax=row["top_tax"],
            top_top_tax=row["top_top_tax"],
            municipal_tax=row["municipal_tax"],
            church_tax=row["church_tax"],
            labour_market_contribution=row["labour_market_contribution"],
            total_tax=row["total_tax"],
            tax_paid=row["tax_paid"],
            residual_tax=row["residual_tax"],
            refund=max(0, -row["residual_tax"]),
            withholding_rate=_percent(row["withholding_rate"]),
            monthly_allowance=row["monthly_allowance"],
        )


async def resolve_payslips(
    root: "Person", info: Info[SkatContext, None], last: int | None = 3
) -> list[Payslip] | None:
    """The payslips of the person's newest ``last`` pay periods."""
    if last is None:
        last = 3
    if not 1 <= last <= MAX_PAY_PERIODS:
        raise InvalidArgument(
            f"The argument last must be between 1 and {MAX_PAY_PERIODS}; got {last}.",
            argument="last",
            value=last,
        )
    rows = await info.context.payslips.load((str(root.person_id), last))
    return [Payslip.from_row(row) for row in rows]


async def resolve_tax_assessments(
    root: "Person", info: Info[SkatContext, None]
) -> list[TaxAssessment] | None:
    """The person's tax assessments."""
    rows = await info.context.assessments.load(str(root.person_id))
    return [TaxAssessment.from_row(row) for row in rows]


@strawberry.federation.type(keys=["personId"])
class Person:
    """A person of the civil register; any key resolves (no income, no payslips)."""

    person_id: strawberry.ID
    payslips: list[Payslip] | None = strawberry.field(
        resolver=resolve_payslips,
        description="Payslips of the newest `last` pay periods (1-24; null means 3), "
        "newest first.",
        extensions=guarded(OWN_DATA),
    )
    tax_assessments: list[TaxAssessment] | None = strawberry.field(
        resolver=resolve_tax_assessments,
        description="Preliminary and annual tax assessments, newest year first.",
        extensions=guarded(OWN_DATA),
    )

    @property
    def owner_id(self) -> str:
        """The person is the owner of their own income data."""
        return str(self.person_id)
