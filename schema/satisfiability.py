"""Whether every field can be reached from every subgraph that returns its type.

A subgraph that returns an object type but does not resolve one of its fields
needs a way to hand the object to a subgraph that does: an entity ``@key`` that
is resolvable there and whose fields the first subgraph can provide, possibly
through other subgraphs in between. This is a simplified form of the
satisfiability check of Apollo Federation 2 composition: it follows the types a
subgraph can return from its root fields and its resolvable entities, and jumps
between subgraphs by top-level key fields.
"""

from collections.abc import Sequence

from schema.errors import CompositionError
from schema.fieldsets import select
from schema.merge import MergedField, MergedType, subgraphs_phrase
from schema.rules import resolving_graphs
from schema.subgraph import ROOTS, Subgraph, TypeDef, named_type

ROOTS_SET = frozenset(ROOTS.values())


def check_satisfiability(
    subgraphs: Sequence[Subgraph], types: dict[str, MergedType]
) -> list[CompositionError]:
    """An error for each field that some subgraph returns but nothing can reach."""
    by_name = {s.name: s for s in subgraphs}
    errors: list[CompositionError] = []
    seen: set[str] = set()
    for subgraph in subgraphs:
        for type_name in sorted(_reachable_types(subgraph)):
            merged = types.get(type_name)
            if merged is None or merged.kind != "object" or type_name in ROOTS_SET:
                continue
            for item in merged.fields.values():
                coordinate = f"{type_name}.{item.name}"
                if coordinate in seen:
                    continue
                owners = _owners(types, merged)
                error = _check_field(by_name, subgraph.name, merged, item, owners)
                if error is not None:
                    seen.add(coordinate)
                    errors.append(error)
    return errors


def _reachable_types(subgraph: Subgraph) -> set[str]:
    types = subgraph.types
    start = [name for name in ROOTS.values() if name in types]
    start += [name for name, d in types.items() if any(k.resolvable for k in d.keys)]
    reached: set[str] = set()
    while start:
        name = start.pop()
        if name in reached or name not in types:
            continue
        reached.add(name)
        definition = types[name]
        start += [
            named_type(f.type) for f in definition.fields.values() if not f.external
        ]
        start += definition.members
        if definition.kind == "interface":
            start += [n for n, d in types.items() if name in d.interfaces]
    return reached


def _key_fields(subgraph: Subgraph, type_name: str, fields: str) -> set[str]:
    selected, problem = select(subgraph, type_name, fields)
    if problem is not None:
        return {"?"}
    return {item.field.name for item in selected if item.top_level}


def _can_provide(graph: str, merged: MergedType, names: set[str]) -> bool:
    for name in names:
        item = merged.fields.get(name)
        if item is None:
            return False
        definition = item.graphs.get(graph)
        if definition is None or definition.external:
            return False
    return True


def _owners(types: dict[str, MergedType], merged: MergedType) -> dict[str, TypeDef]:
    """The definitions that can take an object of ``merged`` by key, per subgraph.

    Besides the type's own, those of the ``@interfaceObject`` types that stand
    for one of its interfaces.
    """
    owners = dict(merged.graphs)
    for interface in merged.interfaces:
        target = types.get(interface)
        for graph, definition in target.graphs.items() if target else ():
            if definition.interface_object:
                owners.setdefault(graph, definition)
    return owners


def _reachable_graphs(
    by_name: dict[str, Subgraph],
    start: str,
    merged: MergedType,
    owners: dict[str, TypeDef],
) -> set[str]:
    reached = {start}
    frontier = [start]
    while frontier:
        current = frontier.pop()
        for graph, definition in owners.items():
            if graph in reached:
                continue
            for key in definition.keys:
                names = _key_fields(by_name[graph], definition.name, key.fields)
                if key.resolvable and _can_provide(current, merged, names):
                    reached.add(graph)
                    frontier.append(graph)
                    break
    return reached


def _check_field(
    by_name: dict[str, Subgraph],
    graph: str,
    merged: MergedType,
    item: MergedField,
    owners: dict[str, TypeDef],
) -> CompositionError | None:
    resolving = resolving_graphs(item)
    if not resolving or graph in resolving:
        return None
    if set(resolving) & _reachable_graphs(by_name, graph, merged, owners):
        return None
    coordinate = f"{merged.name}.{item.name}"
    involved = (graph, *resolving)
    keyed = [g for g, d in merged.graphs.items() if d.keys]
    if keyed and not any(k.resolvable for d in merged.graphs.values() for k in d.keys):
        return CompositionError(
            "ENTITY_WITHOUT_RESOLVABLE_KEY",
            f'Entity "{merged.name}" has no resolvable @key in any subgraph, so '
            f'field "{coordinate}", which only {subgraphs_phrase(resolving)} '
            f'resolves, cannot be reached from subgraph "{graph}"; make one '
            "@key resolvable.",
            involved,
            (coordinate,),
        )
    if not keyed:
        reason = f'"{merged.name}" has no @key through which another subgraph '
        reason += "could resolve it"
    else:
        reason = f"no resolvable @key of {subgraphs_phrase(resolving)} uses only "
        reason += f'fields that subgraph "{graph}" resolves'
    return CompositionError(
        "SATISFIABILITY_ERROR",
        f'Field "{coordinate}" cannot be resolved from subgraph "{graph}": that '
        f'subgraph returns "{merged.name}" without resolving the field, and '
        f"{reason}.",
        involved,
        (coordinate,),
    )
