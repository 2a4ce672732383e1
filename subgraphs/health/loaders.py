"""Per-request loaders of the health authority: one ``IN (...)`` query per batch."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, select

from subgraphs import kit
from subgraphs.health.models import (
    health_records,
    hospital_records,
    lab_results,
    medications,
    referrals,
    vaccinations,
)

Rows = list[kit.Row]


_RECORDS = select(health_records).where(
    health_records.c.person_id.in_(kit.batch_keys())
)


async def load_records(
    database: kit.Database, people: list[str]
) -> list[kit.Row | None]:
    """Each person's health record; None for a person without one."""
    rows = await database.rows(_RECORDS, {"keys": people})
    return kit.ordered(people, rows, key=lambda row: row["person_id"])


def _per_person(table: Table, *order: ColumnElement[Any]) -> Select[Any]:
    return (
        select(table)
        .where(table.c.person_id.in_(kit.batch_keys()))
        .order_by(*order, table.c.id)
    )


_MEDICATIONS = _per_person(medications, medications.c.start_date.desc())
_VACCINATIONS = _per_person(vaccinations, vaccinations.c.given_on)
_LAB_RESULTS = _per_person(lab_results, lab_results.c.sampled_on.desc())
_HOSPITAL_RECORDS = _per_person(hospital_records, hospital_records.c.admitted.desc())
_REFERRALS = _per_person(referrals, referrals.c.issued.desc())


def _lists_of(
    statement: Select[Any],
) -> Callable[[kit.Database, list[str]], Awaitable[list[Rows]]]:
    """A batch function loading the rows of ``statement`` per person."""

    async def batch(database: kit.Database, people: list[str]) -> list[Rows]:
        rows = await database.rows(statement, {"keys": people})
        return kit.grouped(people, rows, key=lambda row: row["person_id"])

    return batch


@dataclass(eq=False)
class HealthContext(kit.SubgraphContext):
    """A request to the health authority, with its own loaders."""

    records = kit.Loader(load_records)
    medications = kit.Loader(_lists_of(_MEDICATIONS))
    vaccinations = kit.Loader(_lists_of(_VACCINATIONS))
    lab_results = kit.Loader(_lists_of(_LAB_RESULTS))
    hospital_records = kit.Loader(_lists_of(_HOSPITAL_RECORDS))
    referrals = kit.Loader(_lists_of(_REFERRALS))
