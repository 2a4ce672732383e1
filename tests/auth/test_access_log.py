import asyncio
import base64
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from auth.access_log import (
    AccessEntry,
    AccessLog,
    SeenFields,
    access_log,
    document_hash,
)
from auth.errors import AccessLogUnavailable, InvalidPage
from auth.viewer import AssuranceLevel, Viewer

HASH = document_hash("query Dashboard { me { name payslips { net } } }")
START = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="session")
def postgres_database(postgres_url: str) -> Iterator[str]:
    """A database of its own on the shared server, dropped after the session."""
    name = f"auth_access_log_{uuid.uuid4().hex[:12]}"

    async def run(statement: str) -> None:
        engine = create_async_engine(postgres_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    asyncio.run(run(f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    url: str = request.getfixturevalue("postgres_database")
    return url


@pytest.fixture
async def log(database_url: str) -> AsyncIterator[AccessLog]:
    engine = create_async_engine(database_url)
    store = AccessLog(engine)
    await store.create()
    yield store
    await engine.dispose()


def person() -> str:
    """A fresh person id, so tests sharing a database never see each other."""
    return str(uuid.uuid4())


def entry(whose: str, minutes: int = 0, **changes: Any) -> AccessEntry:
    values: dict[str, object] = {
        "person_id": whose,
        "viewer_subject": "pairwise-7d3e",
        "viewer_person_id": str(uuid.uuid5(uuid.NAMESPACE_URL, whose)),
        "on_behalf_of": None,
        "fields": ("Person.name", "Person.payslips"),
        "viewed_at": START + timedelta(minutes=minutes),
        "operation_name": "Dashboard",
        "document_hash": HASH,
        "request_id": str(uuid.uuid4()),
        **changes,
    }
    return AccessEntry(**values)  # type: ignore[arg-type]


async def test_entries_read_back_newest_first(log: AccessLog) -> None:
    whose = person()
    written = [entry(whose, minutes=n) for n in range(3)]
    await log.write_batch(written)

    page = await log.read(whose)

    assert [item.entry for item in page.items] == written[::-1]
    assert not page.has_next_page


async def test_pages_follow_the_cursor_to_the_end(log: AccessLog) -> None:
    whose = person()
    for n in range(5):
        await log.write_batch([entry(whose, minutes=n)])

    first = await log.read(whose, first=2)
    second = await log.read(whose, first=2, after=first.end_cursor)
    third = await log.read(whose, first=2, after=second.end_cursor)

    minutes = [
        [int((i.entry.viewed_at - START).total_seconds() // 60) for i in p.items]
        for p in (first, second, third)
    ]
    assert minutes == [[4, 3], [2, 1], [0]]
    assert [p.has_next_page for p in (first, second, third)] == [True, True, False]


async def test_a_person_reads_only_their_own_entries(log: AccessLog) -> None:
    mine, theirs = person(), person()
    await log.write_batch([entry(mine), entry(theirs), entry(theirs)])

    page = await log.read(mine)

    assert [item.entry.person_id for item in page.items] == [mine]


async def test_an_empty_log_is_an_empty_page(log: AccessLog) -> None:
    page = await log.read(person())

    assert page.items == ()
    assert page.end_cursor is None
    assert not page.has_next_page


async def test_times_come_back_in_utc(log: AccessLog) -> None:
    whose = person()
    copenhagen = timezone(timedelta(hours=1))
    await log.write_batch(
        [entry(whose, viewed_at=datetime(2026, 12, 4, 10, 30, tzinfo=copenhagen))]
    )

    page = await log.read(whose)

    assert page.items[0].entry.viewed_at == START
    assert page.items[0].entry.viewed_at.utcoffset() == timedelta(0)


async def test_a_long_operation_name_is_cut_not_a_reason_to_withhold(
    log: AccessLog,
) -> None:
    whose = person()
    name = "Q" * 300

    await log.write_batch([entry(whose, operation_name=name)])

    page = await log.read(whose)
    assert page.items[0].entry.operation_name == name[:255]


async def poison(log: AccessLog, whose: str) -> None:
    """Make the database refuse every entry about ``whose``."""
    refuse = {
        "sqlite": (
            f"CREATE TRIGGER poison_{whose[:8]} BEFORE INSERT ON access_log "
            f"WHEN NEW.person_id = '{whose}' BEGIN SELECT RAISE(ABORT, 'no'); END"
        ),
        "postgresql": (
            "ALTER TABLE access_log ADD CONSTRAINT "
            f"poison_{whose[:8]} CHECK (person_id <> '{whose}')"
        ),
    }
    async with log.engine.begin() as connection:
        await connection.execute(text(refuse[log.engine.dialect.name]))


async def test_a_batch_is_written_whole_or_not_at_all(log: AccessLog) -> None:
    first, poisoned, last = person(), person(), person()
    await poison(log, poisoned)

    with pytest.raises(AccessLogUnavailable) as caught:
        await log.write_batch([entry(first), entry(poisoned), entry(last)])

    assert caught.value.extensions == {"code": "ACCESS_LOG_UNAVAILABLE"}
    assert (await log.read(first)).items == ()
    assert (await log.read(last)).items == ()


def count_inserts(log: AccessLog) -> list[str]:
    """The INSERT statements ``log``'s engine runs from now on."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            seen.append(statement)

    event.listen(log.engine.sync_engine, "before_cursor_execute", record)
    return seen


async def test_concurrent_requests_share_transactions_and_all_are_written(
    log: AccessLog,
) -> None:
    people = [person() for _ in range(24)]
    inserts = count_inserts(log)

    await asyncio.gather(
        *(log.write_batch([entry(whose), entry(whose, minutes=1)]) for whose in people)
    )

    for whose in people:
        assert len((await log.read(whose)).items) == 2
    assert 1 <= len(inserts) < len(people)


async def test_a_failing_batch_withholds_only_its_own_request(log: AccessLog) -> None:
    people = [person() for _ in range(8)]
    poisoned = people[3]
    await poison(log, poisoned)

    outcomes = await asyncio.gather(
        *(log.write_batch([entry(whose)]) for whose in people),
        return_exceptions=True,
    )

    assert isinstance(outcomes[3], AccessLogUnavailable)
    assert [o for i, o in enumerate(outcomes) if i != 3] == [None] * 7
    for whose in people:
        expected = 0 if whose == poisoned else 1
        assert len((await log.read(whose)).items) == expected


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log SET viewer_subject = 'someone else' WHERE person_id = :p",
        "DELETE FROM access_log WHERE person_id = :p",
    ],
)
async def test_the_database_refuses_to_change_or_remove_entries(
    log: AccessLog, statement: str
) -> None:
    whose = person()
    await log.write_batch([entry(whose)])

    with pytest.raises(DBAPIError, match="append-only"):
        async with log.engine.begin() as connection:
            await connection.execute(text(statement), {"p": whose})

    assert len((await log.read(whose)).items) == 1


async def test_an_unwritable_log_withholds_the_data(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'no-table.db'}")
    try:
        with pytest.raises(AccessLogUnavailable):
            await AccessLog(engine).write_batch([entry(person())])
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("first", "after"),
    [
        (0, None),
        (101, None),
        (10, "not-a-cursor"),
        (10, "YWNjZXNzLWxvZzp4"),
        (10, "é"),
        (10, base64.urlsafe_b64encode(b"access-log:" + b"9" * 30).decode()),
        (10, base64.urlsafe_b64encode(b"access-log:9223372036854775808").decode()),
        (10, base64.urlsafe_b64encode(b"access-log:-1").decode()),
        (10, base64.urlsafe_b64encode(b"access-log:0").decode()),
    ],
)
async def test_bad_paging_arguments_are_refused(
    log: AccessLog, first: int, after: str | None
) -> None:
    with pytest.raises(InvalidPage) as caught:
        await log.read(person(), first=first, after=after)

    assert caught.value.extensions == {"code": "BAD_USER_INPUT"}


@pytest.mark.parametrize(
    "change",
    [
        {"person_id": "0101901234"},
        {"person_id": "010190-1234"},
        {"viewer_person_id": "2112811234"},
        {"on_behalf_of": "211281-1234"},
        {"person_id": ""},
        {"viewer_subject": "x" * 300},
        {"fields": ("payslips",)},
        {"fields": ("Person.payslips { net }",)},
        {"document_hash": "query { me { name } }"},
        {"viewed_at": datetime(2026, 12, 4, 9, 30)},
    ],
)
def test_entries_hold_identifiers_only(change: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"\.$"):
        entry(person(), **change)


def test_the_table_has_no_place_for_a_token_or_cpr_number() -> None:
    assert set(access_log.c.keys()) == {
        "id",
        "person_id",
        "viewer_subject",
        "viewer_person_id",
        "on_behalf_of",
        "fields",
        "viewed_at",
        "operation_name",
        "document_hash",
        "request_id",
    }


def test_seen_fields_become_one_entry_per_person() -> None:
    parent, child = person(), person()
    viewer = Viewer("pairwise", parent, AssuranceLevel.SUBSTANTIAL, acting_for=child)
    seen = SeenFields()
    for who, coordinate in [
        (parent, "Person.name"),
        (child, "Child.vaccinations"),
        (parent, "Person.payslips"),
        (parent, "Person.name"),
    ]:
        seen.add(who, coordinate)

    entries = seen.entries(viewer, HASH, "Dashboard", at=START)

    assert {e.person_id: e.fields for e in entries} == {
        parent: ("Person.name", "Person.payslips"),
        child: ("Child.vaccinations",),
    }
    assert {(e.viewer_person_id, e.on_behalf_of, e.viewed_at) for e in entries} == {
        (parent, child, START)
    }
    assert len({e.request_id for e in entries}) == 1


async def test_a_person_can_leave_out_their_own_sights(log: AccessLog) -> None:
    whose = person()
    own = entry(whose, viewer_person_id=whose)
    spouse = entry(whose, minutes=1)
    service = entry(whose, minutes=2, viewer_person_id=None)
    await log.write_batch([own, spouse, service])

    everything = await log.read(whose)
    others = await log.read(whose, others_only=True)

    assert [i.entry for i in everything.items] == [service, spouse, own]
    assert [i.entry for i in others.items] == [service, spouse]
