"""Reading one federation 2 subgraph SDL into the model that composition works on.

A subgraph links the federation specification with ``@link(url:
"https://specs.apollo.dev/federation/v2.x", import: [...])`` (Apollo Federation 2,
"Link" and "Federation" specifications). Directives it does not import are still
reachable under the namespace, ``@federation__key``; imports may be renamed with
``{name: "@key", as: "@primaryKey"}``. Reading resolves those names, merges type
extensions into their types, renames the root types to ``Query``, ``Mutation`` and
``Subscription``, and drops the federation machinery (``_entities``, ``_Any``...).
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from graphql import (
    ConstDirectiveNode,
    DefinitionNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    GraphQLError,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListTypeNode,
    ListValueNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ObjectValueNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    ValueNode,
    parse,
    print_ast,
)
from graphql.language import BooleanValueNode, FieldDefinitionNode

from schema.errors import CompositionError

FEDERATION_URL = "https://specs.apollo.dev/federation/"
LINK_URL = "https://specs.apollo.dev/link/"
BUILT_IN_SCALARS = frozenset({"Int", "Float", "String", "Boolean", "ID"})
ROOTS = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
MACHINERY_TYPES = frozenset({"_Any", "_Entity", "_Service", "_FieldSet", "FieldSet"})
MACHINERY_FIELDS = frozenset({"_entities", "_service"})
FEDERATION_DIRECTIVES = frozenset(
    {
        "key",
        "requires",
        "provides",
        "external",
        "shareable",
        "override",
        "inaccessible",
        "tag",
        "extends",
        "interfaceObject",
        "composeDirective",
        "authenticated",
        "requiresScopes",
        "policy",
        "context",
        "fromContext",
        "cost",
        "listSize",
    }
)

UNSUPPORTED = frozenset({"context", "fromContext", "composeDirective"})
"""Federation directives whose meaning composition would lose; refused."""

Scopes = tuple[tuple[str, ...], ...]


class SubgraphSdl(NamedTuple):
    """One subgraph to compose: its name, its URL (None in process) and its SDL."""

    name: str
    url: str | None
    sdl: str


@dataclass
class Auth:
    """The federation auth directives on one element (``@authenticated``...)."""

    authenticated: bool = False
    scopes: Scopes | None = None
    policies: Scopes | None = None


@dataclass
class Argument:
    """An argument of a field, or a field of an input type."""

    name: str
    type: str
    default: str | None = None
    description: str | None = None
    inaccessible: bool = False
    deprecated: str | None = None
    tags: tuple[str, ...] = ()


@dataclass
class Field:
    """A field of an object or interface type as one subgraph defines it."""

    name: str
    type: str
    arguments: dict[str, Argument] = field(default_factory=dict)
    description: str | None = None
    external: bool = False
    shareable: bool = False
    requires: str | None = None
    provides: str | None = None
    override: str | None = None
    override_label: str | None = None
    inaccessible: bool = False
    deprecated: str | None = None
    auth: Auth = field(default_factory=Auth)
    tags: tuple[str, ...] = ()


@dataclass
class EnumValue:
    """A value of an enum type."""

    name: str
    description: str | None = None
    inaccessible: bool = False
    deprecated: str | None = None
    tags: tuple[str, ...] = ()


@dataclass
class Key:
    """One ``@key`` of an entity type."""

    fields: str
    resolvable: bool = True


@dataclass
class TypeDef:
    """A named type as one subgraph defines it, extensions merged in."""

    name: str
    kind: str
    description: str | None = None
    fields: dict[str, Field] = field(default_factory=dict)
    inputs: dict[str, Argument] = field(default_factory=dict)
    values: dict[str, EnumValue] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    extension: bool = True
    shareable: bool = False
    inaccessible: bool = False
    interface_object: bool = False
    specified_by: str | None = None
    auth: Auth = field(default_factory=Auth)
    tags: tuple[str, ...] = ()


@dataclass
class Subgraph:
    """One subgraph, read: its types by name, root types renamed to ``Query``..."""

    name: str
    url: str | None
    types: dict[str, TypeDef]


KINDS: dict[type, str] = {
    ObjectTypeDefinitionNode: "object",
    ObjectTypeExtensionNode: "object",
    InterfaceTypeDefinitionNode: "interface",
    InterfaceTypeExtensionNode: "interface",
    UnionTypeDefinitionNode: "union",
    UnionTypeExtensionNode: "union",
    EnumTypeDefinitionNode: "enum",
    EnumTypeExtensionNode: "enum",
    InputObjectTypeDefinitionNode: "input",
    InputObjectTypeExtensionNode: "input",
    ScalarTypeDefinitionNode: "scalar",
    ScalarTypeExtensionNode: "scalar",
}
KIND_NAMES = {
    "object": "an object type",
    "interface": "an interface",
    "union": "a union",
    "enum": "an enum",
    "input": "an input type",
    "scalar": "a scalar",
}


class _Invalid(Exception):
    """A subgraph that cannot be read; carries every error found."""

    def __init__(self, *errors: CompositionError) -> None:
        super().__init__(errors[0].message)
        self.errors = list(errors)


def type_string(node: TypeNode, renames: dict[str, str] | None = None) -> str:
    """``[String!]!`` for a type reference, with root types renamed."""
    if isinstance(node, NonNullTypeNode):
        return type_string(node.type, renames) + "!"
    if isinstance(node, ListTypeNode):
        return "[" + type_string(node.type, renames) + "]"
    assert isinstance(node, NamedTypeNode)
    name = node.name.value
    return (renames or {}).get(name, name)


def named_type(type_ref: str) -> str:
    """The named type inside a type reference: ``Person`` for ``[Person!]!``."""
    return type_ref.strip("[]!")


def _string(node: ValueNode | None) -> str | None:
    return node.value if isinstance(node, StringValueNode) else None


def _scopes(node: ValueNode | None) -> Scopes:
    if not isinstance(node, ListValueNode):
        return ()
    groups = []
    for inner in node.values:
        values = inner.values if isinstance(inner, ListValueNode) else (inner,)
        groups.append(tuple(v.value for v in values if isinstance(v, StringValueNode)))
    return tuple(groups)


class _Directives:
    """Resolves a subgraph's local directive names to federation's own names."""

    def __init__(self, subgraph: str, schema_nodes: Sequence[DefinitionNode]) -> None:
        self.subgraph = subgraph
        self.names: dict[str, str] = {}
        self.imported_types: set[str] = set()
        self.prefix = "federation"
        self.version = ""
        links = [
            d
            for node in schema_nodes
            for d in getattr(node, "directives", ()) or ()
            if d.name.value == "link"
        ]
        federation = [d for d in links if self._url(d).startswith(FEDERATION_URL)]
        if not federation:
            raise _Invalid(
                CompositionError(
                    "INVALID_LINK",
                    f'Subgraph "{subgraph}" does not link the federation 2 '
                    "specification; add extend schema @link(url: "
                    '"https://specs.apollo.dev/federation/v2.7", import: [...]).',
                    (subgraph,),
                )
            )
        self._read_link(federation[0])

    @staticmethod
    def _url(directive: DirectiveNode) -> str:
        args = {a.name.value: a.value for a in directive.arguments or ()}
        return _string(args.get("url")) or ""

    def _read_link(self, link: DirectiveNode) -> None:
        args = {a.name.value: a.value for a in link.arguments or ()}
        url = _string(args.get("url")) or ""
        self.version = url.removeprefix(FEDERATION_URL)
        if not re.fullmatch(r"v2\.\d+", self.version):
            raise _Invalid(
                CompositionError(
                    "INVALID_LINK",
                    f'Subgraph "{self.subgraph}" links federation version '
                    f'"{self.version}"; only federation 2 (v2.0 and later) is '
                    "supported.",
                    (self.subgraph,),
                )
            )
        self.prefix = _string(args.get("as")) or "federation"
        for name in FEDERATION_DIRECTIVES:
            self.names[f"{self.prefix}__{name}"] = name
        imports = args.get("import")
        for item in imports.values if isinstance(imports, ListValueNode) else ():
            self._import(item)

    def _import(self, item: ValueNode) -> None:
        if isinstance(item, StringValueNode):
            original, local = item.value, item.value
        elif isinstance(item, ObjectValueNode):
            fields = {f.name.value: f.value for f in item.fields}
            original = _string(fields.get("name")) or ""
            local = _string(fields.get("as")) or original
        else:
            return
        if original.startswith("@"):
            self.names[local.lstrip("@")] = original.lstrip("@")
        else:
            self.imported_types.add(local)

    def canonical(self, directive: DirectiveNode) -> str | None:
        """Federation's name of ``directive``, or None for any other directive."""
        name = directive.name.value
        if name in ("deprecated", "specifiedBy"):
            return name
        return self.names.get(name)

    def is_machinery(self, type_name: str) -> bool:
        """True for federation's own types, which composition drops."""
        return (
            type_name in MACHINERY_TYPES
            or type_name in self.imported_types
            or type_name.startswith((f"{self.prefix}__", "link__"))
        )


