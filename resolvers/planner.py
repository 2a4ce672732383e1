"""The query planner: an operation and a supergraph make a plan of fetches.

Planning walks the client's selection once. Each field goes to the fetch that is
already fetching its parent object when that subgraph resolves it (so a
``@shareable`` field costs nothing extra, and ``@provides`` is honoured);
otherwise it goes to an entity fetch (``_entities``) of a subgraph that resolves
it, keyed by a resolvable ``@key`` whose fields the parent's fetch can supply,
with ``@requires`` fields planned as further fields of the parent. Abstract types
are planned per possible object type, with ``__typename`` added. Each fetch's
document is built as an AST and validated against the subgraph's schema once.
"""

import re
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationType,
    SchemaMetaFieldDef,
    TypeMetaFieldDef,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    print_ast,
    validate,
)
from graphql.language import ast
from graphql.utilities import get_operation_ast

from resolvers.plan import (
    INTROSPECTION,
    Fetch,
    FetchNode,
    Flatten,
    Parallel,
    Plan,
    PlanNode,
    RepField,
    RepSpec,
    Sequence,
)
from resolvers.selection import (
    Canonical,
    ClientField,
    Provided,
    SelectionSet,
    collect,
    field_set_items,
    provided_of,
    variables_in,
)
from resolvers.shaping import compile_shape
from schema.supergraph import Key, Supergraph

_META = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}

MAX_JUMPS = 8
"""How many entity hops one field may take to reach a subgraph that resolves it."""


class PlanningError(Exception):
    """An operation that cannot be planned over this supergraph."""

    code = "PLANNING_FAILED"


@dataclass(eq=False)
class _Group:
    id: int
    graph: str
    path: tuple[str, ...]
    position_type: str
    parent: "_Group | None"
    operation: str | None = None
    selection: SelectionSet = field(default_factory=SelectionSet)
    reps: dict[str, SelectionSet] = field(default_factory=dict)
    depends: set[int] = field(default_factory=set)
    children: list["_Group"] = field(default_factory=list)


