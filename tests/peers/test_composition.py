"""Our composer against the npm composers on the same subgraphs.

For every set of subgraph SDLs, ``@apollo/composition`` and
``@theguild/federation-composition`` (run by ``compose.mjs`` on the venv's
Node.js) must compose without errors, and their supergraphs must describe the same
schema as ours: graphs, types, fields with types and arguments, keys per graph,
which graph resolves each field, interfaces, union members, enum values and
inaccessible elements. The comparison is structural, never textual. Hive
Gateway's own supergraph loader (``@graphql-tools/federation``) must read our
supergraphs into the same public schema as ours.
"""

import json
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    ScalarTypeDefinitionNode,
    SchemaDefinitionNode,
    TypeDefinitionNode,
    UnionTypeDefinitionNode,
    build_ast_schema,
    lexicographic_sort_schema,
    parse,
    print_ast,
    print_schema,
)
from graphql.language import BooleanValueNode, EnumValueNode, StringValueNode

from schema.api import api_schema
from schema.compose import SubgraphSdl, compose
from tests.schema.sdl_sets import composing_sets
from tests.schema.test_compose import FAILING

PEERS = Path(__file__).parent
NODE = Path(sys.executable).parent / "node"
GUILD_NEWEST_MINOR = 9
"""The newest federation 2 minor version that the Guild's composer accepts."""

pytestmark = pytest.mark.peers

JOIN_FIELD_ARGUMENTS = (
    "requires",
    "provides",
    "type",
    "external",
    "override",
    "overrideLabel",
    "usedOverridden",
)
"""What a ``@join__field`` says about one graph, all compared."""

Shape = dict[str, Any]


def npm_compose(
    sets: dict[str, Sequence[SubgraphSdl]],
) -> dict[str, dict[str, dict[str, Any]]]:
    """Both npm composers' results for each set of subgraphs, in one Node.js run."""
    if not (PEERS / "node_modules" / "@apollo" / "composition").is_dir():
        pytest.skip("tests/peers/node_modules is missing; run npm ci there")
    payload = {
        name: [
            {"name": n, "url": u, "sdl": s, "guildSdl": for_guild(s)}
            for n, u, s in subgraphs
        ]
        for name, subgraphs in sets.items()
    }
    completed = subprocess.run(
        [str(NODE), "compose.mjs"],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=PEERS,
        check=True,
        timeout=120,
    )
    result: dict[str, dict[str, dict[str, Any]]] = json.loads(completed.stdout)
    return result


def for_guild(sdl: str) -> str:
    """``sdl`` with its federation link lowered to the Guild composer's newest.

    Strawberry links federation v2.11 by default, which the Guild's composer
    (0.20) refuses by version alone although our subgraphs use no directive newer
    than v2.9. Subgraphs that do would still fail there, as they should.
    """
    return re.sub(
        r"(https://specs\.apollo\.dev/federation/v2\.)(\d+)",
        lambda m: m[1] + str(min(int(m[2]), GUILD_NEWEST_MINOR)),
        sdl,
    )


def _args(directive: DirectiveNode) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for argument in directive.arguments or ():
        value = argument.value
        if isinstance(value, StringValueNode | EnumValueNode | BooleanValueNode):
            values[argument.name.value] = value.value
        else:
            values[argument.name.value] = print_ast(value)
    return values


