"""Settings of a Citizen Graph process, read from the environment.

Every setting has a default that works on a laptop: SQLite files under ``data/``.
Production sets database URLs (PostgreSQL through asyncpg) and a Redis URL.

    CITIZEN_GRAPH_DATA_DIR            folder of the SQLite files (default ``data``)
    CITIZEN_GRAPH_<NAME>_DATABASE_URL database of one authority, e.g. ``CPR``
    CITIZEN_GRAPH_GATEWAY_DATABASE_URL the gateway's own data (access log, documents)
    CITIZEN_GRAPH_REDIS_URL           optional cache in front of persisted documents
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from subgraphs.kit import sqlite_url

PREFIX = "CITIZEN_GRAPH_"


@dataclass(frozen=True)
class Settings:
    """What a process needs to know about its environment."""

    data_dir: Path = Path("data")
    database_urls: Mapping[str, str] = field(default_factory=dict)
    redis_url: str | None = None

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, data_dir: Path | None = None
    ) -> "Settings":
        """Settings from ``environ`` (the process environment by default)."""
        env = os.environ if environ is None else environ
        folder = data_dir or Path(env.get(f"{PREFIX}DATA_DIR", "data"))
        suffix = "_DATABASE_URL"
        urls = {
            key[len(PREFIX) : -len(suffix)].lower(): value
            for key, value in env.items()
            if key.startswith(PREFIX) and key.endswith(suffix) and value
        }
        return cls(
            data_dir=folder,
            database_urls=urls,
            redis_url=env.get(f"{PREFIX}REDIS_URL") or None,
        )

    def database_url(self, name: str) -> str:
        """The database URL of store ``name`` (an authority, or ``gateway``)."""
        return self.database_urls.get(name) or sqlite_url(self.data_dir, name)
