"""Loading a supergraph: the join-spec model that the query planner reads.

A supergraph SDL (join spec v0.3 to v0.5 under link v1.0, from our composer or any
other) is read into a :class:`Supergraph`: the public API schema, the subgraphs
with their URLs, and per type and field the subgraphs that define and resolve it
(``@join__type``, ``@join__field``, ``@join__implements``, ``@join__unionMember``,
``@join__enumValue``). Directive names follow the ``@link`` imports, so a supergraph
that renames ``join`` (``as: "j"``) or ``@inaccessible`` still loads.

Errors (under :class:`schema.errors.SupergraphError`)::

    SupergraphError               INVALID_SUPERGRAPH: base, carries a stable ``code``
    ├── SupergraphSyntaxError     SUPERGRAPH_SYNTAX: the SDL does not parse
    ├── UnsupportedSupergraph     UNSUPPORTED_SUPERGRAPH: no link v1.0 or join v0.3+
    └── InvalidJoinDirective      INVALID_JOIN_DIRECTIVE: a join directive is wrong
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    SelectionSetNode,
    parse,
    value_from_ast_untyped,
)
from graphql.language import ast

from schema import errors

JOIN_VERSIONS = ("v0.3", "v0.4", "v0.5")
"""The join spec versions this loader reads."""

LINK_URL = "https://specs.apollo.dev/link/v1.0"
JOIN_URL = "https://specs.apollo.dev/join/"
INACCESSIBLE_URL = "https://specs.apollo.dev/inaccessible/"


class SupergraphError(errors.SupergraphError):
    """A supergraph SDL that cannot be used; ``code`` is stable."""

    code = "INVALID_SUPERGRAPH"


class SupergraphSyntaxError(SupergraphError):
    """The supergraph SDL is not valid GraphQL syntax."""

    code = "SUPERGRAPH_SYNTAX"


class UnsupportedSupergraph(SupergraphError):
    """The SDL does not link the specs (link v1.0, join v0.3 to v0.5) we read."""

    code = "UNSUPPORTED_SUPERGRAPH"


class InvalidJoinDirective(SupergraphError):
    """A join directive names an unknown graph or carries a wrong argument."""

    code = "INVALID_JOIN_DIRECTIVE"


@dataclass(frozen=True)
class SubgraphInfo:
    """One subgraph of the supergraph: its name and URL (None when empty)."""

    name: str
    url: str | None


@dataclass(frozen=True)
class Key:
    """One ``@key`` of an entity in one subgraph."""

    graph: str
    fields: str
    selection: SelectionSetNode
    resolvable: bool


@dataclass(frozen=True)
class TypeInGraph:
    """What ``@join__type`` says about a type in one subgraph."""

    graph: str
    keys: tuple[Key, ...]
    extension: bool = False
    interface_object: bool = False


@dataclass(frozen=True)
class FieldInGraph:
    """What one ``@join__field`` says about a field; ``graph`` None means none."""

    graph: str | None
    requires: SelectionSetNode | None = None
    provides: SelectionSetNode | None = None
    type: str | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False


@dataclass
class TypeModel:
    """The join model of one type: where it lives and where its fields resolve."""

    name: str
    graphs: dict[str, TypeInGraph] = field(default_factory=dict)
    fields: dict[str, tuple[FieldInGraph, ...]] = field(default_factory=dict)
    implements: dict[str, list[str]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    enum_values: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Names:
    """The names under which the linked specs appear in this supergraph."""

    join: str = "join"
    inaccessible: str = "inaccessible"
    prefixes: frozenset[str] = frozenset({"link", "join"})
    directives: frozenset[str] = frozenset({"link"})

    def join_directive(self, name: str) -> str:
        """The name of the join directive ``name`` (``type`` -> ``join__type``)."""
        return f"{self.join}__{name}"


@dataclass(frozen=True, eq=False)
class Supergraph:
    """A loaded supergraph.

    Attributes:
        sdl: the supergraph SDL as given.
        api_schema: the public schema: no join or link machinery, nothing
            ``@inaccessible``.
        planning_schema: the same with the ``@inaccessible`` elements, which keys
            and ``@requires`` may use.
        subgraphs: subgraph name -> :class:`SubgraphInfo`, in SDL order.
        types: type name -> :class:`TypeModel` for every type of the supergraph.
        join_version: the join spec version, e.g. ``v0.3``.
        document: the parsed supergraph SDL.
        names: the names under which join and inaccessible appear.
    """

    sdl: str
    api_schema: GraphQLSchema
    planning_schema: GraphQLSchema
    subgraphs: Mapping[str, SubgraphInfo]
    types: Mapping[str, TypeModel]
    join_version: str
    document: DocumentNode
    names: Names
    _subgraph_schemas: dict[str, GraphQLSchema] = field(
        default_factory=dict, repr=False
    )

    def subgraph_schema(self, graph: str) -> GraphQLSchema:
        """The schema of subgraph ``graph`` that fetch documents are validated on."""
        schema = self._subgraph_schemas.get(graph)
        if schema is None:
            from schema.supergraph_schemas import build_subgraph_schema

            schema = build_subgraph_schema(self, graph)
            self._subgraph_schemas[graph] = schema
        return schema

    def graphs_of(self, type_name: str) -> tuple[str, ...]:
        """The subgraphs that define ``type_name`` (all when join says nothing)."""
        model = self.types.get(type_name)
        if model is None or not model.graphs:
            return tuple(self.subgraphs)
        return tuple(model.graphs)

    def field_entries(
        self, type_name: str, field_name: str
    ) -> tuple[FieldInGraph, ...]:
        """The ``@join__field`` entries of a field that name a graph."""
        model = self.types.get(type_name)
        if model is None:
            return ()
        return tuple(e for e in model.fields.get(field_name, ()) if e.graph)

    def field_in_graph(
        self, type_name: str, field_name: str, graph: str
    ) -> FieldInGraph | None:
        """The join entry of a field in ``graph``, or None when it is not there."""
        model = self.types.get(type_name)
        if model is None or (model.graphs and graph not in model.graphs):
            return None
        entries = model.fields.get(field_name, ())
        if not entries:
            return FieldInGraph(graph=graph)
        for entry in entries:
            if entry.graph == graph:
                return entry
        return None

    def resolving_graphs(self, type_name: str, field_name: str) -> tuple[str, ...]:
        """The subgraphs that resolve a field themselves (not external, overridden)."""
        model = self.types.get(type_name)
        if model is None:
            return ()
        entries = model.fields.get(field_name, ())
        if not entries:
            return self.graphs_of(type_name)
        return tuple(
            e.graph
            for e in entries
            if e.graph and not e.external and not e.used_overridden
        )

    def keys(self, type_name: str, graph: str) -> tuple[Key, ...]:
        """The keys of ``type_name`` in ``graph`` (resolvable or not)."""
        model = self.types.get(type_name)
        if model is None or graph not in model.graphs:
            return ()
        return model.graphs[graph].keys

    def is_interface_object(self, type_name: str, graph: str) -> bool:
        """True when ``graph`` declares ``type_name`` with ``@interfaceObject``."""
        model = self.types.get(type_name)
        entry = model.graphs.get(graph) if model else None
        return bool(entry and entry.interface_object)


def parse_field_set(text: str) -> SelectionSetNode:
    """A ``join__FieldSet`` string (``"id org { id }"``) as a selection set."""
    try:
        document = parse("{" + text + "}", no_location=True)
    except GraphQLError as exc:
        raise InvalidJoinDirective(
            f"The field set {text!r} is not a valid selection."
        ) from exc
    operation = document.definitions[0]
    assert isinstance(operation, ast.OperationDefinitionNode)
    return operation.selection_set


def directive_args(directive: ast.DirectiveNode) -> dict[str, Any]:
    """The literal arguments of a directive as Python values."""
    return {
        arg.name.value: value_from_ast_untyped(arg.value)
        for arg in directive.arguments or ()
    }


def load_supergraph(sdl: str) -> Supergraph:
    """Read a supergraph SDL into a :class:`Supergraph`.

    Implements the reading side of the Apollo join spec v0.3 to v0.5 and link
    v1.0 (https://specs.apollo.dev/join/v0.5, https://specs.apollo.dev/link/v1.0).

    Raises:
        SupergraphError: a subclass naming what is wrong, with a stable ``code``.
    """
    from schema.supergraph_schemas import build_api_schema

    try:
        document = parse(sdl, no_location=True)
    except GraphQLError as exc:
        raise SupergraphSyntaxError(
            f"The supergraph does not parse: {exc.message}"
        ) from exc
    names, version = _read_links(document)
    graphs, enum_map = _read_graphs(document, names)
    types = _read_types(document, names, enum_map)
    api_schema = build_api_schema(document, names)
    planning_schema = build_api_schema(document, names, keep_inaccessible=True)
    return Supergraph(
        sdl=sdl,
        api_schema=api_schema,
        planning_schema=planning_schema,
        subgraphs=graphs,
        types=types,
        join_version=version,
        document=document,
        names=names,
    )


def _schema_directives(document: DocumentNode) -> list[ast.DirectiveNode]:
    found: list[ast.DirectiveNode] = []
    for definition in document.definitions:
        if isinstance(definition, ast.SchemaDefinitionNode | ast.SchemaExtensionNode):
            found.extend(definition.directives or ())
    return found


def _read_links(document: DocumentNode) -> tuple[Names, str]:
    links = [d for d in _schema_directives(document) if d.name.value == "link"]
    urls = [str(directive_args(d).get("url", "")) for d in links]
    if not any(url.rstrip("/") == LINK_URL for url in urls):
        raise UnsupportedSupergraph(
            "The supergraph does not link https://specs.apollo.dev/link/v1.0; "
            "only link v1.0 supergraphs are supported."
        )
    join, version = "join", ""
    inaccessible = "inaccessible"
    prefixes = {"link"}
    directives = {"link"}
    for link in links:
        args = directive_args(link)
        url = str(args.get("url", "")).rstrip("/")
        spec = url.rsplit("/", 2)[-2] if url.count("/") >= 2 else url
        prefix = str(args.get("as") or spec)
        prefixes.add(prefix)
        directives.add(prefix)
        for item in args.get("import") or ():
            name, alias = _import_names(item)
            directives.add(alias.lstrip("@"))
            if url.startswith(INACCESSIBLE_URL) and name == "@inaccessible":
                inaccessible = alias.lstrip("@")
        if url.startswith(JOIN_URL):
            join, version = prefix, url.rsplit("/", 1)[-1]
        elif url.startswith(INACCESSIBLE_URL):
            inaccessible = prefix if not args.get("import") else inaccessible
    if version not in JOIN_VERSIONS:
        shown = version or "none"
        raise UnsupportedSupergraph(
            f"The supergraph links join spec {shown}; supported are "
            f"{', '.join(JOIN_VERSIONS)}."
        )
    names = Names(
        join=join,
        inaccessible=inaccessible,
        prefixes=frozenset(prefixes),
        directives=frozenset(directives),
    )
    return names, version


def _import_names(item: Any) -> tuple[str, str]:
    if isinstance(item, str):
        return item, item
    if isinstance(item, dict) and "name" in item:
        return str(item["name"]), str(item.get("as") or item["name"])
    raise InvalidJoinDirective(f"The link import {item!r} is not understood.")


def _read_graphs(
    document: DocumentNode, names: Names
) -> tuple[dict[str, SubgraphInfo], dict[str, str]]:
    enum_name = f"{names.join}__Graph"
    graph_directive = names.join_directive("graph")
    for definition in document.definitions:
        if (
            isinstance(definition, ast.EnumTypeDefinitionNode)
            and definition.name.value == enum_name
        ):
            graphs: dict[str, SubgraphInfo] = {}
            enum_map: dict[str, str] = {}
            for value in definition.values or ():
                directive = _find(value.directives, graph_directive)
                if directive is None:
                    raise InvalidJoinDirective(
                        f"The graph {value.name.value} has no @{graph_directive}."
                    )
                args = directive_args(directive)
                name = str(args["name"])
                url = str(args.get("url") or "") or None
                graphs[name] = SubgraphInfo(name=name, url=url)
                enum_map[value.name.value] = name
            return graphs, enum_map
    raise UnsupportedSupergraph(f"The supergraph has no enum {enum_name}.")


def _find(directives: Any, name: str) -> ast.DirectiveNode | None:
    for directive in directives or ():
        if directive.name.value == name:
            return directive  # type: ignore[no-any-return]
    return None


def _all(directives: Any, name: str) -> list[dict[str, Any]]:
    return [directive_args(d) for d in directives or () if d.name.value == name]


def _graph(args: Mapping[str, Any], enum_map: Mapping[str, str], where: str) -> str:
    value = str(args.get("graph"))
    if value not in enum_map:
        raise InvalidJoinDirective(
            f"{where} names the graph {value!r}, which join__Graph does not list."
        )
    return enum_map[value]


_FIELDED = (
    ast.ObjectTypeDefinitionNode,
    ast.InterfaceTypeDefinitionNode,
    ast.InputObjectTypeDefinitionNode,
)
_TYPE_NODES = (
    ast.ObjectTypeDefinitionNode,
    ast.InterfaceTypeDefinitionNode,
    ast.UnionTypeDefinitionNode,
    ast.EnumTypeDefinitionNode,
    ast.InputObjectTypeDefinitionNode,
    ast.ScalarTypeDefinitionNode,
)


def _read_types(
    document: DocumentNode, names: Names, enum_map: Mapping[str, str]
) -> dict[str, TypeModel]:
    types: dict[str, TypeModel] = {}
    for definition in document.definitions:
        if not isinstance(definition, _TYPE_NODES):
            continue
        model = TypeModel(name=definition.name.value)
        _read_type_entries(model, definition, names, enum_map)
        if isinstance(definition, _FIELDED):
            _read_fields(model, definition.fields, names, enum_map)
        elif isinstance(definition, ast.EnumTypeDefinitionNode):
            for value in definition.values or ():
                entries = _all(value.directives, names.join_directive("enumValue"))
                model.enum_values[value.name.value] = [
                    _graph(e, enum_map, f"Enum value {value.name.value}")
                    for e in entries
                ]
        types[model.name] = model
    return types


def _read_type_entries(
    model: TypeModel, definition: Any, names: Names, enum_map: Mapping[str, str]
) -> None:
    where = f"The type {model.name}"
    for args in _all(definition.directives, names.join_directive("type")):
        graph = _graph(args, enum_map, where)
        previous = model.graphs.get(graph)
        keys = previous.keys if previous else ()
        if args.get("key"):
            text = str(args["key"])
            resolvable = args.get("resolvable", True) is not False
            keys += (Key(graph, text, parse_field_set(text), resolvable),)
        model.graphs[graph] = TypeInGraph(
            graph=graph,
            keys=keys,
            extension=bool(args.get("extension"))
            or bool(previous and previous.extension),
            interface_object=bool(args.get("isInterfaceObject")),
        )
    for args in _all(definition.directives, names.join_directive("implements")):
        graph = _graph(args, enum_map, where)
        model.implements.setdefault(graph, []).append(str(args["interface"]))
    for args in _all(definition.directives, names.join_directive("unionMember")):
        graph = _graph(args, enum_map, where)
        model.members.setdefault(graph, []).append(str(args["member"]))


def _read_fields(
    model: TypeModel, fields: Any, names: Names, enum_map: Mapping[str, str]
) -> None:
    for node in fields or ():
        where = f"The field {model.name}.{node.name.value}"
        entries = []
        for args in _all(node.directives, names.join_directive("field")):
            graph = _graph(args, enum_map, where) if args.get("graph") else None
            requires, provides = args.get("requires"), args.get("provides")
            entries.append(
                FieldInGraph(
                    graph=graph,
                    requires=parse_field_set(str(requires)) if requires else None,
                    provides=parse_field_set(str(provides)) if provides else None,
                    type=str(args["type"]) if args.get("type") else None,
                    external=bool(args.get("external")),
                    override=str(args["override"]) if args.get("override") else None,
                    used_overridden=bool(args.get("usedOverridden")),
                )
            )
        model.fields[node.name.value] = tuple(entries)