def _field_set(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(print_ast(parse("{" + text + "}").definitions[0]).split())


def _directives(node: Any, name: str) -> list[dict[str, Any]]:
    return [_args(d) for d in node.directives or () if d.name.value == name]


def _marks(node: Any) -> dict[str, Any]:
    marks: dict[str, Any] = {}
    for name in ("inaccessible", "authenticated", "requiresScopes", "policy", "tag"):
        found = _directives(node, name)
        if found:
            marks[name] = sorted(json.dumps(args, sort_keys=True) for args in found)
    deprecated = _directives(node, "deprecated")
    if deprecated:
        marks["deprecated"] = deprecated[0].get("reason", "No longer supported")
    if node.description is not None:
        marks["description"] = node.description.value
    return marks


def _value_default(node: Any) -> str | None:
    return print_ast(node.default_value) if node.default_value else None


class Describer:
    """Reads a join-spec supergraph SDL into a comparable structure."""

    def __init__(self, sdl: str) -> None:
        self.document = parse(sdl)
        self.graphs: dict[str, str] = {}
        for definition in self.document.definitions:
            if isinstance(definition, EnumTypeDefinitionNode) and (
                definition.name.value == "join__Graph"
            ):
                for value in definition.values or ():
                    args = _directives(value, "join__graph")[0]
                    self.graphs[value.name.value] = args["name"]

    def describe(self) -> Shape:
        """Every public type's shape, by name."""
        types = {}
        for definition in self.document.definitions:
            if isinstance(definition, TypeDefinitionNode):
                name = definition.name.value
                if "__" not in name:
                    types[name] = self._type(definition)
        return {"graphs": sorted(self.graphs.values()), "types": types}

    def _graph(self, value: str) -> str:
        return self.graphs[value]

    def _type(self, node: Any) -> Shape:
        join_types = _directives(node, "join__type")
        graphs = sorted({self._graph(a["graph"]) for a in join_types})
        shape: Shape = {
            "kind": type(node).__name__,
            "graphs": graphs,
            "keys": sorted(
                (
                    self._graph(a["graph"]),
                    _field_set(a["key"]),
                    a.get("resolvable", True),
                    a.get("isInterfaceObject", False),
                )
                for a in join_types
                if "key" in a
            ),
            "extensions": sorted(
                {self._graph(a["graph"]) for a in join_types if a.get("extension")}
            ),
            "interface_objects": sorted(
                self._graph(a["graph"])
                for a in join_types
                if a.get("isInterfaceObject")
            ),
            **_marks(node),
        }
        if isinstance(node, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode):
            shape["implements"] = self._per_graph(
                [i.name.value for i in node.interfaces or ()],
                _directives(node, "join__implements"),
                "interface",
                graphs,
            )
            shape["fields"] = {
                f.name.value: self._field(f, graphs) for f in node.fields or ()
            }
        elif isinstance(node, UnionTypeDefinitionNode):
            shape["members"] = self._per_graph(
                [t.name.value for t in node.types or ()],
                _directives(node, "join__unionMember"),
                "member",
                graphs,
            )
        elif isinstance(node, EnumTypeDefinitionNode):
            shape["values"] = {
                v.name.value: {
                    "graphs": sorted(
                        self._graph(a["graph"])
                        for a in _directives(v, "join__enumValue")
                    )
                    or graphs,
                    **_marks(v),
                }
                for v in node.values or ()
            }
        elif isinstance(node, InputObjectTypeDefinitionNode):
            shape["fields"] = {
                f.name.value: (print_ast(f.type), _value_default(f), _marks(f))
                for f in node.fields or ()
            }
        else:
            assert isinstance(node, ScalarTypeDefinitionNode)
        return shape

    def _per_graph(
        self, names: list[str], joins: list[dict[str, Any]], key: str, graphs: list[str]
    ) -> dict[str, list[str]]:
        result = {}
        for name in names:
            found = [self._graph(a["graph"]) for a in joins if a[key] == name]
            result[name] = sorted(found) if joins else graphs
        return result

    def _field(self, node: Any, type_graphs: list[str]) -> Shape:
        joins = _directives(node, "join__field")
        per_graph = {}
        for args in joins:
            if "graph" in args:
                per_graph[self._graph(args["graph"])] = {
                    key: _field_set(args.get(key))
                    if key in ("requires", "provides")
                    else args.get(key)
                    for key in JOIN_FIELD_ARGUMENTS
                }
        if not joins:
            per_graph = {g: dict.fromkeys(JOIN_FIELD_ARGUMENTS) for g in type_graphs}
        return {
            "type": print_ast(node.type),
            "arguments": {
                a.name.value: (print_ast(a.type), _value_default(a), _marks(a))
                for a in node.arguments or ()
            },
            "graphs": per_graph,
            **_marks(node),
        }


def describe(sdl: str) -> Shape:
    """The structure of a join-spec supergraph SDL."""
    return Describer(sdl).describe()


def public(supergraph: str) -> str:
    """The API schema of ``supergraph``, printed in a canonical order."""
    return print_schema(lexicographic_sort_schema(api_schema(supergraph)))


def authority_sets() -> dict[str, list[SubgraphSdl]]:
    """The citizen graph's authorities, when their packages are installed."""
    try:
        from subgraphs.registry import load_all

        loaded = load_all()
    except ImportError:
        return {}
    return {"authorities": [SubgraphSdl(s.name, None, s.sdl) for s in loaded]}


def planner_sets() -> dict[str, list[SubgraphSdl]]:
    """The subgraphs of the planner's own fixture supergraphs."""
    from tests.resolvers.fixtures.generate import fixtures

    return {
        f"planner-{name}": [
            SubgraphSdl(n, None, s.as_str()) for n, s in schemas.items()
        ]
        for name, schemas in fixtures().items()
    }


SETS = {**composing_sets(), **authority_sets(), **planner_sets()}
REFUSED = {f"{code}-{i}": sdls for i, (code, sdls, _) in enumerate(FAILING)}


@pytest.fixture(scope="module")
def npm_results() -> dict[str, dict[str, dict[str, Any]]]:
    """The npm composers' results for every set of this module."""
    return npm_compose({**SETS, **REFUSED})


@pytest.mark.parametrize("name", sorted(SETS))
def test_npm_composers_describe_the_same_supergraph(
    name: str, npm_results: dict[str, dict[str, dict[str, Any]]]
) -> None:
    ours = compose(SETS[name])
    theirs = npm_results[name]

    assert [e.message for e in ours.errors] == []
    assert theirs["apollo"]["errors"] == []
    assert theirs["guild"]["errors"] == []
    expected = describe(ours.supergraph_or_raise())
    assert describe(theirs["apollo"]["supergraph"]) == expected
    assert describe(theirs["guild"]["supergraph"]) == expected


@pytest.mark.parametrize("name", sorted(SETS))
def test_api_schemas_of_npm_supergraphs_equal_ours(
    name: str, npm_results: dict[str, dict[str, dict[str, Any]]]
) -> None:
    ours = public(compose(SETS[name]).supergraph_or_raise())

    assert public(npm_results[name]["apollo"]["supergraph"]) == ours
    assert public(npm_results[name]["guild"]["supergraph"]) == ours


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_npm_composer_also_refuses(
    name: str, npm_results: dict[str, dict[str, dict[str, Any]]]
) -> None:
    assert not compose(REFUSED[name]).ok
    assert npm_results[name]["apollo"]["errors"]


SECURITY_NAMES = frozenset(
    {"authenticated", "policy", "requiresScopes", "tag", "policy__Policy"}
    | {"requiresScopes__Scope"}
)
"""Definitions Hive Gateway keeps in its public schema for its own auth plugins."""


def without_security(sdl: str) -> str:
    """``sdl`` without the security directives and scalars, sorted and printed."""
    document = parse(sdl)
    kept = tuple(
        d
        for d in document.definitions
        if getattr(getattr(d, "name", None), "value", None) not in SECURITY_NAMES
    )
    schema = build_ast_schema(DocumentNode(definitions=kept))
    return print_schema(lexicographic_sort_schema(schema))


@pytest.fixture(scope="module")
def hive_schemas() -> dict[str, dict[str, Any]]:
    """Our supergraphs loaded by Hive Gateway's supergraph loader."""
    if not (PEERS / "node_modules" / "@graphql-tools" / "federation").is_dir():
        pytest.skip("tests/peers/node_modules is missing; run npm ci there")
    supergraphs = {n: compose(s).supergraph_or_raise() for n, s in SETS.items()}
    completed = subprocess.run(
        [str(NODE), "hive_supergraph.mjs"],
        input=json.dumps(supergraphs),
        capture_output=True,
        text=True,
        cwd=PEERS,
        check=True,
        timeout=120,
    )
    result: dict[str, dict[str, Any]] = json.loads(completed.stdout)
    return result


@pytest.mark.parametrize("name", sorted(SETS))
def test_hive_gateway_loads_our_supergraph_to_the_same_public_schema(
    name: str, hive_schemas: dict[str, dict[str, Any]]
) -> None:
    loaded = hive_schemas[name]

    assert loaded["error"] is None
    expected = public(compose(SETS[name]).supergraph_or_raise())
    assert without_security(loaded["schema"]) == expected


def machinery(supergraph: str) -> set[str]:
    """The schema's links and the definitions of every linked feature, printed."""
    document = parse(supergraph)
    printed = set()
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode):
            printed |= {print_ast(d) for d in definition.directives or ()}
        elif isinstance(definition, DirectiveDefinitionNode) or (
            isinstance(definition, TypeDefinitionNode)
            and "__" in definition.name.value
            and definition.name.value != "join__Graph"
        ):
            printed.add(" ".join(print_ast(definition).split()))
    return printed


def test_join_and_security_definitions_equal_apollos() -> None:
    shop = [
        s._replace(sdl=re.sub(r"federation/v2\.\d+", "federation/v2.8", s.sdl))
        for s in composing_sets()["shop"]
    ]

    apollo = npm_compose({"shop": shop})["shop"]["apollo"]["supergraph"]

    assert machinery(compose(shop).supergraph_or_raise()) == machinery(apollo)
