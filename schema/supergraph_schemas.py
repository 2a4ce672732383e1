"""The schemas derived from a supergraph: the public API schema and subgraph views.

The API schema is what clients see: the supergraph without the link and join
machinery and without anything ``@inaccessible``. A subgraph view is the part of
the supergraph that one subgraph serves (its types, fields, members and enum
values, plus ``_entities``); the planner validates fetch documents against it.
"""

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from graphql import DocumentNode, GraphQLError, GraphQLSchema, build_ast_schema, parse
from graphql.language import ast

if TYPE_CHECKING:
    from schema.supergraph import Names, Supergraph

KEPT_DIRECTIVES = frozenset({"deprecated", "specifiedBy", "oneOf"})
"""Directive usages that stay in derived schemas; every other one is dropped."""

N = TypeVar("N", bound=ast.Node)

_FEDERATION_SDL = """
scalar _Any
type _Service { sdl: String }
"""


def _replace(node: N, **changes: Any) -> N:
    return dataclasses.replace(node, **changes)


def _kept(
    directives: Iterable[ast.DirectiveNode] | None,
) -> tuple[ast.DirectiveNode, ...]:
    return tuple(d for d in directives or () if d.name.value in KEPT_DIRECTIVES)


def _is_machinery(name: str, names: "Names") -> bool:
    prefix = name.split("__", 1)[0] if "__" in name else None
    return prefix in names.prefixes


def _build(definitions: list[ast.DefinitionNode], what: str) -> GraphQLSchema:
    from schema.supergraph import SupergraphError

    try:
        return build_ast_schema(DocumentNode(definitions=tuple(definitions)))
    except (GraphQLError, TypeError) as exc:
        raise SupergraphError(f"The {what} is not a valid schema: {exc}") from exc


def build_api_schema(
    document: DocumentNode, names: "Names", *, keep_inaccessible: bool = False
) -> GraphQLSchema:
    """The public schema of a supergraph document (join and link removed).

    With ``keep_inaccessible`` the ``@inaccessible`` elements stay: the planner
    needs them, since keys and ``@requires`` may use fields clients cannot see.
    """
    hidden = names.inaccessible

    def visible(node: Any) -> bool:
        if keep_inaccessible:
            return True
        return not any(d.name.value == hidden for d in node.directives or ())

    hidden_types = {
        d.name.value
        for d in document.definitions
        if isinstance(d, ast.TypeDefinitionNode) and not visible(d)
    }
    kept: list[ast.DefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, ast.DirectiveDefinitionNode):
            name = definition.name.value
            if name in names.directives or _is_machinery(name, names):
                continue
            kept.append(definition)
            continue
        if isinstance(definition, ast.SchemaDefinitionNode):
            kept.append(_replace(definition, directives=()))
            continue
        if not isinstance(definition, ast.TypeDefinitionNode):
            continue
        name = definition.name.value
        if name in hidden_types or _is_machinery(name, names):
            continue
        kept.append(_visible_type(definition, visible, hidden_types))
    return _build(kept, "API schema of the supergraph")


def _visible_type(definition: Any, visible: Any, hidden_types: set[str]) -> Any:
    changes: dict[str, Any] = {"directives": _kept(definition.directives)}
    if hasattr(definition, "fields") and definition.fields is not None:
        changes["fields"] = tuple(
            _visible_field(f, visible) for f in definition.fields if visible(f)
        )
    if hasattr(definition, "interfaces") and definition.interfaces is not None:
        changes["interfaces"] = tuple(
            i for i in definition.interfaces if i.name.value not in hidden_types
        )
    if isinstance(definition, ast.UnionTypeDefinitionNode):
        changes["types"] = tuple(
            t for t in definition.types or () if t.name.value not in hidden_types
        )
    if isinstance(definition, ast.EnumTypeDefinitionNode):
        changes["values"] = tuple(
            _replace(v, directives=_kept(v.directives))
            for v in definition.values or ()
            if visible(v)
        )
    return _replace(definition, **changes)


def _visible_field(node: Any, visible: Any) -> Any:
    changes: dict[str, Any] = {"directives": _kept(node.directives)}
    if getattr(node, "arguments", None) is not None:
        changes["arguments"] = tuple(
            _replace(a, directives=_kept(a.directives))
            for a in node.arguments
            if visible(a)
        )
    return _replace(node, **changes)


def build_subgraph_schema(supergraph: "Supergraph", graph: str) -> GraphQLSchema:
    """The view of the supergraph that subgraph ``graph`` serves.

    Types, fields, union members, implemented interfaces and enum values come
    from the join directives (join spec, "@join__type" and "@join__field"). The
    federation entry points ``_entities`` and ``_service`` are added.
    """
    names = supergraph.names
    present = {
        d.name.value
        for d in supergraph.document.definitions
        if isinstance(d, ast.TypeDefinitionNode)
        and not _is_machinery(d.name.value, names)
        and graph in supergraph.graphs_of(d.name.value)
    }
    definitions: list[ast.DefinitionNode] = []
    entities: list[str] = []
    schema_node: ast.SchemaDefinitionNode | None = None
    for definition in supergraph.document.definitions:
        if isinstance(definition, ast.SchemaDefinitionNode):
            schema_node = definition
        if not isinstance(definition, ast.TypeDefinitionNode):
            continue
        if definition.name.value not in present:
            continue
        node = _graph_type(supergraph, definition, graph, present)
        if node is None:
            present.discard(definition.name.value)
            continue
        definitions.append(node)
        if isinstance(node, ast.ObjectTypeDefinitionNode) and supergraph.keys(
            node.name.value, graph
        ):
            entities.append(node.name.value)
    query_name = _root_name(schema_node, "query")
    definitions = [
        pruned for d in definitions if (pruned := _prune_refs(d, present)) is not None
    ]
    definitions.extend(_federation_definitions(entities))
    if query_name not in present:
        definitions.append(_object(query_name, ()))
    query_fields = _federation_fields(entities)
    definitions = [
        _extend_fields(d, query_fields)
        if isinstance(d, ast.ObjectTypeDefinitionNode) and d.name.value == query_name
        else d
        for d in definitions
    ]
    if schema_node is not None:
        operations = tuple(
            op
            for op in schema_node.operation_types
            if op.type.name.value in present or op.operation.value == "query"
        )
        definitions.append(
            _replace(schema_node, directives=(), operation_types=operations)
        )
    return _build(definitions, f"view of subgraph {graph!r}")


