"""The tax agency's federation subgraph: Payslip, TaxAssessment and Person's income."""

from subgraphs import kit
from subgraphs.skat.loaders import SkatContext
from subgraphs.skat.models import metadata
from subgraphs.skat.types import Person

schema = kit.Schema(types=[Person])

subgraph = kit.Subgraph(
    name="skat", schema=schema, metadata=metadata, make_context=SkatContext
)
