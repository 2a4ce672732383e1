"""Seeding: the synthetic population into every authority's database.

For each authority, :func:`seed` (re)creates its tables from its metadata and
inserts what its ``seed.rows(chunk)`` derives from each chunk of the population,
one transaction per chunk and database, the databases side by side. Memory stays
bounded by the chunk size, whatever the number of citizens.
"""

import asyncio
import importlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from types import ModuleType
from typing import Any

from sqlalchemy import Date, Dialect, MetaData, Table, event, insert

from subgraphs import registry
from subgraphs.kit import Database
from subgraphs.population import Household, generate

logger = logging.getLogger(__name__)

SQLITE_CACHE_KIB = 64 * 1024
"""Page cache per SQLite connection while seeding (a size in KiB)."""

RowsFunction = Callable[[Sequence[Household]], Mapping[Table, list[dict[str, Any]]]]


@dataclass(frozen=True)
class Authority:
    """What seeding needs of one subgraph: its tables and its row function.

    Attributes:
        name: the subgraph's name.
        database: the name of the database it lives in (a settings key); its own
            name unless it shares another's, as the access log shares the gateway's.
        metadata: its tables.
        rows: its seed module's ``rows``.
    """

    name: str
    database: str
    metadata: MetaData
    rows: RowsFunction


@dataclass
class Progress:
    """How far seeding has come."""

    citizens: int = 0
    total: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    @property
    def elapsed(self) -> float:
        """Seconds since seeding started."""
        return time.perf_counter() - self.started


def _own_module_missing(error: ModuleNotFoundError, name: str) -> bool:
    return (error.name or "").startswith(f"subgraphs.{name}")


def authorities(names: Sequence[str] = registry.SUBGRAPHS) -> list[Authority]:
    """The subgraphs that can be seeded, in composition order.

    An authority whose package is not there yet is left out with a warning; any
    other import error is raised.
    """
    found = []
    for name in names:
        try:
            subgraph = registry.load(name)
            module: ModuleType = importlib.import_module(f"subgraphs.{name}.seed")
        except ModuleNotFoundError as error:
            if not _own_module_missing(error, name):
                raise
            logger.warning("The authority %s has no seed module yet; skipped.", name)
            continue
        found.append(
            Authority(name, subgraph.database_name, subgraph.metadata, module.rows)
        )
    return found


def _bulk_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """A large page cache for the random inserts into key indexes of a big seed."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


async def recreate(database: Database, metadata: MetaData) -> None:
    """Drop the tables of ``metadata`` and create them empty."""
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.drop_all)
        await connection.run_sync(metadata.create_all)


@dataclass(frozen=True)
class _Batch:
    """One table's rows of a chunk, ready for the driver's ``executemany``."""

    sql: str
    values: list[tuple[Any, ...]]


def _batch(dialect: Dialect, table: Table, rows: list[dict[str, Any]]) -> _Batch:
    """Compile the INSERT once and turn the rows into positional tuples.

    Building bound parameters row by row through the SQL layer is what would
    otherwise dominate the time of a large seed; here rows become tuples in C and
    only the columns whose type needs it (dates on SQLite) are converted.
    """
    keys = list(rows[0])
    compiled = insert(table).inline().compile(dialect=dialect, column_keys=keys)
    order = list(compiled.positiontup or keys)
    columns = [list(map(itemgetter(key), rows)) for key in order]
    for index, key in enumerate(order):
        column_type = table.c[key].type
        if dialect.name == "sqlite" and type(column_type) is Date:
            # SQLite stores a date as its ISO text; the C method is much quicker.
            columns[index] = [
                None if v is None else v.isoformat() for v in columns[index]
            ]
            continue
        convert = column_type.bind_processor(dialect)
        if convert is not None:
            columns[index] = [None if v is None else convert(v) for v in columns[index]]
    return _Batch(str(compiled), list(zip(*columns, strict=True)))


def _prepare(
    authority: Authority, dialect: Dialect, chunk: Sequence[Household]
) -> list[_Batch]:
    rows = authority.rows(chunk)
    return [
        _batch(dialect, table, rows[table])
        for table in authority.metadata.sorted_tables
        if rows.get(table)
    ]


async def _insert(database: Database, batches: Sequence[_Batch]) -> int:
    """Insert the batches of one chunk in one transaction, in dependency order."""
    async with database.engine.begin() as connection:
        for batch in batches:
            await connection.exec_driver_sql(batch.sql, batch.values)
    return sum(len(batch.values) for batch in batches)


async def seed(
    databases: Mapping[str, Database],
    citizens: int,
    seed: int,
    chunk_size: int = 5000,
    on_progress: Callable[[Progress], None] | None = None,
    chosen: Sequence[Authority] | None = None,
) -> Progress:
    """Replace the data of every authority in ``databases`` by a fresh population.

    Chunks are generated and turned into rows in a worker thread while the
    previous chunk is being written, so that the databases and the generator
    work at the same time; at most two chunks are in memory.

    Args:
        databases: the databases, by name (see :attr:`Authority.database`).
        citizens: how many people the population holds.
        seed: the seed of the population.
        chunk_size: citizens per chunk and transaction.
        on_progress: called after every chunk.
        chosen: the authorities to seed (default: all that exist).

    Returns:
        The final progress: citizens and rows per authority.
    """
    targets = [a for a in (chosen or authorities()) if a.database in databases]
    for database in databases.values():
        if database.engine.dialect.name == "sqlite":
            event.listen(database.engine.sync_engine, "connect", _bulk_pragmas)
    await asyncio.gather(
        *(recreate(databases[a.database], a.metadata) for a in targets)
    )
    progress = Progress(total=citizens, rows={a.name: 0 for a in targets})
    chunks = generate(citizens, seed, chunk_size)
    dialects = {a.name: databases[a.database].engine.dialect for a in targets}

    def next_chunk() -> tuple[int, list[list[_Batch]]] | None:
        chunk = next(chunks, None)
        if chunk is None:
            return None
        people = sum(len(h.members) for h in chunk)
        return people, [_prepare(a, dialects[a.name], chunk) for a in targets]

    writing: asyncio.Future[list[int]] | None = None
    written = 0
    while True:
        prepared = await asyncio.to_thread(next_chunk)
        if writing is not None:
            _advance(progress, targets, await writing, written, on_progress)
        if prepared is None:
            return progress
        written, batches = prepared
        writing = asyncio.gather(
            *(
                _insert(databases[a.database], b)
                for a, b in zip(targets, batches, strict=True)
            )
        )


def _advance(
    progress: Progress,
    targets: Sequence[Authority],
    counts: list[int],
    people: int,
    on_progress: Callable[[Progress], None] | None,
) -> None:
    for authority, count in zip(targets, counts, strict=True):
        progress.rows[authority.name] += count
    progress.citizens += people
    if on_progress is not None:
        on_progress(progress)
