"""The tax agency's tables: payslips of the income register, and tax assessments.

Amounts are whole kroner; rates are whole basis points (37.71 % is 3771).
Every lookup is by person, so both tables are indexed on ``person_id`` together
with the column they are read in order of.
"""

from sqlalchemy import (
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

payslips = Table(
    "payslips",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(36), nullable=False),
    Column("employer_cvr", String(8), nullable=False),
    Column("employer_name", String(120), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("payment_date", Date, nullable=False),
    Column("income_type", String(40), nullable=False),
    Column("gross_pay", Integer, nullable=False),
    Column("contribution_base", Integer, nullable=False),  # field 13
    Column("other_a_income", Integer, nullable=False),  # field 14
    Column("a_tax", Integer, nullable=False),  # field 15
    Column("contribution", Integer, nullable=False),  # field 16
    Column("atp_rate", String(1), nullable=False),  # field 45
    Column("atp_amount", Integer, nullable=False),  # field 46
    Column("atp_employee", Integer, nullable=False),
    Column("hours", Integer, nullable=False),  # field 200
    Column("employee_pension", Integer, nullable=False),
    Column("employer_pension", Integer, nullable=False),
    Column("a_income", Integer, nullable=False),
    Column("allowance_used", Integer, nullable=False),
    Column("withholding_rate", Integer, nullable=False),  # basis points
    Column("net_pay", Integer, nullable=False),
    Index("ix_payslips_person_period", "person_id", "period_start"),
)

tax_assessments = Table(
    "tax_assessments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", String(36), nullable=False),
    Column("kind", String(12), nullable=False),
    Column("year", Integer, nullable=False),
    Column("issued", Date, nullable=False),
    Column("municipality_code", String(3), nullable=False),
    Column("personal_income", Integer, nullable=False),
    Column("capital_income", Integer, nullable=False),
    Column("employment_deduction", Integer, nullable=False),
    Column("other_deductions", Integer, nullable=False),
    Column("taxable_income", Integer, nullable=False),
    Column("bottom_tax", Integer, nullable=False),
    Column("middle_tax", Integer, nullable=False),
    Column("top_tax", Integer, nullable=False),
    Column("top_top_tax", Integer, nullable=False),
    Column("municipal_tax", Integer, nullable=False),
    Column("church_tax", Integer, nullable=False),
    Column("labour_market_contribution", Integer, nullable=False),
    Column("total_tax", Integer, nullable=False),
    Column("tax_paid", Integer, nullable=False),
    Column("residual_tax", Integer, nullable=False),
    Column("withholding_rate", Integer, nullable=False),  # basis points
    Column("monthly_allowance", Integer, nullable=False),
    Index("ix_tax_assessments_person_year", "person_id", "year", "kind"),
)
