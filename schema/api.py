"""The API schema of a supergraph: what clients see and validate against.

It is the supergraph without the machinery of the features it links (``join``,
``link``, ``inaccessible``, ``tag``, the auth specifications...) and without the
elements marked ``@inaccessible`` (Apollo Federation, "Inaccessible"
specification v0.2: an inaccessible element is removed from the API schema).
"""

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeVar

from graphql import (
    DefinitionNode,
    DirectiveDefinitionNode,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    ListValueNode,
    Node,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    build_ast_schema,
    parse,
    validate_schema,
)
from graphql.language import (
    TypeExtensionNode,
    UnionTypeDefinitionNode,
)

from schema.errors import SupergraphError

KEEP_DIRECTIVES = frozenset({"deprecated", "specifiedBy", "oneOf"})
N = TypeVar("N", bound=Node)


@lru_cache(maxsize=32)
def api_schema(supergraph_sdl: str) -> GraphQLSchema:
    """The public schema of ``supergraph_sdl``.

    Schemas are cached by SDL text and shared between callers; do not change them.

    Raises:
        SupergraphError: the SDL does not parse, or its API schema is not valid.
    """
    try:
        document = parse(supergraph_sdl, no_location=True)
    except GraphQLError as exc:
        raise SupergraphError(
            f"The supergraph is not valid GraphQL SDL: {exc.message}"
        ) from exc
    features = _Features(document)
    public = features.api_document(document)
    try:
        schema = build_ast_schema(public, assume_valid_sdl=False)
    except (GraphQLError, TypeError) as exc:
        raise SupergraphError(
            f"The supergraph's API schema is not valid: {exc}"
        ) from exc
    problems = validate_schema(schema)
    if problems:
        messages = " ".join(p.message for p in problems)
        raise SupergraphError(f"The supergraph's API schema is not valid: {messages}")
    return schema


def _replace(node: N, **changes: Any) -> N:
    values = {key: getattr(node, key) for key in node.keys}
    values.update(changes)
    return type(node)(**values)


def _string(node: Any) -> str | None:
    return node.value if isinstance(node, StringValueNode) else None


class _Features:
    """The features a supergraph links, and the names they own in it."""

    def __init__(self, document: DocumentNode) -> None:
        self.prefixes: set[str] = set()
        self.directives: set[str] = set()
        self.inaccessible = "inaccessible"
        for definition in document.definitions:
            if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
                for directive in definition.directives or ():
                    if directive.name.value in ("link", "core"):
                        self._link(directive.arguments or ())

    def _link(self, arguments: Sequence[Any]) -> None:
        args = {a.name.value: a.value for a in arguments}
        url = _string(args.get("url")) or _string(args.get("feature")) or ""
        match = re.search(r"/([A-Za-z_][\w-]*)/v\d+\.\d+$", url)
        if match is None:
            return
        name = _string(args.get("as")) or match.group(1)
        self.prefixes.add(name)
        self.directives.add(name)
        if match.group(1) == "inaccessible":
            self.inaccessible = name
        imports = args.get("import")
        for item in imports.values if isinstance(imports, ListValueNode) else ():
            if isinstance(item, StringValueNode):
                self.directives.add(item.value.lstrip("@"))
            elif isinstance(item, ObjectValueNode):
                fields = {f.name.value: f.value for f in item.fields}
                local = _string(fields.get("as")) or _string(fields.get("name")) or ""
                self.directives.add(local.lstrip("@"))
        self.directives |= {"link", "core"}

    def is_machinery(self, name: str) -> bool:
        """True for a type or directive name that a linked feature owns."""
        prefix, _, rest = name.partition("__")
        return bool(rest) and prefix in self.prefixes

    def hidden(self, node: Any) -> bool:
        """True for an element marked ``@inaccessible``."""
        return any(d.name.value == self.inaccessible for d in node.directives or ())

    def _directives(self, node: Any) -> tuple[Any, ...]:
        return tuple(
            d
            for d in node.directives or ()
            if d.name.value not in self.directives
            and not self.is_machinery(d.name.value)
        )

    def api_document(self, document: DocumentNode) -> DocumentNode:
        """``document`` without machinery and inaccessible elements."""
        hidden_types = {
            d.name.value
            for d in document.definitions
            if isinstance(d, TypeDefinitionNode)
            and (self.hidden(d) or self.is_machinery(d.name.value))
        }
        definitions: list[DefinitionNode] = []
        for definition in document.definitions:
            cleaned = self._definition(definition, hidden_types)
            if cleaned is not None:
                definitions.append(cleaned)
        return DocumentNode(definitions=tuple(definitions))

    def _definition(
        self, definition: DefinitionNode, hidden_types: set[str]
    ) -> DefinitionNode | None:
        if isinstance(definition, SchemaDefinitionNode):
            return _replace(definition, directives=())
        if isinstance(definition, SchemaExtensionNode):
            return None
        if isinstance(definition, DirectiveDefinitionNode):
            name = definition.name.value
            if name in self.directives or self.is_machinery(name):
                return None
            return definition
        if isinstance(definition, TypeExtensionNode):
            return None
        assert isinstance(definition, TypeDefinitionNode)
        if definition.name.value in hidden_types:
            return None
        return self._type(definition, hidden_types)

    def _visible(self, nodes: Any, hidden_types: set[str]) -> tuple[Any, ...]:
        result = []
        for node in nodes or ():
            if self.hidden(node):
                continue
            changes: dict[str, Any] = {"directives": self._directives(node)}
            if getattr(node, "arguments", None) is not None:
                changes["arguments"] = self._visible(node.arguments, hidden_types)
            result.append(_replace(node, **changes))
        return tuple(result)

    def _type(self, node: Any, hidden_types: set[str]) -> DefinitionNode:
        changes: dict[str, Any] = {"directives": self._directives(node)}
        for attribute in ("fields", "values"):
            if getattr(node, attribute, None) is not None:
                changes[attribute] = self._visible(
                    getattr(node, attribute), hidden_types
                )
        if getattr(node, "interfaces", None) is not None:
            changes["interfaces"] = tuple(
                i for i in node.interfaces if i.name.value not in hidden_types
            )
        if isinstance(node, UnionTypeDefinitionNode):
            changes["types"] = tuple(
                t for t in node.types or () if t.name.value not in hidden_types
            )
        result: DefinitionNode = _replace(node, **changes)
        return result
