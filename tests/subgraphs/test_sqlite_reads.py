"""Prepared SQLite reads: the same rows as SQLAlchemy, on the caller's thread."""

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    bindparam,
    insert,
    make_url,
    select,
    text,
    tuple_,
    union,
)

from subgraphs import kit
from subgraphs.cpr import loaders as cpr_loaders
from subgraphs.health import loaders as health_loaders
from subgraphs.property import loaders as property_loaders
from subgraphs.skat import loaders as skat_loaders
from subgraphs.sqlite_reads import Unprepared, padded
from tests.subgraphs.authorities import statements

metadata = MetaData()
visits = Table(
    "visits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("person_id", String, nullable=False),
    Column("day", Date, nullable=False),
    Column("paid", Boolean, nullable=False),
    Column("amount", Float),
)
BY_PERSON = (
    select(visits)
    .where(visits.c.person_id.in_(kit.batch_keys()))
    .where(visits.c.day >= bindparam("since", type_=Date))
    .order_by(visits.c.id)
)
ROWS = [
    {"id": 1, "person_id": "a", "day": date(2026, 1, 5), "paid": True, "amount": 1.5},
    {"id": 2, "person_id": "b", "day": date(2026, 2, 6), "paid": False, "amount": None},
    {"id": 3, "person_id": "a", "day": date(2025, 3, 7), "paid": False, "amount": 2.0},
    {"id": 4, "person_id": "c", "day": date(2026, 4, 8), "paid": True, "amount": 3.25},
]


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[kit.Database]:
    opened = kit.Database.open(kit.sqlite_url(tmp_path, "visits"))
    await opened.create_all(metadata)
    async with opened.engine.begin() as connection:
        await connection.execute(insert(visits), ROWS)
    try:
        yield opened
    finally:
        await opened.close()


async def through_sqlalchemy(
    database: kit.Database, statement: Any, parameters: dict[str, Any]
) -> list[dict[str, Any]]:
    assert database.reader is not None
    with database.reader.connect() as connection:
        result = connection.execute(statement, parameters).mappings().all()
    return [dict(row) for row in result]


@pytest.mark.parametrize("keys", [[], ["a"], ["a", "b"], ["c", "a", "b"], ["b"] * 5])
async def test_rows_equal_sqlalchemys_with_types_and_bound_dates(
    database: kit.Database, keys: list[str]
) -> None:
    parameters = {"keys": keys, "since": date(2026, 1, 1)}

    rows = await database.rows(BY_PERSON, parameters)

    assert [dict(row) for row in rows] == await through_sqlalchemy(
        database, BY_PERSON, parameters
    )
    assert all(isinstance(row["day"], date) for row in rows)
    assert all(isinstance(row["paid"], bool) for row in rows)


async def test_lists_are_padded_so_few_shapes_are_prepared(
    database: kit.Database,
) -> None:
    assert [padded(n) for n in (0, 1, 2, 3, 4, 5, 9, 500)] == [
        1,
        1,
        2,
        4,
        4,
        8,
        16,
        512,
    ]
    everyone = ["a", "b", "c", "d", "e", "f", "g", "h"]
    with statements(database) as seen:
        for size in range(1, 9):
            keys = everyone[:size]
            since = {"keys": keys, "since": date(2000, 1, 1)}
            rows = await database.rows(BY_PERSON, since)
            assert [row["id"] for row in rows] == [
                row["id"] for row in ROWS if row["person_id"] in keys
            ]
    assert len(seen) == 8
    assert database.prepared is not None
    # 1, 2, 4 and 8 placeholders: four shapes for eight sizes.
    assert len(database.prepared._statements[id(BY_PERSON)].shapes) == 4


async def test_every_loader_statement_is_prepared(database: kit.Database) -> None:
    """No statement the authorities' loaders read with falls back to SQLAlchemy."""
    modules = (cpr_loaders, skat_loaders, property_loaders, health_loaders)
    found = [
        value
        for module in modules
        for name, value in vars(module).items()
        if name.startswith("_") and name.lstrip("_").isupper()
        if isinstance(value, Select)
    ]
    assert len(found) >= 12
    reader = database.prepared
    assert reader is not None
    for statement in found:
        known = reader._known(statement)
        given = {
            name: ["x", "y", "z"] if bind.expanding else 1
            for name, bind in known.compiled.binds.items()
        }
        prepared = reader._prepare(known, given)
        assert len(prepared.slots) == prepared.sql.count("?") >= 1


async def test_what_cannot_be_prepared_runs_through_sqlalchemy(
    database: kit.Database,
) -> None:
    counted = text("SELECT count(*) AS n FROM visits")
    assert [dict(row) for row in await database.rows(counted)] == [{"n": 4}]
    both = union(
        select(visits.c.id).where(visits.c.person_id == "a"),
        select(visits.c.id).where(visits.c.person_id == "c"),
    ).order_by("id")
    assert database.prepared is not None
    with pytest.raises(Unprepared):
        database.prepared.rows(both, None)
    assert [row["id"] for row in await database.rows(both)] == [1, 3, 4]