class _Applied:
    """The federation directives applied to one element, by canonical name."""

    def __init__(
        self, directives: Iterable[ConstDirectiveNode], names: _Directives
    ) -> None:
        self.all: dict[str, list[dict[str, Any]]] = {}
        for directive in directives:
            canonical = names.canonical(directive)
            if canonical is not None:
                args = {a.name.value: a.value for a in directive.arguments or ()}
                self.all.setdefault(canonical, []).append(args)

    def has(self, name: str) -> bool:
        return name in self.all

    def arg(self, name: str, argument: str) -> ValueNode | None:
        applied = self.all.get(name)
        return applied[0].get(argument) if applied else None

    def string(self, name: str, argument: str) -> str | None:
        return _string(self.arg(name, argument))

    def deprecated(self) -> str | None:
        if not self.has("deprecated"):
            return None
        return self.string("deprecated", "reason") or "No longer supported"

    def tags(self) -> tuple[str, ...]:
        return tuple(_string(a.get("name")) or "" for a in self.all.get("tag", []))

    def auth(self) -> Auth:
        scopes = self.arg("requiresScopes", "scopes")
        policies = self.arg("policy", "policies")
        return Auth(
            authenticated=self.has("authenticated"),
            scopes=_scopes(scopes) if self.has("requiresScopes") else None,
            policies=_scopes(policies) if self.has("policy") else None,
        )

    def keys(self) -> list[Key]:
        keys = []
        for args in self.all.get("key", []):
            resolvable = args.get("resolvable")
            flag = not isinstance(resolvable, BooleanValueNode) or resolvable.value
            keys.append(Key(_string(args.get("fields")) or "", flag))
        return keys


