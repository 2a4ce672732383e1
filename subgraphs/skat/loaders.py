"""Per-request loaders of the tax agency: one ``IN (...)`` query per batch."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select

from subgraphs import kit
from subgraphs.skat.models import payslips, tax_assessments

PayslipKey = tuple[str, int]
"""A person and how many of their newest pay periods to load."""


def _latest_payslips() -> Any:
    """Payslips of the people ``:people`` in their ``:most`` newest pay periods.

    Built once: the ranked subquery's column proxies cost more to make than the
    query costs to run.
    """
    rank = (
        func.dense_rank()
        .over(
            partition_by=payslips.c.person_id, order_by=payslips.c.period_start.desc()
        )
        .label("period_rank")
    )
    people: Any = bindparam("people", expanding=True)
    ranked = select(payslips, rank).where(payslips.c.person_id.in_(people)).subquery()
    return (
        select(ranked)
        .where(ranked.c.period_rank <= bindparam("most"))
        .order_by(ranked.c.period_start.desc(), ranked.c.employer_cvr, ranked.c.id)
    )


_LATEST_PAYSLIPS = _latest_payslips()


async def load_payslips(
    database: kit.Database, keys: list[PayslipKey]
) -> list[list[kit.Row]]:
    """The payslips of each person's ``last`` newest pay periods, newest first.

    One query for the whole batch: pay periods are ranked per person in the
    database, so only the rows asked for leave it.
    """
    most = max(last for _, last in keys)
    people = sorted({person for person, _ in keys})
    rows = await database.rows(_LATEST_PAYSLIPS, {"people": people, "most": most})
    by_person = kit.grouped(people, rows, key=lambda row: row["person_id"])
    found = dict(zip(people, by_person, strict=True))
    return [
        [row for row in found[person] if row["period_rank"] <= last]
        for person, last in keys
    ]


_ASSESSMENTS = (
    select(tax_assessments)
    .where(tax_assessments.c.person_id.in_(kit.batch_keys()))
    .order_by(
        tax_assessments.c.year.desc(),
        tax_assessments.c.issued.desc(),
        tax_assessments.c.id,
    )
)


async def load_assessments(
    database: kit.Database, keys: list[str]
) -> list[list[kit.Row]]:
    """Each person's tax assessments, newest year first, then newest issued."""
    rows = await database.rows(_ASSESSMENTS, {"keys": keys})
    return kit.grouped(keys, rows, key=lambda row: row["person_id"])


@dataclass(eq=False)
class SkatContext(kit.SubgraphContext):
    """A request to the tax agency, with its own loaders."""

    payslips = kit.Loader(load_payslips)
    assessments = kit.Loader(load_assessments)
