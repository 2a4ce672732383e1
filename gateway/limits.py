"""Limits on a request, applied before anything runs.

A document is measured in three ways, each with its own limit and error code:

- depth: the deepest nesting of fields, fragments expanded (``DEPTH_LIMIT_EXCEEDED``);
- aliases: the aliased fields written in the document (``ALIAS_LIMIT_EXCEEDED``);
- fragments: the fragment definitions (``FRAGMENT_LIMIT_EXCEEDED``), and the
  fields of one response name in one selection set (``FIELD_REPEAT_LIMIT_EXCEEDED``),
  which would cost the validation rule on merging fields quadratic time;
- cost: every field costs 1, and the fields under a list field count once per item,
  taking the item count from a ``first``, ``last`` or ``limit`` argument and
  :attr:`Limits.default_list_size` otherwise (``COST_LIMIT_EXCEEDED``).

Introspection (``__schema``, ``__type``) is answered from the schema in memory and
is left out of depth and cost; production mode refuses it in validation anyway.
Depth, aliases, fragments and repeats are measured on the syntax tree, before
validation, so that a hostile document never reaches the more expensive validation
rules; cost needs the schema's types and is measured on a valid document.
Fragments are measured once each, so a document of nested fragment spreads costs
linear time to measure.
"""

import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, fields

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    type_from_ast,
)
from graphql.type.definition import GraphQLInterfaceType

from gateway.errors import LimitExceeded

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
SIZE_ARGUMENTS = ("first", "last", "limit")
ENV_PREFIX = "CITIZEN_GRAPH_"
LEAF_REPEATS = 10
"""A leaf without arguments may repeat this many times more than other fields."""


@dataclass(frozen=True)
class Limits:
    """The limits of one server; each can be set as ``CITIZEN_GRAPH_<NAME>``.

    Attributes:
        max_body_bytes: size of a POST body.
        max_document_bytes: size of a document's UTF-8 text.
        max_tokens: lexical tokens of a document (the parser stops there).
        max_depth: nesting of fields.
        max_aliases: aliased fields in a document.
        max_fragments: fragment definitions in a document.
        max_repeats: fields of one response name in one merged selection set
            (plain leaves without arguments: ten times as many).
        max_cost: cost of an operation (see the module docstring).
        default_list_size: items assumed for a list field without a size argument.
        max_errors: validation errors reported before validation stops.
        document_cache_size: parsed and validated documents kept in memory.
    """

    max_body_bytes: int = 1_000_000
    max_document_bytes: int = 100_000
    max_tokens: int = 10_000
    max_depth: int = 12
    max_aliases: int = 30
    max_fragments: int = 30
    max_repeats: int = 8
    max_cost: int = 20_000
    default_list_size: int = 10
    max_errors: int = 20
    document_cache_size: int = 1_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Limits":
        """Limits with any ``CITIZEN_GRAPH_MAX_DEPTH``-style overrides applied.

        Raises:
            ValueError: for a value that is not a positive whole number.
        """
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for item in fields(cls):
            name = f"{ENV_PREFIX}{item.name.upper()}"
            if name in env:
                raw = env[name]
                if not raw.isdigit() or int(raw) == 0:
                    raise ValueError(f"{name} must be a positive number, not {raw!r}.")
                values[item.name] = int(raw)
        return cls(**values)


def check_size(text: str, limits: Limits) -> None:
    """Refuse a document whose UTF-8 text is over the size limit."""
    size = len(text.encode("utf-8"))
    if size > limits.max_document_bytes:
        raise LimitExceeded(
            f"The document is {size} bytes long; the limit is "
            f"{limits.max_document_bytes}.",
            code="DOCUMENT_TOO_LARGE",
            limit=limits.max_document_bytes,
            actual=size,
        )


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {
        d.name.value: d
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }


