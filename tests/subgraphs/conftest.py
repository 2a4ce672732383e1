"""A small seeded population in every authority's database, for the subgraph tests.

``seeded_urls`` seeds once per test session and backend (SQLite files, or one
uniquely named PostgreSQL database per store that is dropped afterwards);
``seeded`` opens fresh :class:`~subgraphs.kit.Database` objects on them for one
test. Both are generic over :data:`subgraphs.registry.SUBGRAPHS` and keyed by
database name (``cpr``... and ``gateway`` for the access log); a subgraph whose
package does not import yet is left out.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest

from subgraphs import kit
from subgraphs.seeding import Authority, authorities, seed

SEEDED_CITIZENS = 400
SEEDED_SEED = 1


def _admin_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _database_url(url: str, name: str) -> str:
    return f"{url.rsplit('/', 1)[0]}/{name}"


async def _create_databases(admin: str, names: list[str]) -> None:
    connection = await asyncpg.connect(admin)
    try:
        for name in names:
            await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def _drop_databases(admin: str, names: list[str]) -> None:
    connection = await asyncpg.connect(admin)
    try:
        for name in names:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


async def _seed(urls: dict[str, str], chosen: list[Authority]) -> None:
    databases = {name: kit.Database.open(url) for name, url in urls.items()}
    try:
        await seed(databases, SEEDED_CITIZENS, SEEDED_SEED, 150, chosen=chosen)
    finally:
        await asyncio.gather(*(d.close() for d in databases.values()))


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def seeded_urls(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """Database URL per store, seeded with :data:`SEEDED_CITIZENS` people."""
    chosen = authorities()
    if request.param == "sqlite":
        folder: Path = tmp_path_factory.mktemp("seeded")
        urls = {a.database: kit.sqlite_url(folder, a.database) for a in chosen}
        asyncio.run(_seed(urls, chosen))
        yield urls
        return
    base: str = request.getfixturevalue("postgres_url")
    admin = _admin_dsn(base)
    prefix = f"cg_test_{uuid.uuid4().hex[:10]}"
    names = {a.database: f"{prefix}_{a.database}" for a in chosen}
    asyncio.run(_create_databases(admin, list(names.values())))
    try:
        urls = {a: _database_url(base, n) for a, n in names.items()}
        asyncio.run(_seed(urls, chosen))
        yield urls
    finally:
        asyncio.run(_drop_databases(admin, list(names.values())))


@pytest.fixture
async def seeded(seeded_urls: dict[str, str]) -> AsyncIterator[dict[str, kit.Database]]:
    """The seeded databases, opened for one test and closed after it."""
    databases = {name: kit.Database.open(url) for name, url in seeded_urls.items()}
    try:
        yield databases
    finally:
        await asyncio.gather(*(d.close() for d in databases.values()))
