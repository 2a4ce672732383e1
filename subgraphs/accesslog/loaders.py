"""Per-request loaders of the access log: one page per person and page request."""

from dataclasses import dataclass, field

from auth.access_log import AccessLog, AccessLogPage
from subgraphs import kit

PageKey = tuple[str, int, str | None]
"""A person, the page size and the cursor to page after."""


async def load_pages(log: AccessLog, keys: list[PageKey]) -> list[AccessLogPage]:
    """One page per key; a request asks for at most one person's log."""
    return [await log.read(person, first, after) for person, first, after in keys]


@dataclass(eq=False)
class AccessLogContext(kit.SubgraphContext):
    """The per-request context of the access log subgraph."""

    pages: kit.BatchLoader[PageKey, AccessLogPage] = field(init=False)

    def __post_init__(self) -> None:
        log = AccessLog(self.database.engine)

        async def batch(keys: list[PageKey]) -> list[AccessLogPage]:
            return await load_pages(log, keys)

        self.pages = kit.loader(batch)
