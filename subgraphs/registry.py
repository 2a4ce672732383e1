"""The composition root: the subgraphs that make up the citizen graph.

The four authorities each own a register and its data; the portal's own access log
is a subgraph too (``Person.accessLog``), living in the gateway's database.
"""

import importlib

from subgraphs.kit import Subgraph

AUTHORITIES = ("cpr", "skat", "property", "health")
"""The authorities of the citizen graph, in composition order."""

SUBGRAPHS = (*AUTHORITIES, "accesslog")
"""Every subgraph of the citizen graph: the authorities, then the access log."""


class UnknownAuthority(LookupError):
    """A subgraph name that is not one of :data:`SUBGRAPHS`."""

    code = "UNKNOWN_SUBGRAPH"

    def __init__(self, name: str) -> None:
        self.name = name
        known = ", ".join(SUBGRAPHS)
        super().__init__(f"There is no subgraph {name!r}; choose one of {known}.")


def load(name: str) -> Subgraph:
    """The subgraph called ``name``."""
    if name not in SUBGRAPHS:
        raise UnknownAuthority(name)
    module = importlib.import_module(f"subgraphs.{name}.schema")
    subgraph: Subgraph = module.subgraph
    return subgraph


def load_all() -> list[Subgraph]:
    """Every authority's subgraph, in composition order."""
    return [load(name) for name in AUTHORITIES]


def load_graph() -> list[Subgraph]:
    """Every subgraph of the citizen graph: the authorities and the access log."""
    return [load(name) for name in SUBGRAPHS]