async def test_reads_see_committed_writes_and_cannot_write(
    database: kit.Database,
) -> None:
    parameters = {"keys": ["d"], "since": date(2000, 1, 1)}
    assert await database.rows(BY_PERSON, parameters) == []
    async with database.engine.begin() as connection:
        row = {"id": 5, "person_id": "d", "day": date(2026, 5, 1), "paid": True}
        await connection.execute(insert(visits), [row])
    assert [row["id"] for row in await database.rows(BY_PERSON, parameters)] == [5]

    assert database.prepared is not None
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        database.prepared._connection().execute("DELETE FROM visits")
    assert len(await database.rows(BY_PERSON, {**parameters, "keys": ["a"]})) == 2


async def test_each_thread_reads_on_its_own_connection(
    database: kit.Database,
) -> None:
    parameters = {"keys": ["a", "b", "c"], "since": date(2000, 1, 1)}
    expected = await database.rows(BY_PERSON, parameters)
    found: list[Any] = []

    def elsewhere() -> None:
        found.append(asyncio.run(database.rows(BY_PERSON, parameters)))

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join()

    assert found == [expected]
    assert database.prepared is not None
    assert len(database.prepared._connections) == 2
    database.prepared.close()
    assert database.prepared._connections == []
    assert await database.rows(BY_PERSON, parameters) == expected


async def test_a_select_that_cannot_be_prepared_is_tried_once(
    database: kit.Database,
) -> None:
    twice = select(visits.c.id, visits.c.id.label("id")).order_by(visits.c.id)
    reader = database.prepared
    assert reader is not None

    for _ in range(2):
        with pytest.raises(Unprepared, match="distinct names"):
            reader.rows(twice, None)

    assert list(reader._statements[id(twice)].shapes.values()) == [
        "the selected columns have no distinct names"
    ]


FALLING_BACK = {
    "a literal IN list": (select(visits.c.id).where(visits.c.person_id.in_(["a"])), {}),
    "a literal_execute value": (
        select(visits.c.id).where(
            visits.c.id == bindparam("one", literal_execute=True, type_=Integer)
        ),
        {"one": 1},
    ),
    "a literal_execute IN list": (
        select(visits.c.id).where(
            visits.c.id.in_(bindparam("ids", expanding=True, literal_execute=True))
        ),
        {"ids": [1, 3]},
    ),
    "an IN list of tuples": (
        select(visits.c.id).where(
            tuple_(visits.c.person_id, visits.c.paid).in_(
                bindparam("pairs", expanding=True)
            )
        ),
        {"pairs": [("a", True), ("b", False)]},
    ),
}


@pytest.mark.parametrize("case", list(FALLING_BACK))
async def test_statements_the_reader_cannot_run_fall_back_to_sqlalchemy(
    database: kit.Database, case: str
) -> None:
    statement, parameters = FALLING_BACK[case]
    assert database.prepared is not None
    with pytest.raises(Unprepared):
        database.prepared.rows(statement, parameters)

    rows = await database.rows(statement, parameters)

    assert [dict(row) for row in rows] == await through_sqlalchemy(
        database, statement, parameters
    )
    assert rows


async def test_the_url_options_reach_the_readers_connections(
    database: kit.Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = make_url(database.url).database
    by_uri = kit.Database.open(
        f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true&timeout=7"
    )
    try:
        assert by_uri.prepared is not None
        args, options = by_uri.prepared._connect_args
        assert args == [f"file:{path}?mode=ro"]
        assert options["uri"] is True
        assert options["timeout"] == 7.0
        parameters = {"keys": ["a"], "since": date(2000, 1, 1)}
        assert [row["id"] for row in await by_uri.rows(BY_PERSON, parameters)] == [1, 3]
    finally:
        await by_uri.close()
    assert not (tmp_path / "file:").exists()


async def test_a_bound_default_left_out_after_a_prepared_read_falls_back(
    database: kit.Database,
) -> None:
    """A shape is prepared with the parameters of its first read; a later read
    that leaves out a parameter the statement binds a value for gets that value,
    as SQLAlchemy gives it, instead of a KeyError."""
    paid = (
        select(visits.c.id)
        .where(visits.c.person_id.in_(kit.batch_keys()))
        .where(visits.c.paid == bindparam("paid", value=True, type_=Boolean))
        .order_by(visits.c.id)
    )
    keys = {"keys": ["a", "b"]}
    unpaid = await database.rows(paid, {**keys, "paid": False})
    assert [row["id"] for row in unpaid] == [2, 3]

    rows = await database.rows(paid, keys)

    assert [dict(row) for row in rows] == await through_sqlalchemy(database, paid, keys)
    assert [row["id"] for row in rows] == [1]