def read_subgraph(subgraph: SubgraphSdl) -> Subgraph | list[CompositionError]:
    """Read ``subgraph`` into the composition model, or say why it cannot be read."""
    try:
        return _read(subgraph)
    except _Invalid as exc:
        return exc.errors


def _read(subgraph: SubgraphSdl) -> Subgraph:
    name = subgraph.name
    try:
        document = parse(subgraph.sdl, no_location=True)
    except GraphQLError as exc:
        raise _Invalid(
            CompositionError(
                "INVALID_GRAPHQL",
                f'Subgraph "{name}" is not valid GraphQL SDL: {exc.message}',
                (name,),
            )
        ) from exc
    schema_nodes = [
        d
        for d in document.definitions
        if isinstance(d, SchemaDefinitionNode | SchemaExtensionNode)
    ]
    names = _Directives(name, schema_nodes)
    renames = _root_renames(schema_nodes)
    types: dict[str, TypeDef] = {}
    for node in document.definitions:
        kind = KINDS.get(type(node))
        if kind is None:
            continue
        local: str = node.name.value  # type: ignore[attr-defined]
        type_name = renames.get(local, local)
        if names.is_machinery(type_name):
            continue
        _merge_node(name, types, type_name, kind, node, names, renames)
    problems = _check_references(name, types)
    problems += _check_directives(name, document, names)
    if problems:
        raise _Invalid(*problems)
    return Subgraph(name=name, url=subgraph.url, types=types)


