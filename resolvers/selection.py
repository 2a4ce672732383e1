"""Selections: the client's operation flattened, and fetch selections being built.

The planner reads the client's operation as :class:`ClientField` items: fragments
(named and inline) are flattened, and each field remembers the type conditions and
``@skip``/``@include`` directives it was found under. It builds each fetch's
selection as a :class:`SelectionSet` of :class:`FetchField` items and finally turns
that into a graphql-core AST.

Fields in fetch documents are keyed by a *canonical* response key: the field's name
when it has no arguments, otherwise an internal alias per distinct argument set.
The client's aliases never reach a subgraph; the shaper maps them back.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from graphql import print_ast
from graphql.language import ast

CONDITION_DIRECTIVES = frozenset({"skip", "include"})


@dataclass(frozen=True)
class ClientField:
    """One field of the client's selection, with the context it was found in.

    Attributes:
        name: the schema field name.
        response_key: the client's alias or name.
        key: the canonical response key used in fetch documents and merged data.
        node: the field's AST node.
        type_conditions: the type conditions of the enclosing fragments.
        conditions: the ``@skip``/``@include`` directives on the field and on the
            enclosing fragments.
    """

    name: str
    response_key: str
    key: str
    node: ast.FieldNode
    type_conditions: tuple[str, ...]
    conditions: tuple[ast.DirectiveNode, ...]


class Canonical:
    """Hands out canonical response keys, one per field name and argument set."""

    def __init__(self) -> None:
        self._keys: dict[tuple[str, str], str] = {}

    def key(self, name: str, arguments: tuple[ast.ArgumentNode, ...] | None) -> str:
        """The canonical key of ``name(arguments)``."""
        if not arguments:
            return name
        printed = " ".join(
            sorted(f"{a.name.value}:{print_ast(a.value)}" for a in arguments)
        )
        found = self._keys.get((name, printed))
        if found is None:
            found = f"_cg{len(self._keys) + 1}_{name}"
            self._keys[(name, printed)] = found
        return found


def collect(
    selection_set: ast.SelectionSetNode | None,
    fragments: Mapping[str, ast.FragmentDefinitionNode],
    canonical: Canonical,
    type_conditions: tuple[str, ...] = (),
    conditions: tuple[ast.DirectiveNode, ...] = (),
) -> Iterator[ClientField]:
    """The fields of a selection set in order, fragments flattened (spec 6.3.2)."""
    for selection in selection_set.selections if selection_set else ():
        own = tuple(
            d
            for d in selection.directives or ()
            if d.name.value in CONDITION_DIRECTIVES
        )
        if isinstance(selection, ast.FieldNode):
            name = selection.name.value
            yield ClientField(
                name=name,
                response_key=selection.alias.value if selection.alias else name,
                key=canonical.key(name, selection.arguments),
                node=selection,
                type_conditions=type_conditions,
                conditions=conditions + own,
            )
            continue
        if isinstance(selection, ast.FragmentSpreadNode):
            definition = fragments[selection.name.value]
            condition: ast.NamedTypeNode | None = definition.type_condition
            inner = definition.selection_set
        else:
            assert isinstance(selection, ast.InlineFragmentNode)
            condition, inner = selection.type_condition, selection.selection_set
        more = (condition.name.value,) if condition else ()
        yield from collect(
            inner, fragments, canonical, type_conditions + more, conditions + own
        )


def signature(conditions: tuple[ast.DirectiveNode, ...]) -> str:
    """A comparable text of a tuple of condition directives."""
    return " ".join(print_ast(d) for d in conditions)


@dataclass
class FetchField:
    """A field in a fetch selection.

    ``conditions`` stay on the field in the fetch document only while every client
    field merged into it carries the same ones; otherwise the field is fetched
    unconditionally and the shaper applies the client's directives.
    """

    name: str
    key: str
    arguments: tuple[ast.ArgumentNode, ...]
    conditions: tuple[ast.DirectiveNode, ...]
    sub: "SelectionSet | None" = None


@dataclass
class SelectionSet:
    """A fetch selection: fields by canonical key and fragments by type condition."""

    fields: dict[str, FetchField] = field(default_factory=dict)
    fragments: dict[str, "SelectionSet"] = field(default_factory=dict)

    def add(
        self,
        name: str,
        key: str,
        arguments: tuple[ast.ArgumentNode, ...] = (),
        conditions: tuple[ast.DirectiveNode, ...] = (),
        composite: bool = False,
    ) -> FetchField:
        """Add a field (or merge with the one already there) and return it."""
        existing = self.fields.get(key)
        if existing is None:
            existing = FetchField(name, key, arguments, conditions)
            self.fields[key] = existing
        elif signature(existing.conditions) != signature(conditions):
            existing.conditions = ()
        if composite and existing.sub is None:
            existing.sub = SelectionSet()
        return existing

    def fragment(self, type_name: str) -> "SelectionSet":
        """The selection under ``... on type_name``, created when missing."""
        found = self.fragments.get(type_name)
        if found is None:
            found = self.fragments[type_name] = SelectionSet()
        return found

    def to_ast(self) -> ast.SelectionSetNode:
        """The selection as a graphql-core AST node."""
        selections: list[ast.SelectionNode] = [
            _field_ast(f) for f in self.fields.values()
        ]
        for type_name, inner in self.fragments.items():
            if not inner.fields and not inner.fragments:
                continue
            selections.append(
                ast.InlineFragmentNode(
                    type_condition=_named(type_name),
                    directives=(),
                    selection_set=inner.to_ast(),
                )
            )
        if not selections:
            selections.append(ast.FieldNode(name=ast.NameNode(value="__typename")))
        return ast.SelectionSetNode(selections=tuple(selections))


def _named(name: str) -> ast.NamedTypeNode:
    return ast.NamedTypeNode(name=ast.NameNode(value=name))


def _field_ast(item: FetchField) -> ast.SelectionNode:
    node: ast.SelectionNode = ast.FieldNode(
        alias=ast.NameNode(value=item.key) if item.key != item.name else None,
        name=ast.NameNode(value=item.name),
        arguments=item.arguments,
        directives=item.conditions[-1:],
        selection_set=item.sub.to_ast() if item.sub is not None else None,
    )
    for directive in reversed(item.conditions[:-1]):
        node = ast.InlineFragmentNode(
            type_condition=None,
            directives=(directive,),
            selection_set=ast.SelectionSetNode(selections=(node,)),
        )
    return node


def field_set_items(selection_set: ast.SelectionSetNode) -> list[ast.FieldNode]:
    """The fields of a ``FieldSet`` selection, inline fragments flattened."""
    found: list[ast.FieldNode] = []
    for selection in selection_set.selections:
        if isinstance(selection, ast.FieldNode):
            found.append(selection)
        elif isinstance(selection, ast.InlineFragmentNode):
            found.extend(field_set_items(selection.selection_set))
    return found


Provided = dict[str, "Provided"]
"""Fields that a ``@provides`` makes available, nested by field name."""


def provided_of(selection_set: ast.SelectionSetNode | None) -> Provided:
    """A ``@provides`` field set as nested names."""
    if selection_set is None:
        return {}
    return {
        f.name.value: provided_of(f.selection_set)
        for f in field_set_items(selection_set)
    }


def variables_in(node: ast.Node) -> list[str]:
    """The names of the variables that ``node`` uses, in order, each once."""
    names: dict[str, None] = {}

    def walk(value: object) -> None:
        if isinstance(value, ast.VariableNode):
            names[value.name.value] = None
        elif isinstance(value, ast.Node):
            for key in value.keys:
                if key != "loc":
                    walk(getattr(value, key))
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item)

    walk(node)
    return list(names)
