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
from types import ModuleType
from typing import Any

from sqlalchemy import MetaData, Table, insert

from subgraphs import registry
from subgraphs.kit import Database
from subgraphs.population import Household, generate

logger = logging.getLogger(__name__)

RowsFunction = Callable[[Sequence[Household]], Mapping[Table, list[dict[str, Any]]]]


@dataclass(frozen=True)
class Authority:
    """What seeding needs of one authority: its tables and its row function."""

    name: str
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


def authorities(names: Sequence[str] = registry.AUTHORITIES) -> list[Authority]:
    """The authorities that can be seeded, in composition order.

    An authority whose package is not there yet is left out with a warning; any
    other import error is raised.
    """
    found = []
    for name in names:
        try:
            metadata = registry.load(name).metadata
            module: ModuleType = importlib.import_module(f"subgraphs.{name}.seed")
        except ModuleNotFoundError as error:
            if not _own_module_missing(error, name):
                raise
            logger.warning("The authority %s has no seed module yet; skipped.", name)
            continue
        found.append(Authority(name, metadata, module.rows))
    return found


async def recreate(database: Database, metadata: MetaData) -> None:
    """Drop the tables of ``metadata`` and create them empty."""
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.drop_all)
        await connection.run_sync(metadata.create_all)


async def _insert(
    database: Database, metadata: MetaData, rows: Mapping[Table, list[dict[str, Any]]]
) -> int:
    count = 0
    async with database.engine.begin() as connection:
        for table in metadata.sorted_tables:
            batch = rows.get(table)
            if batch:
                await connection.execute(insert(table), batch)
                count += len(batch)
    return count


async def seed(
    databases: Mapping[str, Database],
    citizens: int,
    seed: int,
    chunk_size: int = 5000,
    on_progress: Callable[[Progress], None] | None = None,
    chosen: Sequence[Authority] | None = None,
) -> Progress:
    """Replace the data of every authority in ``databases`` by a fresh population.

    Args:
        databases: the database of each authority, by name.
        citizens: how many people the population holds.
        seed: the seed of the population.
        chunk_size: citizens per chunk and transaction.
        on_progress: called after every chunk.
        chosen: the authorities to seed (default: all that exist).

    Returns:
        The final progress: citizens and rows per authority.
    """
    targets = [a for a in (chosen or authorities()) if a.name in databases]
    await asyncio.gather(*(recreate(databases[a.name], a.metadata) for a in targets))
    progress = Progress(total=citizens, rows={a.name: 0 for a in targets})
    for chunk in generate(citizens, seed, chunk_size):
        counts = await asyncio.gather(
            *(_insert(databases[a.name], a.metadata, a.rows(chunk)) for a in targets)
        )
        for authority, count in zip(targets, counts, strict=True):
            progress.rows[authority.name] += count
        progress.citizens += sum(len(h.members) for h in chunk)
        if on_progress is not None:
            on_progress(progress)
    return progress
