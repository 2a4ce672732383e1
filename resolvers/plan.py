"""Query plans: fetches and the nodes that order them.

A plan is a tree of :class:`Sequence`, :class:`Parallel`, :class:`Flatten` and
:class:`FetchNode`. Each :class:`Fetch` holds its document parsed (and validated
against the subgraph when the plan was built) and its text, the client variables
it forwards, and, for an entity fetch, how to build representations from the
merged data. A plan prints for people (:func:`format_plan`) and serialises for
``extensions.queryPlan`` (:meth:`Plan.to_json`).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import DocumentNode, print_ast

from resolvers.shaping import Condition

INTROSPECTION = "#introspection"
"""The pseudo-subgraph that answers ``__schema`` and ``__type`` from the API schema."""


class PlanningError(Exception):
    """An operation that cannot be planned over this supergraph."""

    code = "PLANNING_FAILED"


@dataclass(frozen=True)
class RepField:
    """One field of a representation: its name, canonical key and subfields."""

    name: str
    key: str
    sub: tuple["RepField", ...] | None = None


@dataclass(frozen=True)
class RepSpec:
    """How to build the representation of one entity type for one fetch."""

    typename: str
    fields: tuple[RepField, ...]


@dataclass(eq=False)
class Fetch:
    """One request to one subgraph.

    Attributes:
        id: the fetch's number within the plan.
        graph: the subgraph's name (or :data:`INTROSPECTION`).
        document: the fetch document, parsed and validated.
        text: the printed document, as it goes over HTTP.
        variables: the client variables the fetch forwards.
        path: where results merge (canonical keys, ``@`` for list items).
        position_type: the static type at ``path`` (entity fetches).
        reps: type name -> representation spec (entity fetches only).
        top_fields: type name -> canonical keys this fetch adds at ``path``.
        representations_variable: the variable that carries representations.
        run_if: when every top-level field of the fetch carries ``@skip`` or
            ``@include``, their conditions: the fetch runs only if one holds.
        resolves_type: the fetch tells the concrete type of objects that an
            interface-object subgraph returned; its ``__typename`` wins.
    """

    id: int
    graph: str
    document: DocumentNode
    text: str
    variables: tuple[str, ...]
    path: tuple[str, ...] = ()
    position_type: str = ""
    reps: Mapping[str, RepSpec] = field(default_factory=dict)
    top_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    representations_variable: str = "representations"
    run_if: tuple[tuple[Condition, ...], ...] = ()
    resolves_type: bool = False

    @property
    def is_entity(self) -> bool:
        """True for an ``_entities`` fetch."""
        return bool(self.reps)


@dataclass(eq=False)
class FetchNode:
    """Run one fetch."""

    fetch: Fetch


@dataclass(eq=False)
class Flatten:
    """Run an entity fetch for the objects at ``path`` and merge the results."""

    path: tuple[str, ...]
    node: FetchNode


@dataclass(eq=False)
class Sequence:
    """Run nodes one after the other."""

    nodes: list["PlanNode"]


@dataclass(eq=False)
class Parallel:
    """Run nodes concurrently."""

    nodes: list["PlanNode"]


PlanNode = FetchNode | Flatten | Sequence | Parallel


@dataclass(eq=False)
class Plan:
    """The plan of one operation.

    Attributes:
        operation: ``query`` or ``mutation``.
        root_type: the name of the operation's root type.
        node: the root node, or None when nothing needs fetching.
        fetches: every fetch of the plan.
        shape: the client's selection, compiled for the shaper.
        variable_defaults: defaults of the operation's variables.
    """

    operation: str
    root_type: str
    node: PlanNode | None
    fetches: list[Fetch]
    shape: Any
    variable_defaults: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON-ready data for ``extensions.queryPlan``."""
        return {
            "kind": "QueryPlan",
            "node": _node_json(self.node) if self.node is not None else None,
        }


def _node_json(node: PlanNode) -> dict[str, Any]:
    if isinstance(node, FetchNode):
        fetch = node.fetch
        result: dict[str, Any] = {
            "kind": "Fetch",
            "serviceName": fetch.graph,
            "variableUsages": list(fetch.variables),
            "operation": fetch.text,
        }
        if fetch.is_entity:
            result["requires"] = [_rep_json(spec) for spec in _distinct(fetch)]
        return result
    if isinstance(node, Flatten):
        return {
            "kind": "Flatten",
            "path": list(node.path),
            "node": _node_json(node.node),
        }
    kind = "Sequence" if isinstance(node, Sequence) else "Parallel"
    return {"kind": kind, "nodes": [_node_json(n) for n in node.nodes]}


def _distinct(fetch: Fetch) -> list[RepSpec]:
    return list(dict.fromkeys(fetch.reps.values()))


def _rep_json(spec: RepSpec) -> dict[str, Any]:
    return {"typeCondition": spec.typename, "selection": _rep_text(spec.fields)}


def _rep_text(fields: tuple[RepField, ...]) -> str:
    parts = []
    for item in fields:
        if item.sub is None:
            parts.append(item.name)
        else:
            parts.append(f"{item.name} {{ {_rep_text(item.sub)} }}")
    return " ".join(parts)


def format_plan(plan: Plan) -> str:
    """The plan as indented text for people (``citizen-graph plan``)."""
    lines = ["QueryPlan {"]
    if plan.node is not None:
        _format(plan.node, 1, lines)
    lines.append("}")
    return "\n".join(lines)


def _format(node: PlanNode, depth: int, lines: list[str]) -> None:
    pad = "  " * depth
    if isinstance(node, FetchNode):
        fetch = node.fetch
        lines.append(f'{pad}Fetch(service: "{fetch.graph}") {{')
        for spec in _distinct(fetch):
            wanted = _rep_text(spec.fields)
            lines.append(f"{pad}  requires: ... on {spec.typename} {{ {wanted} }}")
        for text_line in print_ast(fetch.document).splitlines():
            lines.append(f"{pad}  {text_line}")
        lines.append(f"{pad}}}")
        return
    if isinstance(node, Flatten):
        lines.append(f'{pad}Flatten(path: "{".".join(node.path)}") {{')
        _format(node.node, depth + 1, lines)
        lines.append(f"{pad}}}")
        return
    kind = "Sequence" if isinstance(node, Sequence) else "Parallel"
    lines.append(f"{pad}{kind} {{")
    for child in node.nodes:
        _format(child, depth + 1, lines)
    lines.append(f"{pad}}}")
