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

from graphql import (
    DocumentNode,
    GraphQLInterfaceType,
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
)
from graphql.language import ast
from graphql.utilities import get_operation_ast

from resolvers.fetches import FetchGroup, build_fetch, build_tree
from resolvers.plan import INTROSPECTION, Plan, PlanningError
from resolvers.routing import Router
from resolvers.selection import (
    Canonical,
    ClientField,
    Provided,
    SelectionSet,
    collect,
    field_set_items,
    provided_of,
)
from resolvers.shaping import compile_shape
from schema.supergraph import Supergraph

__all__ = ["PlanningError", "QueryPlanner"]

_META = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}

MAX_JUMPS = 8
"""How many entity hops one field may take to reach a subgraph that resolves it."""


class QueryPlanner:
    """Plans operations over one supergraph; stateless between calls."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.router = Router(supergraph)

    def plan(self, document: DocumentNode, operation_name: str | None) -> Plan:
        """The plan of the operation ``operation_name`` of a validated document.

        Raises:
            PlanningError: the operation cannot be planned over this supergraph.
        """
        return _Build(self.router, document, operation_name).run()


class _Build:
    def __init__(
        self, router: Router, document: DocumentNode, operation_name: str | None
    ) -> None:
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            raise PlanningError(f"The document has no operation {operation_name!r}.")
        self.router = router
        self.supergraph = router.supergraph
        self.schema: GraphQLSchema = router.supergraph.planning_schema
        self.operation = operation
        self.fragments = {
            d.name.value: d
            for d in document.definitions
            if isinstance(d, ast.FragmentDefinitionNode)
        }
        self.canonical = Canonical()
        self.groups: list[FetchGroup] = []
        self.roots: list[FetchGroup] = []
        self.entity_groups: dict[tuple[int, str, tuple[str, ...]], FetchGroup] = {}
        self.depth = 0
        self.pending: set[int] = set()

    def run(self) -> Plan:
        kind = self.operation.operation.value
        if kind == "subscription":
            raise PlanningError("Subscriptions are not supported over federation.")
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
        definitions = {
            d.variable.name.value: d for d in self.operation.variable_definitions or ()
        }
        name = self.operation.name.value if self.operation.name else None
        fetches = [
            build_fetch(group, name, definitions, self._schema_of)
            for group in self.groups
        ]
        node = build_tree(kind, self.roots, self.groups, fetches)
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

    def _root_group(self, kind: str, root: str, item: ClientField) -> FetchGroup:
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

    def _new_root(self, graph: str, kind: str, root: str) -> FetchGroup:
        group = FetchGroup(len(self.groups), graph, (), root, None, operation=kind)
        self.groups.append(group)
        self.roots.append(group)
        return group

    def _pending(self, group: FetchGroup, graph: str, path: tuple[str, ...]) -> bool:
        found = self.entity_groups.get((group.id, graph, path))
        return found is not None and found.id in self.pending

    def _choose(
        self,
        group: FetchGroup,
        type_name: str,
        name: str,
        path: tuple[str, ...],
        provided: Provided | None,
    ) -> tuple[str, str]:
        """The subgraph to fetch ``type_name.name`` from, and the entity type to
        ask it for (an interface when the subgraph has it as an interface object)."""
        candidates = [
            (g, entity)
            for g, entity in self.router.routes(type_name, name)
            if self.router.keys(entity, g) and not self._pending(group, g, path)
        ]
        if not candidates:
            raise PlanningError(
                f"No subgraph can resolve the field {type_name}.{name} by a key "
                f"from subgraph {group.graph!r}."
            )
        for graph, entity in candidates:
            if (group.id, graph, path) in self.entity_groups:
                return graph, entity

        def rank(route: tuple[str, str]) -> tuple[bool, bool, int]:
            graph, entity = route
            direct = any(
                self.router.available(group.graph, type_name, k.selection, provided)
                for k in self.router.keys(entity, graph)
            )
            entry = self.supergraph.field_in_graph(entity, name, graph)
            requires = entry is not None and entry.requires is not None
            return (not direct, requires, candidates.index(route))

        return min(candidates, key=rank)

    # -- planning fields ---------------------------------------------------------

    def _plan_fields(
        self,
        group: FetchGroup,
        sel: SelectionSet,
        type_name: str,
        position_type: str,
        items: list[ClientField],
        path: tuple[str, ...],
        provided: Provided | None = None,
    ) -> set[int]:
        """Plan ``items`` on the object type ``type_name``; the groups touched."""
        parent = self.schema.get_type(type_name)
        assert isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
        touched: set[int] = set()
        for item in items:
            if item.name == "__typename":
                continue
            definition = _META.get(item.name) or parent.fields.get(item.name)
            if definition is None:
                raise PlanningError(f"The type {type_name} has no field {item.name}.")
            if self.router.local(group.graph, type_name, item.name, provided):
                entry = self.supergraph.field_in_graph(
                    type_name, item.name, group.graph
                )
                if entry is not None and entry.provides is not None:
                    inner: Provided | None = provided_of(entry.provides)
                else:
                    servable = self.router.servable(group.graph, type_name, provided)
                    inner = servable.get(item.name)
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
        group: FetchGroup,
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
        group: FetchGroup,
        sel: SelectionSet,
        type_name: str,
        items: list[ClientField],
        path: tuple[str, ...],
        provided: Provided | None,
    ) -> None:
        named = self.schema.get_type(type_name)
        if named is None or not is_abstract_type(named):
            own = [i for i in items if self.router.applies(i, type_name)]
            self._plan_fields(group, sel, type_name, type_name, own, path, provided)
            return
        if self.supergraph.is_interface_object(type_name, group.graph):
            self._plan_interface_object(group, sel, type_name, items, path, provided)
            return
        sel.add("__typename", "__typename")
        for possible in self.schema.get_possible_types(named):
            if not self.router.member_in_graph(group.graph, type_name, possible.name):
                continue
            own = [i for i in items if self.router.applies(i, possible.name)]
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

    def _plan_interface_object(
        self,
        group: FetchGroup,
        sel: SelectionSet,
        interface: str,
        items: list[ClientField],
        path: tuple[str, ...],
        provided: Provided | None,
    ) -> None:
        """Plan below an interface that ``group``'s subgraph has as an object.

        Fields of the interface that the subgraph resolves are fetched there;
        for anything else (``__typename``, type conditions, other subgraphs'
        fields) a subgraph that has the interface as an entity tells the real
        type (join spec, ``isInterfaceObject``) and planning goes on from there.
        """
        here = [
            i
            for i in items
            if not i.type_conditions or set(i.type_conditions) == {interface}
        ]
        here = [
            i
            for i in here
            if i.name != "__typename"
            and self.router.local(group.graph, interface, i.name, provided)
        ]
        self._plan_fields(group, sel, interface, interface, here, path, provided)
        rest = [i for i in items if i not in here]
        if not rest:
            return
        owners = [
            g
            for g in self.supergraph.graphs_of(interface)
            if self.router.keys(interface, g)
            and not self.supergraph.is_interface_object(interface, g)
        ]
        if not owners:
            raise PlanningError(
                f"No subgraph tells the type of a {interface} from {group.graph!r}."
            )
        target = self._entity_group(
            group, sel, owners[0], (interface, interface), interface, path, provided
        )
        target.resolves_type = True
        self._plan_selection(target, target.selection, interface, rest, path, None)

    def _jump(
        self,
        group: FetchGroup,
        sel: SelectionSet,
        type_name: str,
        position_type: str,
        item: ClientField,
        field_type: GraphQLOutputType,
        path: tuple[str, ...],
        provided: Provided | None,
    ) -> set[int]:
        graph, entity = self._choose(group, type_name, item.name, path, provided)
        target = self._entity_group(
            group, sel, graph, (type_name, entity), position_type, path, provided
        )
        entry = self.supergraph.field_in_graph(entity, item.name, graph)
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
            target, target.selection.fragment(entity), item, field_type, path, inner
        )
        return {target.id}

    def _entity_group(
        self,
        group: FetchGroup,
        sel: SelectionSet,
        graph: str,
        types: tuple[str, str],
        position_type: str,
        path: tuple[str, ...],
        provided: Provided | None,
    ) -> FetchGroup:
        """The entity fetch from ``graph`` below ``group`` at ``path``, with a
        representation for objects of ``types[0]`` as entities of ``types[1]``."""
        type_name, entity = types
        slot = (group.id, graph, path)
        target = self.entity_groups.get(slot)
        if target is None:
            target = FetchGroup(len(self.groups), graph, path, position_type, group)
            target.depends.add(group.id)
            self.groups.append(target)
            group.children.append(target)
            self.entity_groups[slot] = target
        if type_name in target.reps:
            return target
        target.rep_types[type_name] = entity
        keys = self.router.keys(entity, graph)
        key = next(
            (
                k
                for k in keys
                if self.router.available(group.graph, type_name, k.selection, provided)
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
        group: FetchGroup,
        sel: SelectionSet,
        target: FetchGroup,
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
                if self.router.applies(i, type_name)
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

    def _schema_of(self, graph: str) -> GraphQLSchema:
        if graph == INTROSPECTION:
            return self.supergraph.api_schema
        return self.supergraph.subgraph_schema(graph)

    def _defaults(self) -> dict[str, object]:
        from graphql import value_from_ast_untyped

        return {
            d.variable.name.value: value_from_ast_untyped(d.default_value)
            for d in self.operation.variable_definitions or ()
            if d.default_value is not None
        }


def _list_depth(field_type: GraphQLOutputType) -> int:
    depth = 0
    current = get_nullable_type(field_type)
    while is_list_type(current):
        depth += 1
        current = get_nullable_type(current.of_type)
    return depth
