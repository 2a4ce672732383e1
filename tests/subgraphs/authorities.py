"""Test support for the authorities' subgraphs: databases, people and requests.

Each test gets a fresh database of one authority: a SQLite file, or the same
tables in a PostgreSQL database created for the test session and dropped after
it. Households are built by hand here, so that a test says exactly what it needs
(a salary of 42,000 kr, one payslip, three homes).
"""

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import MetaData, event, insert, text

from auth.viewer import AssuranceLevel, ChildRelation, Relations, Viewer
from subgraphs import kit
from subgraphs.cpr.relations import load_relations
from subgraphs.gazetteer import MUNICIPALITIES
from subgraphs.population import (
    TODAY,
    Address,
    Citizen,
    Employment,
    Home,
    Household,
    Ownership,
    persona,
)

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"

ROSKILDE = MUNICIPALITIES["265"]  # 25.20 % + church 0.50 %: withholding 37.71 %


def _run_apart(work: Any) -> None:
    """Run a coroutine to completion on a loop of its own, in another thread.

    The database fixtures are async, so a loop is already running when pytest
    asks for the session's database; creating it cannot wait on that loop.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, work).result()


def make_postgres_database() -> tuple[str, str]:
    """Create a uniquely named PostgreSQL database; its name and URL."""
    name = f"cg_authorities_{uuid.uuid4().hex[:12]}"

    async def create() -> None:
        connection = await asyncpg.connect(ADMIN_DSN)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    _run_apart(create())
    return name, f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


def drop_postgres_database(name: str) -> None:
    """Drop a database that :func:`make_postgres_database` created."""

    async def drop() -> None:
        connection = await asyncpg.connect(ADMIN_DSN)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

    _run_apart(drop())


_PREPARED: set[tuple[str, int]] = set()
"""PostgreSQL databases whose tables this session has created already."""


async def _empty(database: kit.Database, metadata: MetaData) -> None:
    """Give ``database`` empty tables: created once, then emptied per test."""
    prepared = (database.url, id(metadata))
    async with database.engine.begin() as connection:
        if prepared in _PREPARED:
            names = ", ".join(t.name for t in metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
            return
        await connection.run_sync(metadata.drop_all)
        await connection.run_sync(metadata.create_all)
    if database.engine.dialect.name == "postgresql":
        _PREPARED.add(prepared)


async def open_database(
    request: pytest.FixtureRequest, tmp_path: Path, metadata: MetaData
) -> AsyncIterator[kit.Database]:
    """A fresh database with ``metadata``'s tables, on the backend of the param."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("authorities_postgres_url")
    else:
        url = kit.sqlite_url(tmp_path, "authority")
    database = kit.Database.open(url)
    await _empty(database, metadata)
    try:
        yield database
    finally:
        await database.close()


BACKENDS = [
    pytest.param("sqlite"),
    pytest.param("postgres", marks=pytest.mark.postgres),
]
"""Parameters of the ``database`` fixtures: every test runs on both backends."""


async def insert_rows(
    database: kit.Database, rows: dict[Any, list[dict[str, Any]]]
) -> None:
    """Insert seed rows table by table, in the metadata's dependency order."""
    async with database.engine.begin() as connection:
        for table, values in rows.items():
            if values:
                await connection.execute(insert(table), values)


