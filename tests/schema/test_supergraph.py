"""Loading supergraphs: the join model, the API schema and subgraph views."""

from pathlib import Path

import pytest
from graphql import GraphQLObjectType, print_schema

from schema.supergraph import (
    InvalidJoinDirective,
    SupergraphError,
    SupergraphSyntaxError,
    UnsupportedSupergraph,
    load_supergraph,
)

FIXTURES = Path(__file__).parent.parent / "resolvers" / "fixtures"


def sdl_of(name: str, composer: str = "apollo") -> str:
    return (FIXTURES / f"{name}.{composer}.graphql").read_text()


@pytest.mark.parametrize(
    ("name", "composer", "version"),
    [
        ("shop", "apollo", "v0.3"),
        ("shop", "guild", "v0.3"),
        ("media", "apollo", "v0.5"),
        ("media", "guild", "v0.5"),
    ],
)
def test_real_composers_supergraphs_load(
    name: str, composer: str, version: str
) -> None:
    supergraph = load_supergraph(sdl_of(name, composer))

    assert supergraph.join_version == version


def test_join_v0_4_loads() -> None:
    sdl = sdl_of("shop").replace("join/v0.3", "join/v0.4")

    assert load_supergraph(sdl).join_version == "v0.4"


def test_subgraphs_come_with_names_and_urls() -> None:
    supergraph = load_supergraph(sdl_of("shop"))

    assert [(s.name, s.url) for s in supergraph.subgraphs.values()] == [
        ("accounts", "http://subgraphs.invalid/accounts"),
        ("inventory", "http://subgraphs.invalid/inventory"),
        ("products", "http://subgraphs.invalid/products"),
        ("reviews", "http://subgraphs.invalid/reviews"),
    ]


def test_the_join_model_knows_keys_requires_and_external_fields() -> None:
    supergraph = load_supergraph(sdl_of("shop"))

    assert [k.fields for k in supergraph.keys("Product", "products")] == ["upc", "sku"]
    assert supergraph.resolving_graphs("Product", "price") == ("products",)
    assert supergraph.resolving_graphs("Product", "sku") == ("inventory", "products")
    entry = supergraph.field_in_graph("Product", "shippingEstimate", "inventory")
    assert entry is not None
    assert entry.requires is not None
    external = supergraph.field_in_graph("User", "username", "reviews")
    assert external is not None
    assert external.external


def test_resolvable_false_and_override_are_read() -> None:
    supergraph = load_supergraph(sdl_of("media"))

    (studio_key,) = supergraph.keys("Studio", "ratings")
    assert studio_key.fields == "country code"
    assert not studio_key.resolvable
    assert supergraph.resolving_graphs("Film", "director") == ("ratings",)


def test_the_api_schema_has_no_join_link_or_inaccessible_elements() -> None:
    supergraph = load_supergraph(sdl_of("shop", "guild"))
    printed = print_schema(supergraph.api_schema)

    user = supergraph.api_schema.get_type("User")
    assert isinstance(user, GraphQLObjectType)
    assert "secret" not in user.fields
    for hidden in ("join__", "link__", "@link", "@inaccessible", "@join"):
        assert hidden not in printed


def test_a_subgraph_view_has_only_its_part_and_the_entry_points() -> None:
    supergraph = load_supergraph(sdl_of("shop"))

    view = supergraph.subgraph_schema("inventory")

    product = view.get_type("Product")
    query = view.get_type("Query")
    assert isinstance(product, GraphQLObjectType)
    assert isinstance(query, GraphQLObjectType)
    assert list(product.fields) == [
        "sku",
        "price",
        "weight",
        "inStock",
        "shippingEstimate",
    ]
    assert list(query.fields) == ["warehouseName", "_service", "_entities"]
    assert view.get_type("Review") is None


def test_union_members_and_interfaces_follow_the_subgraph() -> None:
    supergraph = load_supergraph(sdl_of("media"))

    ratings = supergraph.subgraph_schema("ratings")
    catalog = supergraph.subgraph_schema("catalog")

    assert ratings.get_type("SearchResult") is None
    assert catalog.get_type("Highlight") is None
    book = ratings.get_type("Book")
    assert isinstance(book, GraphQLObjectType)
    assert [i.name for i in book.interfaces] == ["Media"]


def test_renamed_join_and_inaccessible_imports_load() -> None:
    sdl = (
        sdl_of("shop")
        .replace("join__", "j__")
        .replace(
            '"https://specs.apollo.dev/join/v0.3"',
            '"https://specs.apollo.dev/join/v0.3", as: "j"',
        )
    )
    sdl = sdl.replace("@inaccessible", "@hidden").replace(
        '@link(url: "https://specs.apollo.dev/inaccessible/v0.2"',
        '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", '
        'import: [{name: "@inaccessible", as: "@hidden"}]',
    )

    supergraph = load_supergraph(sdl)

    user = supergraph.api_schema.get_type("User")
    assert isinstance(user, GraphQLObjectType)
    assert "secret" not in user.fields
    assert supergraph.names.join == "j"
    assert supergraph.resolving_graphs("User", "name") == ("accounts",)


@pytest.mark.parametrize(
    ("sdl", "error", "code", "message"),
    [
        ("type Query {", SupergraphSyntaxError, "SUPERGRAPH_SYNTAX", "does not parse"),
        (
            "type Query { a: Int }",
            UnsupportedSupergraph,
            "UNSUPPORTED_SUPERGRAPH",
            "link/v1.0",
        ),
        (
            sdl_of("shop").replace("join/v0.3", "join/v0.2"),
            UnsupportedSupergraph,
            "UNSUPPORTED_SUPERGRAPH",
            "join spec v0.2",
        ),
        (
            sdl_of("shop").replace(
                "@join__type(graph: INVENTORY", "@join__type(graph: NOPE", 1
            ),
            InvalidJoinDirective,
            "INVALID_JOIN_DIRECTIVE",
            "names the graph 'NOPE'",
        ),
        (
            sdl_of("shop").replace('key: "sku"', 'key: "sku {"', 1),
            InvalidJoinDirective,
            "INVALID_JOIN_DIRECTIVE",
            "field set 'sku {'",
        ),
    ],
)
def test_bad_supergraphs_are_refused_with_a_stable_code(
    sdl: str, error: type[SupergraphError], code: str, message: str
) -> None:
    with pytest.raises(error, match=message) as caught:
        load_supergraph(sdl)

    assert caught.value.code == code
    assert str(caught.value).endswith(".")
