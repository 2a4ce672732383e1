"""The access log: who saw whose personal data, which fields, when, and how.

Citizens have a right to know who consulted their data (GDPR article 15). For
each person whose data a response returns, the gateway records one
:class:`AccessEntry`: whose data, who viewed it (their person id and pseudonymous
subject) and on whose behalf, which fields by schema coordinate (``Person.payslips``),
when, and the operation's name and document hash. The entries of one request are
written in one transaction before the response leaves (:meth:`AccessLog.write_batch`);
when that fails, :class:`~auth.errors.AccessLogUnavailable` tells the gateway to
withhold the personal data.

The log is append-only: the store has no update or delete, and the database
refuses them too (a trigger on SQLite and PostgreSQL). It holds identifiers only:
no token, no CPR number, no field values. An id that looks like a CPR number is
refused before it reaches the database.

The table lives in the gateway's own database (``database_url("gateway")``).
"""

import asyncio
import base64
import binascii
import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    event,
    insert,
    or_,
    select,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from auth.errors import AccessLogUnavailable, InvalidPage
from auth.viewer import Viewer
from subgraphs.kit import create_tables

MAX_PAGE = 100
"""The most entries one page of the log may hold."""

_CPR_LIKE = re.compile(r"\d{6}-?\d{4}")
_COORDINATE = re.compile(r"[A-Za-z_]\w*\.[A-Za-z_]\w*", re.ASCII)
_HASH = re.compile(r"[A-Za-z0-9:_-]{1,128}", re.ASCII)
_CURSOR_PREFIX = "access-log:"

metadata = MetaData()
"""The gateway's access log tables; create them with :meth:`AccessLog.create`."""

OPERATION_NAME_LENGTH = 255
"""The longest operation name an entry keeps; a GraphQL name has no limit, so a
longer one is cut here (the document hash still names the operation exactly)."""

