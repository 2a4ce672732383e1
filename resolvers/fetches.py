"""Fetch groups become fetches, and fetches a tree of plan nodes.

The planner gathers fields into :class:`FetchGroup` objects; here each group's
document is built as a graphql-core AST, printed, and validated against the
subgraph's schema (once, when the plan is built), and the groups are ordered
into :class:`~resolvers.plan.Sequence` and :class:`~resolvers.plan.Parallel` nodes
by their dependencies.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from graphql import DocumentNode, GraphQLSchema, OperationType, print_ast, validate
from graphql.language import ast

from resolvers.plan import (
    INTROSPECTION,
    Fetch,
    FetchNode,
    Flatten,
    Parallel,
    PlanningError,
    PlanNode,
    RepField,
    RepSpec,
    Sequence,
)
from resolvers.selection import SelectionSet, variables_in
from resolvers.shaping import Condition, condition_of


@dataclass(eq=False)
class FetchGroup:
    """One fetch being planned: its subgraph, place, selection and needs."""

    id: int
    graph: str
    path: tuple[str, ...]
    position_type: str
    parent: "FetchGroup | None"
    operation: str | None = None
    selection: SelectionSet = field(default_factory=SelectionSet)
    reps: dict[str, SelectionSet] = field(default_factory=dict)
    rep_types: dict[str, str] = field(default_factory=dict)
    resolves_type: bool = False
    depends: set[int] = field(default_factory=set)
    children: list["FetchGroup"] = field(default_factory=list)


def build_fetch(
    group: FetchGroup,
    operation_name: str | None,
    definitions: Mapping[str, ast.VariableDefinitionNode],
    schema_of: Callable[[str], GraphQLSchema],
) -> Fetch:
    """The fetch of a group: its document built, printed and validated once.

    Raises:
        PlanningError: the document is not valid in the subgraph's schema.
    """
    rep_variable = "representations"
    while rep_variable in definitions:
        rep_variable += "_"
    if group.reps:
        selection = _entities_selection(group.selection, rep_variable)
    else:
        selection = group.selection.to_ast()
    used = [v for v in variables_in(selection) if v in definitions]
    variable_definitions = [definitions[v] for v in used]
    if group.reps:
        variable_definitions.insert(0, _representations_definition(rep_variable))
    operation = ast.OperationDefinitionNode(
        operation=OperationType(group.operation or "query"),
        name=_fetch_name(group, operation_name),
        variable_definitions=tuple(variable_definitions),
        directives=(),
        selection_set=selection,
    )
    document = ast.DocumentNode(definitions=(operation,))
    _validate(group.graph, document, schema_of(group.graph))
    if group.resolves_type:
        top = {t: _all_keys(group.selection) for t in group.reps}
    elif group.reps:
        top = {
            t: tuple(group.selection.fragment(group.rep_types[t]).fields)
            for t in group.reps
        }
    else:
        top = {group.position_type: tuple(group.selection.fields)}
    return Fetch(
        id=group.id,
        graph=group.graph,
        document=document,
        text=print_ast(document),
        variables=tuple(used),
        path=group.path,
        position_type=group.position_type,
        reps={
            t: RepSpec(group.rep_types[t], _rep_fields(s))
            for t, s in group.reps.items()
        },
        resolves_type=group.resolves_type,
        top_fields=top,
        representations_variable=rep_variable,
        run_if=_run_if(group),
    )


def _fetch_name(group: FetchGroup, operation_name: str | None) -> ast.NameNode | None:
    if operation_name is None or group.graph == INTROSPECTION:
        return None
    graph = re.sub(r"\W", "_", group.graph)
    return ast.NameNode(value=f"{operation_name}__{graph}__{group.id}")


def _validate(graph: str, document: DocumentNode, schema: GraphQLSchema) -> None:
    errors = validate(schema, document)
    if errors:
        raise PlanningError(
            f"The fetch planned for subgraph {graph!r} is not valid there: "
            f"{errors[0].message}"
        )


def build_tree(
    kind: str, roots: list[FetchGroup], groups: list[FetchGroup], fetches: list[Fetch]
) -> PlanNode | None:
    """Order the fetches: root groups in parallel (in sequence for mutations),
    each followed by the groups that depend on it."""
    nodes = [_subtree(root, groups, fetches) for root in roots]
    if not nodes:
        return None
    if len(nodes) == 1:
        return nodes[0]
    return Sequence(nodes) if kind == "mutation" else Parallel(nodes)


def _subtree(
    root: FetchGroup, groups: list[FetchGroup], fetches: list[Fetch]
) -> PlanNode:
    members = _descendants(root)
    if all(g.depends <= {g.parent.id} for g in members if g.parent is not None):
        return _nested(root, fetches)
    depth: dict[int, int] = {}

    def level(group: FetchGroup) -> int:
        if group.id not in depth:
            parents = [groups[d] for d in group.depends if d != group.id]
            depth[group.id] = 1 + max((level(p) for p in parents), default=-1)
        return depth[group.id]

    levels: dict[int, list[PlanNode]] = {}
    for group in members:
        levels.setdefault(level(group), []).append(_leaf(fetches[group.id]))
    steps: list[PlanNode] = [
        nodes[0] if len(nodes) == 1 else Parallel(nodes)
        for _, nodes in sorted(levels.items())
    ]
    return steps[0] if len(steps) == 1 else Sequence(steps)


def _all_keys(selection: SelectionSet) -> tuple[str, ...]:
    keys = dict.fromkeys(k for k in selection.fields if k != "__typename")
    for inner in selection.fragments.values():
        keys.update(dict.fromkeys(inner.fields))
    return tuple(keys)


def _run_if(group: FetchGroup) -> tuple[tuple[Condition, ...], ...]:
    if group.reps:
        if group.selection.fields:
            return ()
        parts = group.selection.fragments.values()
        tops = [f for s in parts for f in s.fields.values()]
    else:
        tops = list(group.selection.fields.values())
    if not tops or any(not f.conditions for f in tops):
        return ()
    return tuple(tuple(condition_of(d) for d in f.conditions) for f in tops)


def _descendants(root: FetchGroup) -> list[FetchGroup]:
    found = [root]
    for child in root.children:
        found.extend(_descendants(child))
    return found


def _leaf(fetch: Fetch) -> PlanNode:
    node = FetchNode(fetch)
    return Flatten(fetch.path, node) if fetch.is_entity else node


def _nested(group: FetchGroup, fetches: list[Fetch]) -> PlanNode:
    own = _leaf(fetches[group.id])
    if not group.children:
        return own
    children = [_nested(child, fetches) for child in group.children]
    after = children[0] if len(children) == 1 else Parallel(children)
    return Sequence([own, after])


def _rep_fields(rep: SelectionSet) -> tuple[RepField, ...]:
    return tuple(
        RepField(f.name, f.key, _rep_fields(f.sub) if f.sub is not None else None)
        for f in rep.fields.values()
    )


def _entities_selection(selection: SelectionSet, variable: str) -> ast.SelectionSetNode:
    entities = ast.FieldNode(
        name=ast.NameNode(value="_entities"),
        arguments=(
            ast.ArgumentNode(
                name=ast.NameNode(value="representations"),
                value=ast.VariableNode(name=ast.NameNode(value=variable)),
            ),
        ),
        directives=(),
        selection_set=selection.to_ast(),
    )
    return ast.SelectionSetNode(selections=(entities,))


def _representations_definition(variable: str) -> ast.VariableDefinitionNode:
    any_type = ast.NonNullTypeNode(
        type=ast.NamedTypeNode(name=ast.NameNode(value="_Any"))
    )
    return ast.VariableDefinitionNode(
        variable=ast.VariableNode(name=ast.NameNode(value=variable)),
        type=ast.NonNullTypeNode(type=ast.ListTypeNode(type=any_type)),
        directives=(),
    )
