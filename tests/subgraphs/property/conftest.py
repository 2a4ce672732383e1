"""Fixtures of the property register's tests: a fresh database on each backend."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from subgraphs import kit
from subgraphs.property.models import metadata
from tests.subgraphs.authorities import (
    BACKENDS,
    authorities_postgres_url,
    open_database,
)

__all__ = ["authorities_postgres_url", "database"]


@pytest.fixture(params=BACKENDS)
async def database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[kit.Database]:
    """An empty property register database."""
    async for opened in open_database(request, tmp_path, metadata):
        yield opened
