"""Rules that hold across subgraphs once their types are merged.

Field sharing (``@shareable``), external fields that some subgraph must resolve,
interface implementations, ``@inaccessible`` consistency and a root query field.
Whether every field can be reached from every subgraph that returns its type lives
in :mod:`schema.satisfiability`.
"""

from collections.abc import Sequence

from schema.errors import CompositionError
from schema.merge import MergedField, MergedType, quoted, subgraphs_phrase
from schema.subgraph import Argument, Subgraph, named_type
from schema.validate import key_field_names, used_fields


def check_rules(
    subgraphs: Sequence[Subgraph], types: dict[str, MergedType]
) -> list[CompositionError]:
    """Every cross-subgraph error of the merged ``types``."""
    errors = _check_sharing(subgraphs, types)
    errors += _check_external_base(types)
    errors += _check_implementations(types)
    errors += _check_inaccessible(types)
    errors += _check_query(subgraphs, types)
    return errors


def resolving_graphs(item: MergedField) -> list[str]:
    """The subgraphs that resolve ``item`` themselves (not external, not overridden)."""
    return [
        graph
        for graph, definition in item.graphs.items()
        if not definition.external
        and not (graph in item.overridden and item.overridden[graph] is None)
    ]


def _check_sharing(
    subgraphs: Sequence[Subgraph], types: dict[str, MergedType]
) -> list[CompositionError]:
    by_name = {s.name: s for s in subgraphs}
    provided = {s.name: used_fields(s)["provides"] for s in subgraphs}
    errors = []
    for merged in types.values():
        if merged.kind != "object":
            continue
        for item in merged.fields.values():
            resolving = [
                graph
                for graph, definition in item.graphs.items()
                if graph not in item.overridden
                and graph in merged.graphs
                and (
                    not definition.external
                    or (merged.name, item.name) in provided[graph]
                )
            ]
            if len(resolving) < 2:
                continue
            offenders = [
                graph
                for graph in resolving
                if not item.graphs[graph].external
                and not item.graphs[graph].shareable
                and item.name
                not in key_field_names(by_name[graph], merged.graphs[graph])
            ]
            if offenders:
                coordinate = f"{merged.name}.{item.name}"
                errors.append(
                    CompositionError(
                        "INVALID_FIELD_SHARING",
                        f'Field "{coordinate}" is resolved by '
                        f"{subgraphs_phrase(resolving)} but is not marked "
                        f"@shareable in {subgraphs_phrase(offenders)}; mark it "
                        "@shareable in every subgraph that resolves it, or keep "
                        "it in one subgraph only.",
                        tuple(resolving),
                        (coordinate,),
                    )
                )
    return errors


def _check_external_base(types: dict[str, MergedType]) -> list[CompositionError]:
    errors = []
    for merged in types.values():
        if merged.kind != "object":
            continue
        for item in merged.fields.values():
            if all(d.external for d in item.graphs.values()):
                coordinate = f"{merged.name}.{item.name}"
                graphs = list(item.graphs)
                errors.append(
                    CompositionError(
                        "EXTERNAL_MISSING_ON_BASE",
                        f'Field "{coordinate}" is marked @external in every '
                        f"subgraph that defines it ({subgraphs_phrase(graphs)}); "
                        "some subgraph must resolve it without @external.",
                        tuple(graphs),
                        (coordinate,),
                    )
                )
    return errors