def _root_renames(schema_nodes: Sequence[DefinitionNode]) -> dict[str, str]:
    renames: dict[str, str] = {}
    for node in schema_nodes:
        for operation in getattr(node, "operation_types", ()) or ():
            root = ROOTS[operation.operation.value]
            if operation.type.name.value != root:
                renames[operation.type.name.value] = root
    return renames


def _merge_node(
    subgraph: str,
    types: dict[str, TypeDef],
    type_name: str,
    kind: str,
    node: Any,
    names: _Directives,
    renames: dict[str, str],
) -> None:
    definition = types.get(type_name)
    if definition is None:
        definition = types[type_name] = TypeDef(name=type_name, kind=kind)
    elif definition.kind != kind:
        raise _Invalid(
            CompositionError(
                "INVALID_GRAPHQL",
                f'Subgraph "{subgraph}" defines "{type_name}" both as '
                f"{KIND_NAMES[definition.kind]} and as {KIND_NAMES[kind]}.",
                (subgraph,),
                (type_name,),
            )
        )
    applied = _Applied(node.directives or (), names)
    is_extension = "Extension" in type(node).__name__ or applied.has("extends")
    definition.extension = definition.extension and is_extension
    if getattr(node, "description", None) and definition.description is None:
        definition.description = node.description.value
    _merge_type_directives(definition, applied)
    for interface in getattr(node, "interfaces", None) or ():
        definition.interfaces.append(interface.name.value)
    for member in getattr(node, "types", None) or ():
        definition.members.append(renames.get(member.name.value, member.name.value))
    for value in getattr(node, "values", None) or ():
        definition.values[value.name.value] = _enum_value(value, names)
    for child in getattr(node, "fields", None) or ():
        if isinstance(child, FieldDefinitionNode):
            if child.name.value in MACHINERY_FIELDS and type_name == "Query":
                continue
            item = _field(child, names, renames)
            item.shareable = item.shareable or applied.has("shareable")
            definition.fields[child.name.value] = item
        else:
            definition.inputs[child.name.value] = _argument(child, names, renames)


def _merge_type_directives(definition: TypeDef, applied: _Applied) -> None:
    definition.keys.extend(applied.keys())
    definition.shareable = definition.shareable or applied.has("shareable")
    definition.inaccessible = definition.inaccessible or applied.has("inaccessible")
    definition.interface_object = definition.interface_object or applied.has(
        "interfaceObject"
    )
    definition.specified_by = definition.specified_by or applied.string(
        "specifiedBy", "url"
    )
    auth = applied.auth()
    definition.auth = Auth(
        definition.auth.authenticated or auth.authenticated,
        definition.auth.scopes or auth.scopes,
        definition.auth.policies or auth.policies,
    )
    definition.tags += applied.tags()


def _enum_value(node: Any, names: _Directives) -> EnumValue:
    applied = _Applied(node.directives or (), names)
    return EnumValue(
        name=node.name.value,
        description=node.description.value if node.description else None,
        inaccessible=applied.has("inaccessible"),
        deprecated=applied.deprecated(),
        tags=applied.tags(),
    )


def _argument(
    node: InputValueDefinitionNode, names: _Directives, renames: dict[str, str]
) -> Argument:
    applied = _Applied(node.directives or (), names)
    return Argument(
        name=node.name.value,
        type=type_string(node.type, renames),
        default=print_ast(node.default_value) if node.default_value else None,
        description=node.description.value if node.description else None,
        inaccessible=applied.has("inaccessible"),
        deprecated=applied.deprecated(),
        tags=applied.tags(),
    )


