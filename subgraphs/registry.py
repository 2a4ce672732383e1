"""The composition root: the authorities that make up the citizen graph."""

import importlib

from subgraphs.kit import Subgraph

AUTHORITIES = ("cpr", "skat", "property", "health")
"""The authorities of the citizen graph, in composition order."""


class UnknownAuthority(LookupError):
    """A subgraph name that is not one of :data:`AUTHORITIES`."""

    code = "UNKNOWN_SUBGRAPH"

    def __init__(self, name: str) -> None:
        self.name = name
        known = ", ".join(AUTHORITIES)
        super().__init__(f"There is no subgraph {name!r}; choose one of {known}.")


def load(name: str) -> Subgraph:
    """The subgraph of the authority ``name``."""
    if name not in AUTHORITIES:
        raise UnknownAuthority(name)
    module = importlib.import_module(f"subgraphs.{name}.schema")
    subgraph: Subgraph = module.subgraph
    return subgraph


def load_all() -> list[Subgraph]:
    """Every authority's subgraph, in composition order."""
    return [load(name) for name in AUTHORITIES]