def _check_implementations(types: dict[str, MergedType]) -> list[CompositionError]:
    errors = []
    for merged in types.values():
        for interface_name in merged.interfaces:
            interface = types.get(interface_name)
            if interface is None or interface.kind != "interface":
                errors.append(
                    CompositionError(
                        "INVALID_GRAPHQL",
                        f'Type "{merged.name}" implements "{interface_name}", '
                        "which is not an interface in the supergraph.",
                        tuple(merged.interfaces[interface_name]),
                        (merged.name,),
                    )
                )
                continue
            for name, item in interface.fields.items():
                if name not in merged.fields:
                    coordinate = f"{interface_name}.{name}"
                    errors.append(
                        CompositionError(
                            "INTERFACE_FIELD_NO_IMPLEM",
                            f'Type "{merged.name}" implements interface '
                            f'"{interface_name}" but no subgraph defines field '
                            f'"{merged.name}.{name}", which '
                            f"{subgraphs_phrase(list(item.graphs))} adds to "
                            f'"{coordinate}".',
                            tuple(item.graphs),
                            (coordinate, f"{merged.name}.{name}"),
                        )
                    )
    return errors


def _inaccessible_type(types: dict[str, MergedType], type_ref: str) -> bool:
    target = types.get(named_type(type_ref))
    return target is not None and target.inaccessible


def _check_inaccessible(types: dict[str, MergedType]) -> list[CompositionError]:
    errors = []
    for merged in types.values():
        if merged.inaccessible:
            continue
        children: list[tuple[str, str | None, bool]] = []
        for item in merged.fields.values():
            coordinate = f"{merged.name}.{item.name}"
            children.append((coordinate, item.type, item.inaccessible))
            if not item.inaccessible:
                errors += _check_arguments(types, coordinate, item.arguments)
        for argument in merged.inputs.values():
            coordinate = f"{merged.name}.{argument.name}"
            children.append((coordinate, argument.type, argument.inaccessible))
            errors += _required_inaccessible(coordinate, "Input field", argument)
        for value, _ in merged.values.values():
            children.append((f"{merged.name}.{value.name}", None, value.inaccessible))
        for coordinate, type_ref, hidden in children:
            if not hidden and type_ref and _inaccessible_type(types, type_ref):
                errors.append(_referenced(coordinate, named_type(type_ref)))
        if children and all(hidden for _, _, hidden in children):
            errors.append(
                CompositionError(
                    "ONLY_INACCESSIBLE_CHILDREN",
                    f'Type "{merged.name}" is visible but all its fields or values '
                    "are @inaccessible; make one of them visible or hide the type.",
                    tuple(merged.graphs),
                    (merged.name,),
                )
            )
    return errors


def _check_arguments(
    types: dict[str, MergedType], coordinate: str, arguments: dict[str, Argument]
) -> list[CompositionError]:
    errors = []
    for argument in arguments.values():
        where = f"{coordinate}({argument.name}:)"
        errors += _required_inaccessible(where, "Argument", argument)
        if not argument.inaccessible and _inaccessible_type(types, argument.type):
            errors.append(_referenced(where, named_type(argument.type)))
    return errors


def _required_inaccessible(
    coordinate: str, what: str, argument: Argument
) -> list[CompositionError]:
    if not argument.inaccessible or not argument.type.endswith("!"):
        return []
    if argument.default is not None:
        return []
    return [
        CompositionError(
            "REQUIRED_INACCESSIBLE",
            f'{what} "{coordinate}" is required but @inaccessible, so no client '
            "could ever pass it; make it optional or visible.",
            (),
            (coordinate,),
        )
    ]


def _referenced(coordinate: str, type_name: str) -> CompositionError:
    return CompositionError(
        "REFERENCED_INACCESSIBLE",
        f'"{coordinate}" is visible but its type "{type_name}" is @inaccessible; '
        f'mark "{coordinate}" @inaccessible too.',
        (),
        (coordinate, type_name),
    )


def _check_query(
    subgraphs: Sequence[Subgraph], types: dict[str, MergedType]
) -> list[CompositionError]:
    query = types.get("Query")
    if query is not None and any(d.fields for d in query.graphs.values()):
        return []
    names = [s.name for s in subgraphs]
    return [
        CompositionError(
            "NO_QUERIES",
            f"None of the subgraphs {quoted(names)} defines a field on Query; "
            "the supergraph needs at least one.",
            tuple(names),
            ("Query",),
        )
    ]
