"""The property register's federation subgraph: Property and Person's homes."""

from subgraphs import kit
from subgraphs.property.loaders import PropertyContext
from subgraphs.property.models import metadata
from subgraphs.property.types import Person, Property

schema = kit.Schema(types=[Person, Property])

subgraph = kit.Subgraph(
    name="property", schema=schema, metadata=metadata, make_context=PropertyContext
)
