"""Schema checks on the citizen graph's own authorities, one change each.

For each authority, a field of a type that only it defines is removed (breaking)
or one is added next to it (safe); an operation that reaches the field from the
root breaks with the first change and not with the second.
"""

from collections import deque
from functools import cache

import pytest
from graphql import (
    DocumentNode,
    FieldDefinitionNode,
    GraphQLObjectType,
    GraphQLSchema,
    NamedTypeNode,
    NameNode,
    ObjectTypeDefinitionNode,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
    parse,
    print_ast,
)

from schema.api import api_schema
from schema.checks import check
from schema.compose import SubgraphSdl, compose
from schema.subgraph import Subgraph, read_subgraph


@cache
def _loaded() -> tuple[SubgraphSdl, ...] | str:
    try:
        from subgraphs.registry import load_all

        return tuple(SubgraphSdl(s.name, None, s.sdl) for s in load_all())
    except ImportError as exc:
        return str(exc)


def authorities() -> list[SubgraphSdl]:
    """The registry's authorities; skips when they are not installed."""
    loaded = _loaded()
    if isinstance(loaded, str):
        pytest.skip(f"the authorities are not installed: {loaded}")
    return list(loaded)


@cache
def current_api() -> GraphQLSchema:
    """The public schema of the authorities as they are."""
    return api_schema(compose(authorities()).supergraph_or_raise())


def _read(subgraph: SubgraphSdl) -> Subgraph:
    result = read_subgraph(subgraph)
    assert isinstance(result, Subgraph)
    return result


def owned_field(name: str, subgraphs: list[SubgraphSdl]) -> tuple[str, str]:
    """A (type, field) that only subgraph ``name`` defines, and no key uses."""
    read = {s.name: _read(s) for s in subgraphs}
    others = {t for n, s in read.items() if n != name for t in s.types}
    for type_name, definition in sorted(read[name].types.items()):
        if definition.kind != "object" or type_name in others | {"Query"}:
            continue
        keys = " ".join(k.fields for k in definition.keys).split()
        fields = [f for f in definition.fields if f not in keys]
        if len(definition.fields) > 1 and fields:
            return type_name, fields[-1]
    raise AssertionError(f"subgraph {name} owns no type with a removable field")


def edited(sdl: str, type_name: str, field: str, add: bool) -> str:
    """``sdl`` with ``field`` of ``type_name`` removed, or a new field added."""
    document = parse(sdl, no_location=True)
    definitions = []
    for node in document.definitions:
        if isinstance(node, ObjectTypeDefinitionNode) and node.name.value == type_name:
            fields = [f for f in node.fields or () if f.name.value != field]
            if add:
                probe = FieldDefinitionNode(
                    name=NameNode(value="checkProbe"),
                    type=NamedTypeNode(name=NameNode(value="String")),
                    arguments=(),
                    directives=(),
                )
                fields = [*(node.fields or ()), probe]
            node = ObjectTypeDefinitionNode(
                name=node.name,
                description=node.description,
                interfaces=node.interfaces,
                directives=node.directives,
                fields=tuple(fields),
            )
        definitions.append(node)
    return print_ast(DocumentNode(definitions=tuple(definitions)))


def operation_reaching(schema: GraphQLSchema, type_name: str, field: str) -> str:
    """An operation from ``Query`` to ``type_name.field``, without arguments."""
    assert schema.query_type is not None
    queue: deque[tuple[GraphQLObjectType, list[str]]] = deque([(schema.query_type, [])])
    seen = {schema.query_type.name}
    while queue:
        current, path = queue.popleft()
        if current.name == type_name:
            selection = field
            for step in reversed(path):
                selection = f"{step} {{ {selection} }}"
            return f"query Probe {{ {selection} }}"
        for name, item in current.fields.items():
            target = get_named_type(item.type)
            required = any(is_non_null_type(a.type) for a in item.args.values())
            if required or is_leaf_type(target) or target.name in seen:
                continue
            if isinstance(target, GraphQLObjectType):
                seen.add(target.name)
                queue.append((target, [*path, name]))
    raise AssertionError(f"no operation reaches {type_name}.{field}")


AUTHORITY_NAMES = ("cpr", "skat", "property", "health")


@pytest.mark.parametrize("name", AUTHORITY_NAMES)
def test_removing_a_field_breaks_the_check(name: str) -> None:
    subgraphs = authorities()
    type_name, field = owned_field(name, subgraphs)
    probe = operation_reaching(current_api(), type_name, field)
    sdl = next(s.sdl for s in subgraphs if s.name == name)

    report = check(
        name, edited(sdl, type_name, field, add=False), subgraphs, [("Probe", probe)]
    )

    assert report.breaking
    assert report.composition_errors == ()
    codes = [(c.severity.value, c.code, c.coordinate) for c in report.changes]
    assert ("BREAKING", "FIELD_REMOVED", f"{type_name}.{field}") in codes
    assert [o.name for o in report.broken_operations] == ["Probe"]


@pytest.mark.parametrize("name", AUTHORITY_NAMES)
def test_adding_a_field_passes_the_check(name: str) -> None:
    subgraphs = authorities()
    type_name, field = owned_field(name, subgraphs)
    probe = operation_reaching(current_api(), type_name, field)
    sdl = next(s.sdl for s in subgraphs if s.name == name)

    report = check(
        name, edited(sdl, type_name, field, add=True), subgraphs, [("Probe", probe)]
    )

    assert not report.breaking
    assert [(c.severity.value, c.code, c.coordinate) for c in report.changes] == [
        ("SAFE", "FIELD_ADDED", f"{type_name}.checkProbe")
    ]
    assert report.broken_operations == ()
