"""Composition of federation 2 subgraph SDLs into a supergraph SDL.

    compose(subgraphs) -> CompositionResult

The steps: read each subgraph (:mod:`schema.subgraph`), check its federation
directives on their own (:mod:`schema.validate`), merge the types
(:mod:`schema.merge`), check the rules across subgraphs (:mod:`schema.rules`,
:mod:`schema.satisfiability`), print the supergraph in the join specification
v0.5 (:mod:`schema.printer`) and make sure its API schema is valid
(:mod:`schema.api`). Every error found on the way is returned, not just the first.
"""

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from schema.api import api_schema
from schema.errors import CompositionError, CompositionFailed, SupergraphError
from schema.merge import Merger
from schema.printer import SupergraphPrinter
from schema.rules import check_rules
from schema.satisfiability import check_satisfiability
from schema.subgraph import Subgraph, SubgraphSdl, TypeDef, read_subgraph
from schema.validate import settle_external_keys, validate_subgraph

__all__ = ["CompositionResult", "SubgraphSdl", "compose"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CompositionResult:
    """The supergraph SDL, or every error that prevents it.

    Attributes:
        supergraph: the supergraph SDL; None when there are errors.
        errors: every composition error, in the order they were found.
    """

    supergraph: str | None
    errors: tuple[CompositionError, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the subgraphs composed."""
        return self.supergraph is not None

    def supergraph_or_raise(self) -> str:
        """The supergraph SDL; raises CompositionFailed with every error."""
        if self.supergraph is None:
            raise CompositionFailed(self.errors)
        return self.supergraph


def compose(subgraphs: Sequence[SubgraphSdl]) -> CompositionResult:
    """Compose ``subgraphs`` (in this order) into one supergraph."""
    errors = _check_names(subgraphs)
    read: list[Subgraph] = []
    for given in subgraphs:
        result = read_subgraph(SubgraphSdl(*given))
        if isinstance(result, list):
            errors += result
        else:
            settle_external_keys(result)
            read.append(result)
    if errors:
        return _failed(errors)
    for subgraph_read in read:
        errors += validate_subgraph(subgraph_read)
        subgraph_read.types.setdefault("Query", TypeDef(name="Query", kind="object"))
    merger = Merger(read)
    types = merger.merge()
    errors += merger.errors + check_rules(read, types)
    if not errors:
        errors = check_satisfiability(read, types)
    if errors:
        return _failed(errors)
    supergraph = SupergraphPrinter(read, types).print()
    try:
        api_schema(supergraph)
    except SupergraphError as exc:
        names = tuple(s.name for s in read)
        return _failed([CompositionError("INVALID_SUPERGRAPH", str(exc), names)])
    logger.info("composed %d subgraphs", len(read))
    return CompositionResult(supergraph=supergraph)


def _failed(errors: list[CompositionError]) -> CompositionResult:
    logger.info("composition failed with %d errors", len(errors))
    return CompositionResult(supergraph=None, errors=tuple(errors))


def _check_names(subgraphs: Sequence[SubgraphSdl]) -> list[CompositionError]:
    if not subgraphs:
        return [CompositionError("NO_SUBGRAPHS", "There are no subgraphs to compose.")]
    counts = Counter(s[0] for s in subgraphs)
    return [
        CompositionError(
            "DUPLICATE_SUBGRAPH_NAME",
            f'The subgraph name "{name}" is used {count} times; each subgraph '
            "needs its own name.",
            (name,),
        )
        for name, count in counts.items()
        if count > 1
    ]