access_log = Table(
    "access_log",
    metadata,
    Column(
        "id",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("person_id", String(64), nullable=False),
    Column("viewer_subject", String(255), nullable=False),
    Column("viewer_person_id", String(64)),
    Column("on_behalf_of", String(64)),
    Column("fields", JSON, nullable=False),
    Column("viewed_at", DateTime(timezone=True), nullable=False),
    Column("operation_name", String(OPERATION_NAME_LENGTH)),
    Column("document_hash", String(128), nullable=False),
    Column("request_id", String(36), nullable=False),
    Index("access_log_by_person", "person_id", "id"),
)

_REFUSAL = "The access log is append-only."
_APPEND_ONLY = {
    "sqlite": [
        f"CREATE TRIGGER access_log_no_{verb.lower()} BEFORE {verb} ON access_log "
        f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
        for verb in ("UPDATE", "DELETE")
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $$",
        "CREATE TRIGGER access_log_append_only "
        "BEFORE UPDATE OR DELETE OR TRUNCATE ON access_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()",
    ],
}
"""Triggers that make the database itself refuse to change or remove entries."""


@event.listens_for(access_log, "after_create")
def _make_append_only(_table: Table, connection: Connection, **_: Any) -> None:
    for statement in _APPEND_ONLY.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


@dataclass(frozen=True, slots=True)
class AccessEntry:
    """One viewer's sight of one person's data in one request.

    Attributes:
        person_id: whose data was returned.
        viewer_subject: the viewer's pseudonymous subject.
        viewer_person_id: the viewer's person id, when the sign-in names one.
        on_behalf_of: the person the viewer acted for, if any.
        fields: the schema coordinates returned, e.g. ``Person.payslips``.
        viewed_at: when the response was made (timezone-aware).
        operation_name: the operation's name, if it has one.
        document_hash: the hash of the document (its persisted id), never its text.
        request_id: ties the entries of one request together.
    """

    person_id: str
    viewer_subject: str
    viewer_person_id: str | None
    on_behalf_of: str | None
    fields: tuple[str, ...]
    viewed_at: datetime
    operation_name: str | None
    document_hash: str
    request_id: str

    def __post_init__(self) -> None:
        for name in ("person_id", "viewer_person_id", "on_behalf_of"):
            _check_id(name, getattr(self, name))
        _check_id("viewer_subject", self.viewer_subject, limit=255)
        for coordinate in self.fields:
            if not _COORDINATE.fullmatch(coordinate):
                raise ValueError(f"{coordinate!r} is not a schema coordinate.")
        if not _HASH.fullmatch(self.document_hash):
            raise ValueError(f"{self.document_hash!r} is not a document hash.")
        if self.viewed_at.tzinfo is None:
            raise ValueError("The time of an access must be timezone-aware.")


def _check_id(name: str, value: str | None, limit: int = 64) -> None:
    if value is None and name != "person_id":
        return
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise ValueError(f"The {name} of an access entry must be an identifier.")
    if _CPR_LIKE.fullmatch(value):
        raise ValueError(f"The {name} of an access entry looks like a CPR number.")


def document_hash(document: str) -> str:
    """The SHA-256 hex digest of a document's text, as persisted queries use it."""
    return hashlib.sha256(document.encode()).hexdigest()


@dataclass
class SeenFields:
    """Which fields of whose data one response returned; filled while shaping it.

    Add only fields that were returned with a value or an empty list; a denied
    field (null with a ``FORBIDDEN`` error) is not seen.
    """

    by_person: dict[str, set[str]] = field(default_factory=dict)

    def add(self, person_id: str, coordinate: str) -> None:
        """Record that ``coordinate`` of ``person_id``'s data was returned."""
        self.by_person.setdefault(person_id, set()).add(coordinate)

    def entries(
        self,
        viewer: Viewer,
        document_hash: str,
        operation_name: str | None = None,
        at: datetime | None = None,
    ) -> list[AccessEntry]:
        """One entry per person seen, all with the same time and request id."""
        when = at or datetime.now(UTC)
        request_id = str(uuid.uuid4())
        return [
            AccessEntry(
                person_id=person_id,
                viewer_subject=viewer.subject,
                viewer_person_id=viewer.person_id,
                on_behalf_of=viewer.acting_for,
                fields=tuple(sorted(coordinates)),
                viewed_at=when,
                operation_name=operation_name,
                document_hash=document_hash,
                request_id=request_id,
            )
            for person_id, coordinates in sorted(self.by_person.items())
        ]


@dataclass(frozen=True, slots=True)
class LoggedAccess:
    """An entry as read back, with the cursor that pages after it."""

    cursor: str
    entry: AccessEntry


@dataclass(frozen=True, slots=True)
class AccessLogPage:
    """A page of a person's log, newest first."""

    items: tuple[LoggedAccess, ...]
    has_next_page: bool

    @property
    def end_cursor(self) -> str | None:
        """The cursor to pass as ``after`` for the next page."""
        return self.items[-1].cursor if self.items else None


class AccessLog:
    """The access log store on one SQLAlchemy async engine.

    Writes are committed in groups: the batches of requests that arrive while a
    transaction is under way wait for the next one, which writes them all. Under
    load a request then shares one transaction with its neighbours instead of
    queueing for SQLite's single writer (or a PostgreSQL round trip) of its own.
    Each request still waits until its entries are committed, and when a group
    fails, each of its batches is tried alone, so one bad batch withholds only its
    own request's data.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._waiting: list[tuple[list[dict[str, Any]], asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def create(self) -> None:
        """Create the table and its append-only triggers if they do not exist."""
        await create_tables(self.engine, metadata)

    async def write_batch(self, entries: Iterable[AccessEntry]) -> None:
        """Append ``entries`` in one transaction: all of them, or none.

        Returns once they are committed.

        Raises:
            AccessLogUnavailable: they could not be written.
        """
        rows = [_row(entry) for entry in entries]
        if not rows:
            return
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        self._waiting.append((rows, done))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write_groups())
        await done

    async def _write_groups(self) -> None:
        group: list[tuple[list[dict[str, Any]], asyncio.Future[None]]] = []
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                await self._write_group(group)
        except BaseException:
            # Cancelled or broken: nobody may wait forever for a write.
            for _, done in [*group, *self._waiting]:
                _settle(done, _unavailable())
            self._waiting = []
            raise

    async def _write_group(
        self, group: list[tuple[list[dict[str, Any]], "asyncio.Future[None]"]]
    ) -> None:
        try:
            await self._insert([row for rows, _ in group for row in rows])
        except AccessLogUnavailable as exc:
            if len(group) == 1:
                _settle(group[0][1], exc)
                return
            for rows, done in group:
                try:
                    await self._insert(rows)
                except AccessLogUnavailable as alone:
                    _settle(done, alone)
                else:
                    _settle(done, None)
        else:
            for _, done in group:
                _settle(done, None)

    async def _insert(self, rows: list[dict[str, Any]]) -> None:
        try:
            async with self.engine.begin() as connection:
                await connection.execute(insert(access_log), rows)
        except (SQLAlchemyError, OSError) as exc:
            raise _unavailable() from exc

    async def read(
        self,
        person_id: str,
        first: int = 20,
        after: str | None = None,
        others_only: bool = False,
    ) -> AccessLogPage:
        """Up to ``first`` sights of ``person_id``'s data, newest first.

        With ``others_only``, the person's own sights of their data are left out.
        """
        if not 0 < first <= MAX_PAGE:
            raise InvalidPage(f"first must be between 1 and {MAX_PAGE}, not {first}.")
        query = (
            select(access_log)
            .where(access_log.c.person_id == person_id)
            .order_by(access_log.c.id.desc())
            .limit(first + 1)
        )
        if after is not None:
            query = query.where(access_log.c.id < _decode_cursor(after))
        if others_only:
            viewer = access_log.c.viewer_person_id
            query = query.where(or_(viewer.is_(None), viewer != person_id))
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        items = tuple(
            LoggedAccess(_encode_cursor(row["id"]), _entry(row)) for row in rows[:first]
        )
        return AccessLogPage(items=items, has_next_page=len(rows) > first)


def _unavailable() -> AccessLogUnavailable:
    return AccessLogUnavailable(
        "The access log cannot be written; the data is withheld."
    )


def _settle(done: "asyncio.Future[None]", outcome: Exception | None) -> None:
    """Resolve a waiting request's future, unless it gave up (was cancelled)."""
    if done.done():
        return
    if outcome is None:
        done.set_result(None)
    else:
        done.set_exception(outcome)


def _row(entry: AccessEntry) -> dict[str, Any]:
    return {
        "person_id": entry.person_id,
        "viewer_subject": entry.viewer_subject,
        "viewer_person_id": entry.viewer_person_id,
        "on_behalf_of": entry.on_behalf_of,
        "fields": list(entry.fields),
        "viewed_at": entry.viewed_at.astimezone(UTC),
        "operation_name": _cut(entry.operation_name, OPERATION_NAME_LENGTH),
        "document_hash": entry.document_hash,
        "request_id": entry.request_id,
    }


def _cut(text: str | None, length: int) -> str | None:
    return text if text is None else text[:length]


def _entry(row: Any) -> AccessEntry:
    viewed_at: datetime = row["viewed_at"]
    if viewed_at.tzinfo is None:
        viewed_at = viewed_at.replace(tzinfo=UTC)
    return AccessEntry(
        person_id=row["person_id"],
        viewer_subject=row["viewer_subject"],
        viewer_person_id=row["viewer_person_id"],
        on_behalf_of=row["on_behalf_of"],
        fields=tuple(row["fields"]),
        viewed_at=viewed_at,
        operation_name=row["operation_name"],
        document_hash=row["document_hash"],
        request_id=row["request_id"],
    )


def _encode_cursor(row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{row_id}".encode()).decode()


_MAX_ID = 2**63 - 1
"""The largest entry id the ``id`` column holds (a signed 64-bit integer)."""


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
        digits = text.removeprefix(_CURSOR_PREFIX)
        if text.startswith(_CURSOR_PREFIX) and digits.isdigit():
            row_id = int(digits)
            if 0 < row_id <= _MAX_ID:
                return row_id
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise InvalidPage(f"The cursor {cursor[:40]!r} does not come from this access log.")
