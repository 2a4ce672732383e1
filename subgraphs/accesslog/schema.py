"""The access log's federation subgraph: ``Person.accessLog``."""

from subgraphs import kit
from subgraphs.accesslog.loaders import AccessLogContext
from subgraphs.accesslog.models import metadata
from subgraphs.accesslog.types import Person

schema = kit.Schema(types=[Person])

subgraph = kit.Subgraph(
    name="accesslog",
    schema=schema,
    metadata=metadata,
    make_context=AccessLogContext,
    store="gateway",
)
