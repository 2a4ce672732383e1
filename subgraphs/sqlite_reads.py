"""Read-only statements on a SQLite file, prepared once and run on the caller's thread.

A loader's batched look-up by an indexed key takes SQLite some tens of
microseconds; running it through SQLAlchemy's execution layer (connection
checkout, cache key, parameter expansion, result objects) took three times that,
and a dashboard makes some twenty of them. :class:`SqliteReader` keeps what
SQLAlchemy works out for a statement: it compiles each Core ``select`` once per
shape of its ``IN`` lists with SQLAlchemy's own compiler and keeps the SQL text,
where each parameter goes, and the dialect's bind and result processors (so a
``Date`` column still comes back as a :class:`datetime.date`). Each execution is
then one call into :mod:`sqlite3`.

- The connections are in autocommit mode, so every statement sees what was
  committed before it, and ``query_only``: they cannot write.
- An ``IN`` list is padded to the next power of two by repeating its last key,
  which changes no result and keeps the prepared shapes per statement few.
- A statement the reader cannot prepare (text, or a parameter the compiler
  renders as a literal) raises :class:`Unprepared`; the caller runs it through
  SQLAlchemy instead.
"""

import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Executable, TupleType
from sqlalchemy.exc import CompileError
from sqlalchemy.sql import Select
from sqlalchemy.sql.compiler import SQLCompiler

Row = Mapping[str, Any]
Processor = Callable[[Any], Any] | None
Tracer = Callable[[str], None]

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
"""Run on every connection to an authority's SQLite file, writers' included."""

STATEMENTS = 256
"""Statements a reader keeps prepared; loaders build theirs once, at import."""


class Unprepared(Exception):
    """The statement cannot be prepared here; run it through SQLAlchemy."""


@dataclass(frozen=True)
class _Slot:
    """Where one ``?`` of the SQL text takes its value from."""

    name: str
    index: int | None
    """The position in an expanding list, or None for a single value."""
    process: Processor


@dataclass(frozen=True)
class _Prepared:
    sql: str
    slots: tuple[_Slot, ...]
    columns: tuple[str, ...]
    processed: tuple[tuple[str, Callable[[Any], Any]], ...]
    """The columns whose values the dialect converts (dates, booleans), with how."""

    def values(self, parameters: Mapping[str, Any]) -> list[Any]:
        out = []
        for slot in self.slots:
            try:
                value = parameters[slot.name]
            except KeyError:
                # Prepared when the parameter was given; left out now, it takes
                # the value bound in the statement, which SQLAlchemy supplies.
                raise Unprepared(
                    f"the parameter {slot.name!r} has no value given"
                ) from None
            if slot.index is not None:
                value = value[slot.index]
            out.append(value if slot.process is None else slot.process(value))
        return out

    def rows(self, cursor: sqlite3.Cursor) -> Sequence[Row]:
        columns = self.columns
        made = [dict(zip(columns, row, strict=True)) for row in cursor]
        for name, process in self.processed:
            for row in made:
                value = row[name]
                if value is not None:
                    row[name] = process(value)
        return made


@dataclass(frozen=True)
class _Statement:
    """A statement seen before: its expanding parameters and its prepared shapes.

    The statement itself is kept, so that its id cannot pass to another one.
    """

    statement: Executable
    compiled: SQLCompiler
    expanding: tuple[str, ...]
    shapes: dict[tuple[int, ...], "_Prepared | str"]
    """Each shape prepared, or why it cannot be, so that it is not tried again."""
    refused: str | None = None
    """Why the statement cannot be prepared, if it cannot."""


class _Marker:
    """A stand-in parameter value whose identity says where it came from."""

    __slots__ = ("index", "name")

    def __init__(self, name: str, index: int | None) -> None:
        self.name = name
        self.index = index


def padded(size: int) -> int:
    """The prepared length of an ``IN`` list of ``size`` keys."""
    return 1 if size <= 1 else 1 << (size - 1).bit_length()


