"""Schema checks: what a changed subgraph would do to the citizen graph.

    check(subgraph_name, new_sdl, current_subgraphs, operations) -> CheckReport

Before an authority ships a change of its subgraph, the check answers three
questions: does the changed subgraph still compose with the others; which changes
does the public (API) schema see, each BREAKING, DANGEROUS or SAFE; and which
persisted operations stop validating against the new public schema.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from graphql import GraphQLError, GraphQLSchema, parse, validate

from schema.api import api_schema
from schema.compose import compose
from schema.diff import SchemaChange, Severity, diff_schemas
from schema.errors import CompositionError, SupergraphError
from schema.policies import policy_changes
from schema.subgraph import SubgraphSdl


@dataclass(frozen=True)
class BrokenOperation:
    """A persisted operation that validated before the change and not after."""

    name: str
    messages: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        """The operation as JSON-ready data."""
        return {"name": self.name, "messages": list(self.messages)}


@dataclass(frozen=True)
class CheckReport:
    """The answer of a schema check.

    Attributes:
        subgraph: the name of the changed subgraph.
        composition_errors: why the changed subgraphs do not compose (if so).
        changes: the changes of the public schema, in schema order.
        broken_operations: operations that stop validating.
        notes: sentences about what could not be checked, and why.
        supergraph: the supergraph SDL after the change, when it composes.
    """

    subgraph: str
    composition_errors: tuple[CompositionError, ...] = ()
    changes: tuple[SchemaChange, ...] = ()
    broken_operations: tuple[BrokenOperation, ...] = ()
    notes: tuple[str, ...] = ()
    supergraph: str | None = field(default=None, repr=False)

    @property
    def breaking(self) -> bool:
        """True when the change must not ship as it is."""
        return bool(
            self.composition_errors
            or self.broken_operations
            or any(c.severity is Severity.BREAKING for c in self.changes)
        )

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready data."""
        return {
            "subgraph": self.subgraph,
            "breaking": self.breaking,
            "composes": not self.composition_errors,
            "compositionErrors": [e.as_dict() for e in self.composition_errors],
            "changes": [c.as_dict() for c in self.changes],
            "brokenOperations": [o.as_dict() for o in self.broken_operations],
            "notes": list(self.notes),
        }

    def as_json(self) -> str:
        """The report as indented JSON text."""
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False)

    def as_text(self) -> str:
        """The report as lines for a person to read."""
        verdict = "BREAKING" if self.breaking else "OK"
        lines = [f'Schema check of subgraph "{self.subgraph}": {verdict}', ""]
        if self.composition_errors:
            count = len(self.composition_errors)
            lines.append(f"Composition: {count} error(s); the change does not compose.")
            lines += [f"  [{e.code}] {e.message}" for e in self.composition_errors]
        else:
            lines.append("Composition: the changed subgraph composes with the others.")
        lines += ["", f"Changes to the public schema: {len(self.changes)}"]
        width = max((len(c.severity.value) for c in self.changes), default=0)
        lines += [f"  {c.severity.value:<{width}}  {c.message}" for c in self.changes]
        broken = self.broken_operations
        lines += ["", f"Operations that stop validating: {len(broken)}"]
        for operation in broken:
            lines.append(f"  {operation.name}")
            lines += [f"    {message}" for message in operation.messages]
        if self.notes:
            lines += ["", "Notes:"] + [f"  {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


def replace_subgraph(
    current: Sequence[SubgraphSdl], name: str, new_sdl: str
) -> list[SubgraphSdl]:
    """``current`` with subgraph ``name``'s SDL replaced, or added at the end."""
    subgraphs = [SubgraphSdl(*s) for s in current]
    changed = [s._replace(sdl=new_sdl) if s.name == name else s for s in subgraphs]
    if all(s.name != name for s in subgraphs):
        changed.append(SubgraphSdl(name, None, new_sdl))
    return changed


def check(
    subgraph_name: str,
    new_sdl: str,
    current_subgraphs: Sequence[SubgraphSdl],
    operations: Sequence[tuple[str, str]] = (),
) -> CheckReport:
    """Check the change of subgraph ``subgraph_name`` to ``new_sdl``.

    Args:
        subgraph_name: the subgraph that changes (or is added).
        new_sdl: its new SDL.
        current_subgraphs: every subgraph as it is now.
        operations: (name, document text) pairs of the persisted operations.
    """
    after = compose(replace_subgraph(current_subgraphs, subgraph_name, new_sdl))
    if after.supergraph is None:
        return CheckReport(subgraph_name, composition_errors=after.errors)
    new_api = api_schema(after.supergraph)
    before = compose(current_subgraphs)
    notes: list[str] = []
    old_api: GraphQLSchema | None = None
    if before.supergraph is None:
        notes.append(
            "The current subgraphs do not compose, so there is no public schema to "
            "compare with; only the operations were checked."
        )
    else:
        old_api = _api_or_none(before.supergraph, notes)
    changes = diff_schemas(old_api, new_api) if old_api else []
    if old_api is not None and before.supergraph is not None:
        changes += policy_changes(
            parse(before.supergraph), parse(after.supergraph), old_api, new_api
        )
    broken = broken_operations(old_api, new_api, operations)
    notes += _unparsable(operations)
    return CheckReport(
        subgraph_name,
        changes=tuple(changes),
        broken_operations=tuple(broken),
        notes=tuple(notes),
        supergraph=after.supergraph,
    )


def _api_or_none(supergraph: str, notes: list[str]) -> GraphQLSchema | None:
    try:
        return api_schema(supergraph)
    except SupergraphError as exc:
        notes.append(f"The current public schema cannot be built: {exc}")
        return None


def _unparsable(operations: Sequence[tuple[str, str]]) -> list[str]:
    notes = []
    for name, text in operations:
        try:
            parse(text, no_location=True)
        except GraphQLError as exc:
            notes.append(
                f'Operation "{name}" does not parse, so it was not checked: '
                f"{exc.message}"
            )
    return notes


def broken_operations(
    old: GraphQLSchema | None,
    new: GraphQLSchema,
    operations: Sequence[tuple[str, str]],
) -> list[BrokenOperation]:
    """The operations that validate against ``old`` but not against ``new``.

    Without an old schema, every operation that does not validate against ``new``.
    Documents that do not parse are not operations anyone can run; they are left
    out.
    """
    broken = []
    for name, text in operations:
        try:
            document = parse(text, no_location=True)
        except GraphQLError:
            continue
        if old is not None and validate(old, document):
            continue
        errors = validate(new, document)
        if errors:
            broken.append(BrokenOperation(name, tuple(e.message for e in errors)))
    return broken
