"""The per-request context of the access log subgraph: the log store."""

from dataclasses import dataclass, field

from auth.access_log import AccessLog
from subgraphs import kit


@dataclass(eq=False)
class AccessLogContext(kit.SubgraphContext):
    """A request to the access log, reading the gateway's database."""

    log: AccessLog = field(init=False)

    def __post_init__(self) -> None:
        self.log = AccessLog(self.database.engine)
