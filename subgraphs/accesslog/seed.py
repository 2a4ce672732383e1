"""The access log starts empty: a new population has been seen by nobody."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table

from subgraphs.population import Household


def rows(chunk: Sequence[Household]) -> dict[Table, list[dict[str, Any]]]:
    """No rows: entries are written by the gateway as people look at data."""
    return {}
