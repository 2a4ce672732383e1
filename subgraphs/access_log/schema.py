"""The access log's federation subgraph: Person.accessLog."""

from auth.access_log import metadata
from subgraphs import kit
from subgraphs.access_log.loaders import AccessLogContext
from subgraphs.access_log.types import Person

schema = kit.Schema(types=[Person])

subgraph = kit.Subgraph(
    name="access_log", schema=schema, metadata=metadata, make_context=AccessLogContext
)
