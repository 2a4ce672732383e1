"""The API schema of a supergraph: no join machinery, no inaccessible elements."""

import pytest
from graphql import GraphQLEnumType, GraphQLObjectType, GraphQLUnionType

from schema.api import api_schema
from schema.errors import SupergraphError

SUPERGRAPH = """
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", as: "hidden", for: SECURITY)
{
  query: Query
}

directive @join__field(graph: join__Graph, requires: join__FieldSet)
  repeatable on FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet)
  repeatable on OBJECT | UNION | ENUM
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import])
  repeatable on SCHEMA
directive @hidden on FIELD_DEFINITION | OBJECT | ENUM_VALUE | ARGUMENT_DEFINITION
directive @lowercase on FIELD

scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
enum join__Graph { A @join__graph(name: "a", url: "http://127.0.0.1:4001") }

type Query @join__type(graph: A) {
  person(id: ID!, debug: Boolean @hidden): Person @join__field(graph: A)
  secret: Secret @hidden
}

type Person @join__type(graph: A, key: "id") {
  id: ID!
  name: String
  internal: String @hidden
  status: Status
}

type Secret @hidden { code: String }

enum Status @join__type(graph: A) { ACTIVE DEAD @hidden }

union Thing @join__type(graph: A) = Person | Secret
"""


def test_machinery_and_hidden_elements_are_gone() -> None:
    schema = api_schema(SUPERGRAPH)

    names = {n for n in schema.type_map if not n.startswith("__")}
    assert names == {"Query", "Person", "Status", "Thing", "ID", "String", "Boolean"}
    person = schema.type_map["Person"]
    assert isinstance(person, GraphQLObjectType)
    assert list(person.fields) == ["id", "name", "status"]
    status = schema.type_map["Status"]
    assert isinstance(status, GraphQLEnumType)
    assert list(status.values) == ["ACTIVE"]
    thing = schema.type_map["Thing"]
    assert isinstance(thing, GraphQLUnionType)
    assert [t.name for t in thing.types] == ["Person"]
    assert schema.query_type is not None
    assert list(schema.query_type.fields["person"].args) == ["id"]


def test_executable_directives_stay_and_feature_directives_go() -> None:
    schema = api_schema(SUPERGRAPH)

    names = {d.name for d in schema.directives}
    assert "lowercase" in names
    assert not names & {"hidden", "link", "join__field", "join__type"}


def test_sdl_that_does_not_parse_is_refused() -> None:
    with pytest.raises(SupergraphError) as raised:
        api_schema("type Query {")

    assert raised.value.code == "SUPERGRAPH_SYNTAX"
    assert str(raised.value) == (
        "The supergraph does not parse: Syntax Error: Expected Name, found <EOF>."
    )


def test_a_visible_field_of_a_hidden_type_is_refused() -> None:
    sdl = SUPERGRAPH.replace("secret: Secret @hidden", "secret: Secret")

    with pytest.raises(
        SupergraphError, match="not a valid schema: Unknown type 'Secret'"
    ):
        api_schema(sdl)