class SqliteReader:
    """Prepared read-only statements on one SQLite file (see the module's docstring).

    One connection per thread, opened on first use; :meth:`close` closes them all.
    """

    def __init__(self, engine: Engine) -> None:
        args, options = engine.dialect.create_connect_args(engine.url)
        # What the URL asks for (a URI filename, a busy timeout) as SQLAlchemy
        # would pass it to sqlite3, in autocommit and usable from any thread.
        self._connect_args: tuple[list[Any], dict[str, Any]] = (
            list(args),
            {**options, "check_same_thread": False, "isolation_level": None},
        )
        self.dialect = engine.dialect
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._statements: dict[int, _Statement] = {}
        self._tracers: list[Tracer] = []

    def rows(
        self, statement: Executable, parameters: Mapping[str, Any] | None
    ) -> Sequence[Row]:
        """The rows of ``statement`` as dictionaries; :class:`Unprepared` if it
        cannot be prepared."""
        given = dict(parameters or {})
        known = self._known(statement)
        if known.refused is not None:
            raise Unprepared(known.refused)
        for name in known.expanding:
            if given.get(name) is None:
                # SQLAlchemy takes a value bound in the statement, or says which
                # parameter has none.
                raise Unprepared(f"the list {name!r} has no value given")
            keys = list(given[name])
            if keys:
                keys.extend(keys[-1:] * (padded(len(keys)) - len(keys)))
            given[name] = keys
        shape = tuple(len(given[name]) for name in known.expanding)
        prepared = known.shapes.get(shape)
        if prepared is None:
            try:
                prepared = self._prepare(known, given)
            except Unprepared as exc:
                prepared = str(exc)
            known.shapes[shape] = prepared
        if isinstance(prepared, str):
            raise Unprepared(prepared)
        cursor = self._connection().execute(prepared.sql, prepared.values(given))
        return prepared.rows(cursor)

    @contextmanager
    def traced(self, tracer: Tracer) -> Iterator[None]:
        """Call ``tracer`` with the text of every statement run inside the block.

        For tests that count statements; the text may hold parameter values.
        """
        with self._lock:
            self._tracers.append(tracer)
            self._retrace()
        try:
            yield
        finally:
            with self._lock:
                self._tracers.remove(tracer)
                self._retrace()

    def close(self) -> None:
        """Close every connection of every thread."""
        with self._lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        self._local = threading.local()

    def _known(self, statement: Executable) -> "_Statement":
        known = self._statements.get(id(statement))
        if known is None or known.statement is not statement:
            if not isinstance(statement, Select):
                raise Unprepared("only Core selects are prepared")
            compiled = statement.compile(dialect=self.dialect)
            binds = compiled.binds
            names = sorted(n for n, bind in binds.items() if bind.expanding)
            refused = None
            if any(bind.literal_execute for bind in binds.values()):
                refused = "a parameter is rendered as a literal"
            elif any(isinstance(binds[name].type, TupleType) for name in names):
                refused = "an IN list of tuples"
            if len(self._statements) >= STATEMENTS:
                self._statements.clear()
            known = _Statement(statement, compiled, tuple(names), {}, refused)
            self._statements[id(statement)] = known
        return known

    def _prepare(self, known: "_Statement", given: Mapping[str, Any]) -> _Prepared:
        markers = {
            name: (
                [_Marker(name, i) for i in range(len(value))]
                if isinstance(value, list)
                else _Marker(name, None)
            )
            for name, value in given.items()
        }
        try:
            state = known.compiled.construct_expanded_state(markers)
        except (CompileError, TypeError) as exc:
            raise Unprepared(f"the statement does not expand: {exc}") from exc
        slots = []
        for name in state.positiontup or ():
            marker = state.parameters[name]
            if not isinstance(marker, _Marker):
                raise Unprepared(f"the parameter {name!r} has no value given")
            slots.append(_Slot(marker.name, marker.index, state.processors.get(name)))
        if state.statement.count("?") != len(slots):
            raise Unprepared("a parameter is rendered as a literal")
        statement = known.statement
        assert isinstance(statement, Select)
        columns = tuple(str(column.key) for column in statement.selected_columns)
        if len(set(columns)) != len(columns) or "None" in columns:
            raise Unprepared("the selected columns have no distinct names")
        processed = []
        for name, column in zip(columns, statement.selected_columns, strict=True):
            type_ = column.type.dialect_impl(self.dialect)
            process = type_.result_processor(self.dialect, None)
            if process is not None:
                processed.append((name, process))
        return _Prepared(state.statement, tuple(slots), columns, tuple(processed))

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            args, options = self._connect_args
            connection = sqlite3.connect(*args, **options)
            for pragma in PRAGMAS:
                connection.execute(pragma)
            connection.execute("PRAGMA query_only=ON")
            with self._lock:
                self._connections.append(connection)
                self._retrace(connection)
            self._local.connection = connection
        return connection

    def _retrace(self, *connections: sqlite3.Connection) -> None:
        tracers = tuple(self._tracers)
        callback = None
        if tracers:

            def callback(sql: str) -> None:
                for tracer in tracers:
                    tracer(sql)

        for connection in connections or tuple(self._connections):
            connection.set_trace_callback(callback)
