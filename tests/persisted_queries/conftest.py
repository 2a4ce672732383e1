"""Stores on real SQLite, PostgreSQL and Redis for the persisted-query tests."""

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from persisted_queries.apq import sha256_hex
from persisted_queries.store import DocumentStore, metadata
from subgraphs.kit import sqlite_url

ME = "query Me { me { name } }"
CHILDREN = "query Children { me { children { name birthDate } } }"
RENAME = "mutation Rename($name: String!) { rename(name: $name) { name } }"


def apollo_manifest(*bodies: str) -> dict[str, Any]:
    """An Apollo persisted-query manifest of ``bodies``, each one named operation."""
    operations = []
    for body in bodies:
        kind, rest = body.split(" ", 1)
        name = rest.split("(")[0].split(" ")[0]
        operations.append(
            {"id": sha256_hex(body), "name": name, "type": kind, "body": body}
        )
    return {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": operations,
    }


def closed_port() -> int:
    """A local port that nothing listens on: bound, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def write_json(path: Path, data: object) -> Path:
    """Write ``data`` as JSON to ``path`` and return the path."""
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _run_admin(url: str, statement: str) -> None:
    # Its own thread and loop, away from the loop of the test that needs it.
    with ThreadPoolExecutor(1) as executor:
        executor.submit(asyncio.run, _admin(url, statement)).result()


@pytest.fixture(scope="session")
def postgres_database(postgres_url: str) -> Iterator[str]:
    """A database of its own for this session on the shared PostgreSQL server."""
    name = f"pq_test_{uuid.uuid4().hex[:12]}"
    _run_admin(postgres_url, f'CREATE DATABASE "{name}"')
    yield f"{postgres_url.rsplit('/', 1)[0]}/{name}"
    _run_admin(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def redis_prefix(redis_url: str) -> AsyncIterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    prefix = f"test:pq:{uuid.uuid4().hex}:"
    yield prefix
    await _delete_keys(redis_url, prefix)


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[DocumentStore]:
    """A store on a fresh SQLite file, without Redis."""
    store = DocumentStore.open(sqlite_url(tmp_path, "gateway"))
    await store.create()
    yield store
    await store.close()


async def _delete_keys(redis_url: str, prefix: str) -> None:
    client = Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        "sqlite+redis",
    ]
)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str | None]:
    """The database URL and Redis URL of one backend of the store's contract."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_database")
    else:
        url = sqlite_url(tmp_path, "gateway")
    redis_url = None
    if request.param.endswith("+redis"):
        redis_url = request.getfixturevalue("redis_url")
    return url, redis_url


@pytest.fixture
async def store(backend: tuple[str, str | None]) -> AsyncIterator[DocumentStore]:
    """The same contract on each backend: SQLite, PostgreSQL, SQLite behind Redis."""
    url, redis_url = backend
    prefix = f"test:pq:{uuid.uuid4().hex}:"
    store = DocumentStore.open(url, redis_url=redis_url, redis_prefix=prefix)
    await store.create()
    yield store
    async with store.database.engine.begin() as connection:
        await connection.run_sync(metadata.drop_all)
    await store.close()
    if redis_url is not None:
        await _delete_keys(redis_url, prefix)