def _field(
    node: FieldDefinitionNode, names: _Directives, renames: dict[str, str]
) -> Field:
    applied = _Applied(node.directives or (), names)
    return Field(
        name=node.name.value,
        type=type_string(node.type, renames),
        arguments={
            a.name.value: _argument(a, names, renames) for a in node.arguments or ()
        },
        description=node.description.value if node.description else None,
        external=applied.has("external"),
        shareable=applied.has("shareable"),
        requires=applied.string("requires", "fields"),
        provides=applied.string("provides", "fields"),
        override=applied.string("override", "from"),
        override_label=applied.string("override", "label"),
        inaccessible=applied.has("inaccessible"),
        deprecated=applied.deprecated(),
        auth=applied.auth(),
        tags=applied.tags(),
    )


def _check_references(
    subgraph: str, types: dict[str, TypeDef]
) -> list[CompositionError]:
    errors = []
    for definition in types.values():
        references = [(f.type, f"{definition.name}.{f.name}") for f in _all(definition)]
        references += [(m, definition.name) for m in definition.members]
        references += [(i, definition.name) for i in definition.interfaces]
        for reference, coordinate in references:
            name = named_type(reference)
            if name not in types and name not in BUILT_IN_SCALARS:
                errors.append(
                    CompositionError(
                        "INVALID_GRAPHQL",
                        f'Subgraph "{subgraph}" refers to type "{name}" at '
                        f'"{coordinate}" but does not define it.',
                        (subgraph,),
                        (coordinate,),
                    )
                )
    return errors


def _check_directives(
    subgraph: str, document: Any, names: _Directives
) -> list[CompositionError]:
    defined = {
        d.name.value
        for d in document.definitions
        if isinstance(d, DirectiveDefinitionNode)
    }
    known = defined | {"deprecated", "specifiedBy", "oneOf", "link"}
    errors = []
    for coordinate, directive in _applied_directives(document):
        name = directive.name.value
        canonical = names.canonical(directive)
        if canonical in UNSUPPORTED:
            errors.append(
                CompositionError(
                    "UNSUPPORTED_FEATURE",
                    f'Subgraph "{subgraph}" uses "@{canonical}" on "{coordinate}", '
                    "which this composer does not support yet.",
                    (subgraph,),
                    (coordinate,),
                )
            )
        if name in known or canonical is not None:
            continue
        hint = (
            f'add "@{name}" to the import list of its federation @link'
            if name in FEDERATION_DIRECTIVES
            else f"define it with a directive @{name} definition"
        )
        errors.append(
            CompositionError(
                "INVALID_GRAPHQL",
                f'Subgraph "{subgraph}" uses the unknown directive "@{name}" on '
                f'"{coordinate}"; {hint}.',
                (subgraph,),
                (coordinate,),
            )
        )
    return errors


def _applied_directives(document: Any) -> Iterable[tuple[str, DirectiveNode]]:
    """Every directive applied in the type system, with where it is applied."""
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            for directive in definition.directives or ():
                yield "schema", directive
            continue
        if getattr(definition, "name", None) is None:
            continue
        owner = definition.name.value
        for directive in getattr(definition, "directives", None) or ():
            yield owner, directive
        children = (getattr(definition, "fields", None) or ()) + (
            getattr(definition, "values", None) or ()
        )
        for child in children:
            where = f"{owner}.{child.name.value}"
            for directive in child.directives or ():
                yield where, directive
            for argument in getattr(child, "arguments", None) or ():
                for directive in argument.directives or ():
                    yield f"{where}({argument.name.value}:)", directive


def _all(definition: TypeDef) -> Iterable[Field | Argument]:
    yield from definition.inputs.values()
    for f in definition.fields.values():
        yield f
        for argument in f.arguments.values():
            yield Argument(f"{f.name}({argument.name}:)", argument.type)