@contextmanager
def statements(database: kit.Database) -> Iterator[list[str]]:
    """Collect the SQL statements that ``database`` executes inside the block."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    def traced(sql: str) -> None:
        seen.append(sql)

    for engine in database.engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        with database.prepared.traced(traced) if database.prepared else nullcontext():
            yield seen
    finally:
        for engine in database.engines:
            event.remove(engine, "before_cursor_execute", record)


def address(municipality_code: str = "265") -> Address:
    """An address in the given municipality."""
    return Address(
        address_id=str(uuid.uuid4()),
        street="Algade",
        house_number="12",
        floor=None,
        door=None,
        postcode="4000",
        city="Roskilde",
        municipality=MUNICIPALITIES[municipality_code],
    )


def employment(gross: int = 42_000, started: date = date(2019, 8, 1)) -> Employment:
    """A full-time job with the usual pension scheme."""
    return Employment(
        employer_cvr="64642839",
        employer_name="Mølle Regionshospital",
        monthly_gross=gross,
        employee_pension_rate=0.04,
        employer_pension_rate=0.08,
        hours_per_month=160,
        started=started,
    )


def citizen(**fields: Any) -> Citizen:
    """A resident adult with no income; ``fields`` override any attribute."""
    values: dict[str, Any] = {
        "person_id": str(uuid.uuid4()),
        "cpr": "716085-1234",
        "first_names": "Karen",
        "middle_name": None,
        "last_name": "Jensen",
        "sex": "F",
        "birth_date": date(1985, 10, 11),
        "status": "01",
        "status_date": None,
        "address": address(),
        "civil_status": "U",
        "civil_status_date": None,
        "spouse_id": None,
        "parent_ids": (),
        "custody_holder_ids": (),
        "protections": (),
        "employment": None,
        "other_monthly_income": 0,
        "other_income_type": None,
        "church_member": True,
    }
    values.update(fields)
    return Citizen(**values)


def home(
    bfe: int,
    *owners: Citizen,
    property_value: int = 3_800_000,
    land_value: int = 1_200_000,
    municipality_code: str = "265",
    since: date = date(2012, 4, 1),
) -> Home:
    """A detached house owned in equal shares by ``owners``."""
    return Home(
        bfe=bfe,
        address=address(municipality_code),
        use_code=120,
        construction_year=1978,
        floor_area=142,
        land_area=800,
        cadastral_district="Roskilde Bygrunde",
        parcel_number="14a",
        heating="district heating",
        owners=tuple(
            Ownership(owner.person_id, 1, len(owners), since) for owner in owners
        ),
        property_value=property_value,
        land_value=land_value,
        valuation_year=2025,
        preliminary=True,
    )


def household(*members: Citizen, homes: Sequence[Any] = ()) -> Household:
    """A household of ``members`` owning ``homes``."""
    return Household(members=tuple(members), homes=tuple(homes))


def viewer(
    person: Citizen | str | None,
    assurance: AssuranceLevel = AssuranceLevel.SUBSTANTIAL,
    spouse: str | None = None,
    children: Sequence[Citizen] = (),
    custody: bool = True,
) -> Viewer:
    """A signed-in viewer, with relations to ``spouse`` and ``children``."""
    person_id = person.person_id if isinstance(person, Citizen) else person
    relations = Relations(
        spouse_id=spouse,
        children=tuple(
            ChildRelation(child.person_id, child.birth_date, has_custody=custody)
            for child in children
        ),
    )
    return Viewer(
        subject=f"sub-{person_id}",
        person_id=person_id,
        assurance=assurance,
        relations=relations,
        today=TODAY,
    )


async def run(
    subgraph: kit.Subgraph,
    database: kit.Database,
    who: Viewer,
    query: str,
    **variables: Any,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Execute ``query`` on ``subgraph`` for ``who``; the data and the errors."""
    result = await subgraph.schema.execute(
        query,
        variable_values=variables,
        context_value=subgraph.make_context(who, database),
    )
    errors = [error.formatted for error in result.errors or []]
    return result.data, [dict(error) for error in errors]


def replace(value: Any, **changes: Any) -> Any:
    """A copy of a frozen dataclass with ``changes``."""
    return dataclasses.replace(value, **changes)


@pytest.fixture(scope="session")
def authorities_postgres_url(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL database of this test session, dropped at its end."""
    name, url = make_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(name)


async def persona_viewer(
    cpr: kit.Database,
    name: str,
    assurance: AssuranceLevel = AssuranceLevel.SUBSTANTIAL,
) -> Viewer:
    """A persona signed in, with relations read from the seeded civil register."""
    person_id = persona(name).person_id
    return Viewer(
        subject=f"sub-{name}",
        person_id=person_id,
        assurance=assurance,
        relations=await load_relations(cpr, person_id, TODAY),
        today=TODAY,
    )


def entities(typename: str, selection: str) -> str:
    """An ``_entities`` query selecting ``selection`` on ``typename``."""
    return (
        "query ($reps: [_Any!]!) { _entities(representations: $reps) "
        f"{{ ... on {typename} {{ {selection} }} }} }}"
    )


def reps(typename: str, *names: str) -> list[dict[str, str]]:
    """Representations of the personas ``names`` as ``typename``."""
    return [{"__typename": typename, "personId": persona(n).person_id} for n in names]