class QueryPlanner:
    """Plans operations over one supergraph; stateless between calls."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph

    def plan(self, document: DocumentNode, operation_name: str | None) -> Plan:
        """The plan of the operation ``operation_name`` of a validated document.

        Raises:
            PlanningError: the operation cannot be planned over this supergraph.
        """
        return _Build(self.supergraph, document, operation_name).run()


class _Build:
    def __init__(
        self, supergraph: Supergraph, document: DocumentNode, operation_name: str | None
    ) -> None:
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            raise PlanningError(f"The document has no operation {operation_name!r}.")
        self.supergraph = supergraph
        self.schema: GraphQLSchema = supergraph.api_schema
        self.operation = operation
        self.fragments = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, ast.FragmentDefinitionNode)
        }
        self.canonical = Canonical()
        self.groups: list[_Group] = []
        self.roots: list[_Group] = []
        self.entity_groups: dict[tuple[int, str, tuple[str, ...]], _Group] = {}
        self.depth = 0
        self.pending: set[int] = set()

    def run(self) -> Plan:
        kind = self.operation.operation.value
        root = self.schema.get_root_type(OperationType(kind))
        if root is None:
            raise PlanningError(f"The schema has no {kind} type.")
        for item in collect(
            self.operation.selection_set, self.fragments, self.canonical
        ):
            if item.name == "__typename":
                continue
            group = self._root_group(kind, root.name, item)
            self._plan_fields(group, group.selection, root.name, root.name, [item], ())
        fetches = [self._fetch(group) for group in self.groups]
        node = self._tree(kind, fetches)
        return Plan(
            operation=kind,
            root_type=root.name,
            node=node,
            fetches=fetches,
            shape=compile_shape(
                self.schema,
                root,
                self.operation.selection_set,
                self.fragments,
                self.canonical,
            ),
            variable_defaults=self._defaults(),
        )

    # -- choosing subgraphs ------------------------------------------------------

    def _root_group(self, kind: str, root: str, item: ClientField) -> _Group:
        if item.name in ("__schema", "__type"):
            graphs: tuple[str, ...] = (INTROSPECTION,)
        else:
            graphs = self.supergraph.resolving_graphs(root, item.name)
        if not graphs:
            raise PlanningError(f"No subgraph resolves the field {root}.{item.name}.")
        if kind == "mutation":
            if self.roots and self.roots[-1].graph in graphs:
                return self.roots[-1]
            return self._new_root(graphs[0], kind, root)
        for group in self.roots:
            if group.graph in graphs:
                return group
        return self._new_root(graphs[0], kind, root)

    def _new_root(self, graph: str, kind: str, root: str) -> _Group:
        group = _Group(len(self.groups), graph, (), root, None, operation=kind)
        self.groups.append(group)
        self.roots.append(group)
        return group

    def _local(
        self, group: _Group, type_name: str, name: str, provided: Provided | None
    ) -> bool:
        if group.graph == INTROSPECTION or type_name.startswith("__"):
            return True
        if provided is not None and name in provided:
            return True
        if group.graph not in self.supergraph.resolving_graphs(type_name, name):
            return False
        entry = self.supergraph.field_in_graph(type_name, name, group.graph)
        return entry is None or entry.requires is None

    def _available(
        self,
        graph: str,
        type_name: str,
        selection: ast.SelectionSetNode,
        provided: Provided | None,
    ) -> bool:
        parent = self.schema.get_type(type_name)
        assert isinstance(parent, GraphQLObjectType)
        for item in field_set_items(selection):
            name = item.name.value
            if name == "__typename":
                continue
            in_provided = provided is not None and name in provided
            if not in_provided and graph not in self.supergraph.resolving_graphs(
                type_name, name
            ):
                return False
            if item.selection_set is not None and name in parent.fields:
                child = get_named_type(parent.fields[name].type).name
                inner = provided.get(name) if provided else None
                if not self._available(graph, child, item.selection_set, inner):
                    return False
        return True

    def _pending(self, group: _Group, graph: str, path: tuple[str, ...]) -> bool:
        found = self.entity_groups.get((group.id, graph, path))
        return found is not None and found.id in self.pending

    def _keys(self, type_name: str, graph: str) -> list[Key]:
        return [k for k in self.supergraph.keys(type_name, graph) if k.resolvable]

    def _choose(
        self,
        group: _Group,
        type_name: str,
        name: str,
        path: tuple[str, ...],
        provided: Provided | None,
    ) -> str:
        candidates = [
            g
            for g in self.supergraph.resolving_graphs(type_name, name)
            if self._keys(type_name, g) and not self._pending(group, g, path)
        ]
        if not candidates:
            raise PlanningError(
                f"No subgraph can resolve the field {type_name}.{name} by a key "
                f"from subgraph {group.graph!r}."
            )
        for graph in candidates:
            if (group.id, graph, path) in self.entity_groups:
                return graph

        def rank(graph: str) -> tuple[bool, bool, int]:
            direct = any(
                self._available(group.graph, type_name, k.selection, provided)
                for k in self._keys(type_name, graph)
            )
            entry = self.supergraph.field_in_graph(type_name, name, graph)
            requires = entry is not None and entry.requires is not None
            return (not direct, requires, candidates.index(graph))

        return min(candidates, key=rank)

    # -- planning fields ---------------------------------------------------------

    def _plan_fields(
        self,
        group: _Group,
        sel: SelectionSet,
        type_name: str,
        position_type: str,
        items: list[ClientField],
        path: tuple[str, ...],
        provided: Provided | None = None,
    ) -> set[int]:
        """Plan ``items`` on the object type ``type_name``; the groups touched."""
        parent = self.schema.get_type(type_name)
        assert isinstance(parent, GraphQLObjectType)
        touched: set[int] = set()
        for item in items:
            if item.name == "__typename":
                continue
            definition = _META.get(item.name) or parent.fields.get(item.name)
            if definition is None:
                raise PlanningError(f"The type {type_name} has no field {item.name}.")
            if self._local(group, type_name, item.name, provided):
                entry = self.supergraph.field_in_graph(
                    type_name, item.name, group.graph
                )
                if entry is not None and entry.provides is not None:
                    inner: Provided | None = provided_of(entry.provides)
                else:
                    inner = provided.get(item.name) if provided else None
                self._add(group, sel, item, definition.type, path, inner)
                touched.add(group.id)
            else:
                touched |= self._jump(
                    group,
                    sel,
                    type_name,
                    position_type,
                    item,
                    definition.type,
                    path,
                    provided,
                )
        return touched

    def _add(
        self,
        group: _Group,
        sel: SelectionSet,
        item: ClientField,
        field_type: GraphQLOutputType,
        path: tuple[str, ...],
        provided: Provided | None,
    ) -> None:
        named = get_named_type(field_type)
        composite = not is_leaf_type(named)
        fetched = sel.add(
            item.name, item.key, item.node.arguments or (), item.conditions, composite
        )
        if not composite or fetched.sub is None:
            return
        child_path = path + (item.key,) + ("@",) * _list_depth(field_type)
        children = list(
            collect(item.node.selection_set, self.fragments, self.canonical)
        )
        self._plan_selection(
            group, fetched.sub, named.name, children, child_path, provided
        )

    def _plan_selection(
        self,
        group: _Group,
        sel: SelectionSet,
        type_name: str,
        items: list[ClientField],
        path: tuple[str, ...],
        provided: Provided | None,
    ) -> None:
        named = self.schema.get_type(type_name)
        if named is None or not is_abstract_type(named):
            own = [i for i in items if self._applies(i, type_name)]
            self._plan_fields(group, sel, type_name, type_name, own, path, provided)
            return
        sel.add("__typename", "__typename")
        for possible in self.schema.get_possible_types(named):
            if not self._member_in_graph(group.graph, type_name, possible.name):
                continue
            own = [i for i in items if self._applies(i, possible.name)]
            if any(i.name != "__typename" for i in own):
                self._plan_fields(
                    group,
                    sel.fragment(possible.name),
                    possible.name,
                    type_name,
                    own,
                    path,
                    provided,
                )

    def _member_in_graph(self, graph: str, abstract: str, member: str) -> bool:
        if graph == INTROSPECTION:
            return True
        schema = self.supergraph.subgraph_schema(graph)
        outer, inner = schema.get_type(abstract), schema.get_type(member)
        if outer is None or inner is None or not is_abstract_type(outer):
            return False
        return schema.is_sub_type(outer, inner)

    def _applies(self, item: ClientField, type_name: str) -> bool:
        target = self.schema.get_type(type_name)
        for condition in item.type_conditions:
            if condition == type_name:
                continue
            outer = self.schema.get_type(condition)
            if outer is None or not is_abstract_type(outer):
                return False
            if not self.schema.is_sub_type(outer, target):  # type: ignore[arg-type]
                return False
        return True

    def _jump(
        self,
        group: _Group,
        sel: SelectionSet,
        type_name: str,
        position_type: str,
        item: ClientField,
        field_type: GraphQLOutputType,
        path: tuple[str, ...],
        provided: Provided | None,
    ) -> set[int]:
        graph = self._choose(group, type_name, item.name, path, provided)
        target = self._entity_group(
            group, sel, graph, type_name, position_type, path, provided
        )
        entry = self.supergraph.field_in_graph(type_name, item.name, graph)
        if entry is not None and entry.requires is not None:
            self._require(
                group,
                sel,
                target,
                type_name,
                position_type,
                entry.requires,
                path,
                provided,
            )
        inner = provided_of(entry.provides) if entry and entry.provides else None
        self._add(
            target, target.selection.fragment(type_name), item, field_type, path, inner
        )
        return {target.id}

    def _entity_group(
        self,
        group: _Group,
        sel: SelectionSet,
        graph: str,
        type_name: str,
        position_type: str,
        path: tuple[str, ...],
        provided: Provided | None,
    ) -> _Group:
        slot = (group.id, graph, path)
        target = self.entity_groups.get(slot)
        if target is None:
            target = _Group(len(self.groups), graph, path, position_type, group)
            target.depends.add(group.id)
            self.groups.append(target)
            group.children.append(target)
            self.entity_groups[slot] = target
        if type_name in target.reps:
            return target
        keys = self._keys(type_name, graph)
        key = next(
            (
                k
                for k in keys
                if self._available(group.graph, type_name, k.selection, provided)
            ),
            keys[0],
        )
        target.reps[type_name] = SelectionSet()
        self._require(
            group, sel, target, type_name, position_type, key.selection, path, provided
        )
        return target

    def _require(
        self,
        group: _Group,
        sel: SelectionSet,
        target: _Group,
        type_name: str,
        position_type: str,
        field_set: ast.SelectionSetNode,
        path: tuple[str, ...],
        provided: Provided | None,
    ) -> None:
        """Plan the fields ``target`` needs in its representations of ``type_name``."""
        self.depth += 1
        self.pending.add(target.id)
        if self.depth > MAX_JUMPS:
            raise PlanningError(
                f"The type {type_name} cannot be reached in subgraph {target.graph!r} "
                f"from subgraph {group.graph!r}."
            )
        try:
            items = [
                i
                for i in collect(field_set, {}, self.canonical)
                if self._applies(i, type_name)
            ]
            touched = self._plan_fields(
                group, sel, type_name, position_type, items, path, provided
            )
        finally:
            self.depth -= 1
            self.pending.discard(target.id)
        target.depends |= touched - {target.id}
        self._rep_add(target.reps[type_name], field_set)

    def _rep_add(self, rep: SelectionSet, field_set: ast.SelectionSetNode) -> None:
        for item in field_set_items(field_set):
            name = item.name.value
            key = self.canonical.key(name, item.arguments)
            fetched = rep.add(name, key, composite=item.selection_set is not None)
            if item.selection_set is not None and fetched.sub is not None:
                self._rep_add(fetched.sub, item.selection_set)

    # -- building fetches and the tree -------------------------------------------

    def _fetch(self, group: _Group) -> Fetch:
        definitions = {
            d.variable.name.value: d for d in self.operation.variable_definitions or ()
        }
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
            name=self._fetch_name(group),
            variable_definitions=tuple(variable_definitions),
            directives=(),
            selection_set=selection,
        )
        document = ast.DocumentNode(definitions=(operation,))
        self._validate(group.graph, document)
        if group.reps:
            top = {t: tuple(s.fields) for t, s in group.selection.fragments.items()}
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
            reps={t: RepSpec(t, _rep_fields(s)) for t, s in group.reps.items()},
            top_fields=top,
            representations_variable=rep_variable,
        )

    def _fetch_name(self, group: _Group) -> ast.NameNode | None:
        if self.operation.name is None or group.graph == INTROSPECTION:
            return None
        graph = re.sub(r"\W", "_", group.graph)
        return ast.NameNode(value=f"{self.operation.name.value}__{graph}__{group.id}")

    def _validate(self, graph: str, document: DocumentNode) -> None:
        if graph == INTROSPECTION:
            schema = self.schema
        else:
            schema = self.supergraph.subgraph_schema(graph)
        errors = validate(schema, document)
        if errors:
            raise PlanningError(
                f"The fetch planned for subgraph {graph!r} is not valid there: "
                f"{errors[0].message}"
            )

    def _tree(self, kind: str, fetches: list[Fetch]) -> PlanNode | None:
        nodes = [self._subtree(root, fetches) for root in self.roots]
        if not nodes:
            return None
        if len(nodes) == 1:
            return nodes[0]
        return Sequence(nodes) if kind == "mutation" else Parallel(nodes)

    def _subtree(self, root: _Group, fetches: list[Fetch]) -> PlanNode:
        members = _descendants(root)
        if all(g.depends <= {g.parent.id} for g in members if g.parent is not None):
            return _nested(root, fetches)
        depth: dict[int, int] = {}

        def level(group: _Group) -> int:
            if group.id not in depth:
                parents = [self.groups[d] for d in group.depends if d != group.id]
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

    def _defaults(self) -> dict[str, object]:
        from graphql import value_from_ast_untyped

        return {
            d.variable.name.value: value_from_ast_untyped(d.default_value)
            for d in self.operation.variable_definitions or ()
            if d.default_value is not None
        }


def _descendants(root: _Group) -> list[_Group]:
    found = [root]
    for child in root.children:
        found.extend(_descendants(child))
    return found


def _leaf(fetch: Fetch) -> PlanNode:
    node = FetchNode(fetch)
    return Flatten(fetch.path, node) if fetch.is_entity else node


def _nested(group: _Group, fetches: list[Fetch]) -> PlanNode:
    own = _leaf(fetches[group.id])
    if not group.children:
        return own
    children = [_nested(child, fetches) for child in group.children]
    after = children[0] if len(children) == 1 else Parallel(children)
    return Sequence([own, after])


def _list_depth(field_type: GraphQLOutputType) -> int:
    depth = 0
    current = get_nullable_type(field_type)
    while is_list_type(current):
        depth += 1
        current = get_nullable_type(current.of_type)
    return depth


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