class _Depth:
    """Depth of selection sets with fragments expanded, each fragment once."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.known: dict[str, int] = {}
        self.visiting: set[str] = set()

    def of(self, selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        deepest = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value in INTROSPECTION_FIELDS:
                    continue
                deepest = max(deepest, 1 + self.of(selection.selection_set))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.of(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                deepest = max(deepest, self.of_fragment(selection.name.value))
        return deepest

    def of_fragment(self, name: str) -> int:
        fragment = self.fragments.get(name)
        if fragment is None or name in self.visiting:
            return 0  # validation reports unknown and cyclic fragments
        if name not in self.known:
            self.visiting.add(name)
            self.known[name] = self.of(fragment.selection_set)
            self.visiting.discard(name)
        return self.known[name]


def _limit(actual: int, limit: int, code: str, message: str) -> None:
    if actual > limit:
        raise LimitExceeded(
            f"{message}; the limit is {limit}.", code=code, limit=limit, actual=actual
        )


def check_syntax(document: DocumentNode, limits: Limits) -> None:
    """Refuse a document that is too deep, has too many aliases or fragments, or
    repeats one field too often in a selection set.

    Runs on the syntax tree alone, before validation: the validation rule that
    fields can be merged compares fields of one name and fragments in pairs, so
    repeated fields and many fragments would cost it quadratic time.
    """
    shape = _Shape(document)
    _limit(
        shape.aliases,
        limits.max_aliases,
        "ALIAS_LIMIT_EXCEEDED",
        f"The document has {shape.aliases} aliases",
    )
    _limit(
        shape.fragments,
        limits.max_fragments,
        "FRAGMENT_LIMIT_EXCEEDED",
        f"The document defines {shape.fragments} fragments",
    )
    _limit(
        shape.repeats,
        limits.max_repeats,
        "FIELD_REPEAT_LIMIT_EXCEEDED",
        f"A selection set asks for {shape.repeated!r} {shape.repeats} times",
    )
    _limit(
        shape.leaf_repeats,
        limits.max_repeats * LEAF_REPEATS,
        "FIELD_REPEAT_LIMIT_EXCEEDED",
        f"A selection set asks for {shape.leaf!r} {shape.leaf_repeats} times",
    )
    depth = _Depth(_fragments(document))
    deepest = max(
        (
            depth.of(d.selection_set)
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
        ),
        default=0,
    )
    _limit(
        deepest,
        limits.max_depth,
        "DEPTH_LIMIT_EXCEEDED",
        f"The operation is {deepest} fields deep",
    )


class _Shape:
    """Aliases, fragments and the most repeated response names of a document.

    Fields of one response name in one selection set are merged, and so are their
    own selection sets: ``{ a { b } a { b } }`` asks for ``b`` twice in the
    merged set under ``a``. That is how the validation rule compares them, and
    why repeats multiply down the tree. Inline fragments belong to the selection
    set they are in; fragment spreads are measured where they are defined.
    """

    def __init__(self, document: DocumentNode) -> None:
        self.aliases = 0
        self.fragments = 0
        self.repeats = 0
        self.repeated = ""
        self.leaf_repeats = 0
        self.leaf = ""
        scopes: list[list[SelectionSetNode]] = []
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                self.fragments += 1
            if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
                scopes.append([definition.selection_set])
        while scopes:
            scopes += self._measure(scopes.pop())

    def _measure(self, scope: list[SelectionSetNode]) -> list[list[SelectionSetNode]]:
        counts: Counter[str] = Counter()
        leaves: Counter[str] = Counter()
        children: dict[str, list[SelectionSetNode]] = {}
        flat = list(scope)
        while flat:
            for selection in flat.pop().selections:
                if isinstance(selection, InlineFragmentNode):
                    flat.append(selection.selection_set)
                elif isinstance(selection, FieldNode):
                    self.aliases += selection.alias is not None
                    name = (selection.alias or selection.name).value
                    if selection.selection_set is not None:
                        children.setdefault(name, []).append(selection.selection_set)
                    merged = selection.selection_set or selection.arguments
                    (counts if merged else leaves)[name] += 1
        for name, count in counts.items():
            if count > self.repeats:
                self.repeats, self.repeated = count, name
        for name, count in leaves.items():
            if count > self.leaf_repeats:
                self.leaf_repeats, self.leaf = count, name
        return list(children.values())


class _Cost:
    """Cost of selection sets of a valid document, each fragment once."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        default_list_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.default_list_size = default_list_size
        self.known: dict[str, int] = {}

    def of(
        self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> int:
        if selection_set is None or parent is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.of_field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                scope = type_from_ast(self.schema, condition) if condition else parent
                total += self.of(selection.selection_set, get_named_type(scope))
            elif isinstance(selection, FragmentSpreadNode):
                total += self.of_fragment(selection.name.value)
        return total

    def of_field(self, node: FieldNode, parent: GraphQLNamedType) -> int:
        name = node.name.value
        if name in INTROSPECTION_FIELDS or name == "__typename":
            return 0
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 1
        definition = parent.fields.get(name)
        if definition is None:
            return 1
        inner = self.of(node.selection_set, get_named_type(definition.type))
        return 1 + self._items(node, definition) * inner

    def _items(self, node: FieldNode, definition: GraphQLField) -> int:
        if not isinstance(get_nullable_type(definition.type), GraphQLList):
            return 1
        for argument in node.arguments or ():
            if argument.name.value in SIZE_ARGUMENTS and isinstance(
                argument.value, IntValueNode
            ):
                return max(1, int(argument.value.value))
        return self.default_list_size

    def of_fragment(self, name: str) -> int:
        if name not in self.known:
            fragment = self.fragments[name]
            scope = type_from_ast(self.schema, fragment.type_condition)
            self.known[name] = self.of(fragment.selection_set, get_named_type(scope))
        return self.known[name]


def cost_of(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    schema: GraphQLSchema,
    default_list_size: int,
) -> int:
    """The cost of ``operation`` in a valid ``document`` (see the module docstring)."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    cost = _Cost(schema, _fragments(document), default_list_size)
    return cost.of(operation.selection_set, root)


def check_cost(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    schema: GraphQLSchema,
    limits: Limits,
) -> int:
    """The cost of ``operation``; refuses it when over the limit."""
    cost = cost_of(document, operation, schema, limits.default_list_size)
    refuse_cost(cost, limits)
    return cost


def refuse_cost(cost: int, limits: Limits) -> None:
    """Refuse a cost over the limit."""
    _limit(cost, limits.max_cost, "COST_LIMIT_EXCEEDED", f"The operation costs {cost}")
