"""The kit every authority's subgraph is built from.

It holds what is the same for all authorities: opening a database from a URL, the
per-request context, batched loading by key, and the :class:`Subgraph` descriptor
that the gateway and the command line work with. It knows no authority.
"""

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import strawberry
from aiodataloader import DataLoader
from sqlalchemy import MetaData, event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from auth.viewer import Viewer

MAX_BATCH_SIZE = 500
"""Keys per ``IN (...)`` query; well under SQLite's limit on bound parameters."""

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def sqlite_url(data_dir: Path | str, name: str) -> str:
    """The default database URL of a store: a SQLite file under ``data_dir``."""
    path = Path(data_dir).resolve() / f"{name}.db"
    return f"sqlite+aiosqlite:///{path}"


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@dataclass(eq=False)
class Database:
    """One authority's database: an async engine opened from a URL."""

    url: str
    engine: AsyncEngine

    @classmethod
    def open(cls, url: str, **engine_options: Any) -> "Database":
        """Open ``url`` (any SQLAlchemy async URL); nothing connects until used."""
        if url.startswith("sqlite"):
            Path(url.split("///", 1)[-1]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **engine_options)
        if engine.dialect.name == "sqlite":
            event.listen(engine.sync_engine, "connect", _tune_sqlite)
        return cls(url=url, engine=engine)

    async def create_all(self, metadata: MetaData) -> None:
        """Create the tables of ``metadata`` that do not exist yet."""
        async with self.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


@dataclass(eq=False)
class SubgraphContext:
    """What one request hands to a subgraph: the viewer and the database.

    Authorities subclass it to add their per-request loaders. A context, and the
    loaders in it, serves exactly one request and is never shared.
    """

    viewer: Viewer
    database: Database


def ordered(
    keys: Sequence[K], rows: Iterable[V], key: Callable[[V], K]
) -> list[V | None]:
    """Rows in the order of ``keys``; None where no row has that key."""
    by_key = {key(row): row for row in rows}
    return [by_key.get(k) for k in keys]


def grouped(
    keys: Sequence[K], rows: Iterable[V], key: Callable[[V], K]
) -> list[list[V]]:
    """Rows grouped per key, in the order of ``keys``; an empty list for none."""
    groups: dict[K, list[V]] = {k: [] for k in keys}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return [groups[k] for k in keys]


def loader(
    batch: Callable[[list[K]], Any], max_batch_size: int = MAX_BATCH_SIZE
) -> DataLoader:  # type: ignore[type-arg]
    """A per-request dataloader over ``batch``, split to respect parameter limits."""
    return DataLoader(batch, max_batch_size=max_batch_size)


@dataclass(frozen=True, eq=False)
class Subgraph:
    """One authority's subgraph as the rest of the system sees it.

    Attributes:
        name: the authority's short name (``cpr``, ``skat``...).
        schema: its Strawberry federation schema.
        metadata: the SQLAlchemy tables of its database.
        make_context: builds a fresh per-request context for a viewer.
    """

    name: str
    schema: strawberry.federation.Schema
    metadata: MetaData
    make_context: Callable[[Viewer, Database], SubgraphContext]

    @property
    def sdl(self) -> str:
        """The subgraph's federation SDL, as ``_service { sdl }`` returns it."""
        return self.schema.as_str()