def _root_name(schema_node: ast.SchemaDefinitionNode | None, operation: str) -> str:
    for op in schema_node.operation_types if schema_node else ():
        if op.operation.value == operation:
            return op.type.name.value
    return operation.capitalize()


def _object(name: str, fields: tuple[ast.FieldDefinitionNode, ...]) -> Any:
    return ast.ObjectTypeDefinitionNode(
        name=ast.NameNode(value=name), fields=fields, interfaces=(), directives=()
    )


def _federation_definitions(entities: list[str]) -> list[ast.DefinitionNode]:
    document = parse(_FEDERATION_SDL, no_location=True)
    extra = list(document.definitions)
    if entities:
        extra.append(
            ast.UnionTypeDefinitionNode(
                name=ast.NameNode(value="_Entity"),
                types=tuple(
                    ast.NamedTypeNode(name=ast.NameNode(value=e)) for e in entities
                ),
                directives=(),
            )
        )
    return extra


def _federation_fields(entities: list[str]) -> tuple[ast.FieldDefinitionNode, ...]:
    text = "type Q { _service: _Service! "
    if entities:
        text += "_entities(representations: [_Any!]!): [_Entity]! "
    document = parse(text + "}", no_location=True)
    node = document.definitions[0]
    assert isinstance(node, ast.ObjectTypeDefinitionNode)
    return tuple(node.fields or ())


def _extend_fields(node: Any, fields: tuple[ast.FieldDefinitionNode, ...]) -> Any:
    return _replace(node, fields=tuple(node.fields or ()) + fields)


def _graph_type(
    supergraph: "Supergraph", definition: Any, graph: str, present: set[str]
) -> Any:
    name = definition.name.value
    model = supergraph.types.get(name)
    changes: dict[str, Any] = {"directives": _kept(definition.directives)}
    if isinstance(
        definition,
        ast.ObjectTypeDefinitionNode
        | ast.InterfaceTypeDefinitionNode
        | ast.InputObjectTypeDefinitionNode,
    ):
        fields = []
        for item in definition.fields or ():
            entry = supergraph.field_in_graph(name, item.name.value, graph)
            if entry is None:
                continue
            changes_f: dict[str, Any] = {"directives": _kept(item.directives)}
            if entry.type:
                changes_f["type"] = _type_node(entry.type)
            fields.append(_replace(item, **changes_f))
        if not fields:
            return None
        changes["fields"] = tuple(fields)
    if isinstance(
        definition, ast.ObjectTypeDefinitionNode | ast.InterfaceTypeDefinitionNode
    ):
        implemented = model.implements if model else {}
        if implemented:
            wanted = set(implemented.get(graph, ()))
            changes["interfaces"] = tuple(
                i for i in definition.interfaces or () if i.name.value in wanted
            )
    if isinstance(definition, ast.UnionTypeDefinitionNode):
        members = model.members if model else {}
        kept = tuple(
            t
            for t in definition.types or ()
            if (not members or t.name.value in members.get(graph, ()))
            and t.name.value in present
        )
        if not kept:
            return None
        changes["types"] = kept
    if isinstance(definition, ast.EnumTypeDefinitionNode):
        values = model.enum_values if model else {}
        changes["values"] = tuple(
            _replace(v, directives=_kept(v.directives))
            for v in definition.values or ()
            if not values.get(v.name.value) or graph in values[v.name.value]
        )
    node: Any = _replace(definition, **changes)
    if supergraph.is_interface_object(name, graph):
        node = ast.ObjectTypeDefinitionNode(
            name=node.name, fields=node.fields, interfaces=(), directives=()
        )
    return node


def _type_node(text: str) -> ast.TypeNode:
    document = parse(f"type T {{ f: {text} }}", no_location=True)
    node = document.definitions[0]
    assert isinstance(node, ast.ObjectTypeDefinitionNode)
    return node.fields[0].type  # type: ignore[index]


def _named(type_node: ast.TypeNode) -> str:
    while not isinstance(type_node, ast.NamedTypeNode):
        type_node = type_node.type  # type: ignore[attr-defined]
    return type_node.name.value


_BUILT_IN = frozenset({"String", "Int", "Float", "Boolean", "ID"})


def _prune_refs(definition: Any, present: set[str]) -> Any:
    """Drop fields whose types the subgraph lacks, keeping the definition valid."""
    fields = getattr(definition, "fields", None)
    if fields is None:
        return definition
    kept = tuple(
        f for f in fields if _named(f.type) in present or _named(f.type) in _BUILT_IN
    )
    if not kept:
        return None
    changes: dict[str, Any] = {"fields": kept}
    if getattr(definition, "interfaces", None):
        changes["interfaces"] = tuple(
            i for i in definition.interfaces if i.name.value in present
        )
    return _replace(definition, **changes)
