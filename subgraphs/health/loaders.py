"""Per-request loaders of the health authority: one ``IN (...)`` query per batch."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy import ColumnElement, RowMapping, Select, Table, select

from subgraphs import kit
from subgraphs.health.models import (
    health_records,
    hospital_records,
    lab_results,
    medications,
    referrals,
    vaccinations,
)

Rows = list[RowMapping]


_RECORDS = select(health_records).where(
    health_records.c.person_id.in_(kit.batch_keys())
)


async def load_records(
    database: kit.Database, people: list[str]
) -> list[RowMapping | None]:
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


def lists_of(
    database: kit.Database, statement: Select[Any]
) -> Callable[[list[str]], Awaitable[list[Rows]]]:
    """A batch function loading the rows of ``statement`` per person."""

    async def batch(people: list[str]) -> list[Rows]:
        rows = await database.rows(statement, {"keys": people})
        return kit.grouped(people, rows, key=lambda row: row["person_id"])

    return batch


@dataclass(eq=False)
class HealthContext(kit.SubgraphContext):
    """A request to the health authority, with its own loaders."""

    records: DataLoader[str, RowMapping | None] = field(init=False)
    medications: DataLoader[str, Rows] = field(init=False)
    vaccinations: DataLoader[str, Rows] = field(init=False)
    lab_results: DataLoader[str, Rows] = field(init=False)
    hospital_records: DataLoader[str, Rows] = field(init=False)
    referrals: DataLoader[str, Rows] = field(init=False)

    def __post_init__(self) -> None:
        database = self.database

        async def records(keys: list[str]) -> list[RowMapping | None]:
            return await load_records(database, keys)

        self.records = kit.loader(records)
        self.medications = kit.loader(lists_of(database, _MEDICATIONS))
        self.vaccinations = kit.loader(lists_of(database, _VACCINATIONS))
        self.lab_results = kit.loader(lists_of(database, _LAB_RESULTS))
        self.hospital_records = kit.loader(lists_of(database, _HOSPITAL_RECORDS))
        self.referrals = kit.loader(lists_of(database, _REFERRALS))
