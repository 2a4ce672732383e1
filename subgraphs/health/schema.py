"""The health authority's federation subgraph: HealthRecord on Person and Child."""

from subgraphs import kit
from subgraphs.health.loaders import HealthContext
from subgraphs.health.models import metadata
from subgraphs.health.types import Child, Person

schema = kit.Schema(types=[Person, Child])

subgraph = kit.Subgraph(
    name="health", schema=schema, metadata=metadata, make_context=HealthContext
)
