"""Routing: which subgraph can serve which field, and how to get there.

The :class:`Router` answers the planner's questions about one supergraph: can a
subgraph return a field of the object it is fetching (it resolves it, provides it,
or has it in a key), which subgraphs (and entity types, for interface objects)
can resolve a field by a key, and whether a type condition applies. It keeps
what it learns between plans.
"""

from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    get_named_type,
    is_abstract_type,
)
from graphql.language import ast

from resolvers.plan import INTROSPECTION
from resolvers.selection import ClientField, Provided, field_set_items, provided_of
from schema.supergraph import Key, Supergraph


class Router:
    """Answers where fields of one supergraph can be fetched."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.schema = supergraph.planning_schema
        self.key_fields: dict[tuple[str, str], Provided] = {}

    def local(
        self, graph: str, type_name: str, name: str, provided: Provided | None
    ) -> bool:
        """True when ``graph``, fetching an object of ``type_name``, can return its
        field ``name`` in the same fetch (no ``@requires`` to satisfy first)."""
        if graph == INTROSPECTION or type_name.startswith("__"):
            return True
        if name in self.servable(graph, type_name, provided):
            return True
        if graph not in self.supergraph.resolving_graphs(type_name, name):
            return False
        entry = self.supergraph.field_in_graph(type_name, name, graph)
        return entry is None or entry.requires is None

    def available(
        self,
        graph: str,
        type_name: str,
        selection: ast.SelectionSetNode,
        provided: Provided | None,
    ) -> bool:
        """True when ``graph`` can return every field of the field set ``selection``."""
        parent = self.schema.get_type(type_name)
        assert isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
        for item in field_set_items(selection):
            name = item.name.value
            if name == "__typename":
                continue
            servable = self.servable(graph, type_name, provided)
            if name not in servable and graph not in self.supergraph.resolving_graphs(
                type_name, name
            ):
                return False
            if item.selection_set is not None and name in parent.fields:
                child = get_named_type(parent.fields[name].type).name
                inner = servable.get(name)
                if not self.available(graph, child, item.selection_set, inner):
                    return False
        return True

    def servable(
        self, graph: str, type_name: str, provided: Provided | None
    ) -> Provided:
        """Fields ``graph`` can return here without resolving them: provided
        ones and its own key fields (marked external in federation 1 schemas)."""
        found = self.key_fields.get((graph, type_name))
        if found is None:
            found = {}
            for key in self.supergraph.keys(type_name, graph):
                _merge_provided(found, provided_of(key.selection))
            self.key_fields[(graph, type_name)] = found
        if not provided:
            return found
        merged: Provided = {}
        _merge_provided(merged, found)
        _merge_provided(merged, provided)
        return merged

    def keys(self, type_name: str, graph: str) -> list[Key]:
        """The keys of ``type_name`` that ``graph`` resolves entities by."""
        return [k for k in self.supergraph.keys(type_name, graph) if k.resolvable]

    def routes(self, type_name: str, name: str) -> list[tuple[str, str]]:
        """Every ``(subgraph, entity type)`` that resolves ``type_name.name``."""
        routes = [
            (g, type_name) for g in self.supergraph.resolving_graphs(type_name, name)
        ]
        parent = self.schema.get_type(type_name)
        for interface in getattr(parent, "interfaces", ()):
            for graph in self.supergraph.resolving_graphs(interface.name, name):
                if self.supergraph.is_interface_object(interface.name, graph):
                    routes.append((graph, interface.name))
        return routes

    def member_in_graph(self, graph: str, abstract: str, member: str) -> bool:
        """True when ``graph`` knows ``member`` as a possible type of ``abstract``."""
        if graph == INTROSPECTION:
            return True
        schema = self.supergraph.subgraph_schema(graph)
        outer, inner = schema.get_type(abstract), schema.get_type(member)
        if outer is None or inner is None or not is_abstract_type(outer):
            return False
        return schema.is_sub_type(outer, inner)

    def applies(self, item: ClientField, type_name: str) -> bool:
        """True when every type condition of ``item`` covers ``type_name``."""
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


def _merge_provided(target: Provided, source: Provided) -> None:
    for name, inner in source.items():
        _merge_provided(target.setdefault(name, {}), inner)
