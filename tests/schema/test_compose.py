"""Composition: supergraphs that routers read, and errors that say what to fix."""

from functools import cache

import pytest
from graphql import GraphQLObjectType, GraphQLSchema

from schema.api import api_schema
from schema.compose import SubgraphSdl, compose
from schema.errors import CompositionFailed
from tests.schema.sdl_sets import composing_sets

IMPORTS = (
    '"@key", "@shareable", "@external", "@requires", "@provides", "@override", '
    '"@inaccessible"'
)


def sub(name: str, body: str) -> SubgraphSdl:
    """A federation 2.7 subgraph with the usual imports."""
    link = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", '
        f"import: [{IMPORTS}])\n"
    )
    return SubgraphSdl(name, None, link + body)


PRODUCTS = 'type Product @key(fields: "upc") { upc: ID! name: String }\n'
PRODUCTS += "type Query { products: [Product] }"

# (code, subgraphs, the exact sentence); npm composers refuse these too.
FAILING: list[tuple[str, list[SubgraphSdl], str]] = [
    (
        "FIELD_TYPE_MISMATCH",
        [
            sub("a", PRODUCTS.replace("name: String", "price: Int @shareable")),
            sub(
                "b",
                'type Product @key(fields: "upc") '
                "{ upc: ID! price: String @shareable }",
            ),
        ],
        'Field "Product.price" has incompatible types across subgraphs: "Int" in '
        'subgraph "a" but "String" in subgraph "b".',
    ),
    (
        "INVALID_FIELD_SHARING",
        [
            sub("a", PRODUCTS),
            sub("b", 'type Product @key(fields: "upc") { upc: ID! name: String }'),
        ],
        'Field "Product.name" is resolved by subgraphs "a" and "b" but is not marked '
        '@shareable in subgraphs "a" and "b"; mark it @shareable in every subgraph '
        "that resolves it, or keep it in one subgraph only.",
    ),
    (
        "ENTITY_WITHOUT_RESOLVABLE_KEY",
        [
            sub(
                "reviews",
                "type Review { body: String author: User }\n"
                'type User @key(fields: "id", resolvable: false) { id: ID! }\n'
                "type Query { reviews: [Review] }",
            ),
            sub(
                "accounts",
                'type User @key(fields: "id", resolvable: false) '
                "{ id: ID! email: String }\n"
                "type Query { users: [User] }",
            ),
        ],
        'Entity "User" has no resolvable @key in any subgraph, so field "User.email", '
        'which only subgraph "accounts" resolves, cannot be reached from subgraph '
        '"reviews"; make one @key resolvable.',
    ),
    (
        "KEY_FIELDS_MISSING",
        [sub("a", PRODUCTS.replace('@key(fields: "upc")', '@key(fields: "sku")'))],
        'The @key(fields: "sku") of "Product" in subgraph "a" selects "Product.sku", '
        'which subgraph "a" does not define.',
    ),
    (
        "REQUIRES_FIELDS_MISSING",
        [
            sub("a", PRODUCTS.replace("name: String", "weight: Int")),
            sub(
                "b",
                'type Product @key(fields: "upc") { upc: ID! '
                'shipping: Int @requires(fields: "weight") }',
            ),
        ],
        'The @requires(fields: "weight") on "Product.shipping" in subgraph "b" selects '
        '"Product.weight", which subgraph "b" does not define; declare it there with '
        "@external.",
    ),
    (
        "REQUIRES_FIELDS_MISSING_EXTERNAL",
        [
            sub("a", PRODUCTS.replace("name: String", "weight: Int @shareable")),
            sub(
                "b",
                'type Product @key(fields: "upc") { upc: ID! weight: Int @shareable '
                'shipping: Int @requires(fields: "weight") }',
            ),
        ],
        'The @requires(fields: "weight") on "Product.shipping" in subgraph "b" selects '
        '"Product.weight", which is not marked @external in subgraph "b".',
    ),
    (
        "PROVIDES_FIELDS_MISSING",
        [
            sub("a", PRODUCTS),
            sub(
                "b",
                'type Product @key(fields: "upc") { upc: ID! }\n'
                'type Query { top: Product @provides(fields: "title") }',
            ),
        ],
        'The @provides(fields: "title") on "Query.top" in subgraph "b" selects '
        '"Product.title", which subgraph "b" does not define; declare it there with '
        "@external.",
    ),
    (
        "TYPE_KIND_MISMATCH",
        [
            sub("a", "type Money { amount: Int }\ntype Query { price: Money }"),
            sub("b", "input Money { amount: Int }\ntype Query { pay(m: Money): Int }"),
        ],
        'Type "Money" is defined as an object type in subgraph "a" but as an input '
        'type in subgraph "b".',
    ),
    (
        "EXTERNAL_UNUSED",
        [
            sub("a", PRODUCTS),
            sub(
                "b",
                'type Product @key(fields: "upc") { upc: ID! name: String @external }',
            ),
        ],
        'Field "Product.name" is marked @external in subgraph "b" but no @key, '
        "@requires or @provides of that subgraph uses it; remove the field or use it.",
    ),
    (
        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
        [
            sub(
                "a",
                PRODUCTS.replace(
                    "name: String", "name(lang: String!): String @shareable"
                ),
            ),
            sub(
                "b",
                'type Product @key(fields: "upc") { upc: ID! name: String @shareable }',
            ),
        ],
        'Argument "Product.name(lang:)" is required in subgraph "a" but missing from '
        'subgraph "b"; make it optional or add it to every subgraph.',
    ),
    (
        "ENUM_VALUE_MISMATCH",
        [
            sub("a", "enum Unit { KG LB }\ntype Query { weight(unit: Unit): Unit }"),
            sub("b", "enum Unit { KG }\ntype Query { height(unit: Unit): Unit }"),
        ],
        'Enum "Unit" is used both as an input and as an output, so all subgraphs must '
        'define the same values, but "Unit.LB" is defined in subgraph "a" and not in '
        'subgraph "b".',
    ),
    (
        "REFERENCED_INACCESSIBLE",
        [
            sub(
                "a",
                "type Secret @inaccessible { code: String }\n"
                "type Query { secret: Secret }",
            )
        ],
        '"Query.secret" is visible but its type "Secret" is @inaccessible; mark '
        '"Query.secret" @inaccessible too.',
    ),
    (
        "OVERRIDE_FROM_SELF_ERROR",
        [
            sub(
                "a",
                PRODUCTS.replace("name: String", 'name: String @override(from: "a")'),
            )
        ],
        'Field "Product.name" in subgraph "a" overrides itself; @override(from:) must '
        "name another subgraph.",
    ),
    (
        "SATISFIABILITY_ERROR",
        [
            sub(
                "a",
                "type Money @shareable { amount: Int currency: String }\n"
                "type Query { price: Money }",
            ),
            sub(
                "b", "type Money @shareable { amount: Int }\ntype Query { cost: Money }"
            ),
        ],
        'Field "Money.currency" cannot be resolved from subgraph "b": that subgraph '
        'returns "Money" without resolving the field, and "Money" has no @key through '
        "which another subgraph could resolve it.",
    ),
    (
        "INTERFACE_FIELD_NO_IMPLEM",
        [
            sub(
                "a",
                "interface Node { id: ID! }\ntype Thing implements Node { id: ID! }\n"
                "type Query { node: Node }",
            ),
            sub("b", "interface Node { id: ID! label: String }\ntype Query { n: Int }"),
        ],
        'Type "Thing" implements interface "Node" but no subgraph defines field '
        '"Thing.label", which subgraph "b" adds to "Node.label".',
    ),
    (
        "FIELD_ARGUMENT_DEFAULT_MISMATCH",
        [
            sub("a", "type Query { list(first: Int = 5): [Int] @shareable }"),
            sub("b", "type Query { list(first: Int = 10): [Int] @shareable }"),
        ],
        'Argument "Query.list(first:)" has different default values across subgraphs: '
        '5 in subgraph "a", 10 in subgraph "b".',
    ),
]

FAILING += [
    (
        "INVALID_FIELD_SHARING",
        [
            sub("a", "type M @shareable { x: Int }\ntype Query { a: M }"),
            sub(
                "b",
                "type M { x: Int }\nextend type M @shareable { y: Int }\n"
                "type Query { b: M }",
            ),
        ],
        'Field "M.x" is resolved by subgraphs "a" and "b" but is not marked '
        '@shareable in subgraph "b"; mark it @shareable in every subgraph that '
        "resolves it, or keep it in one subgraph only.",
    ),
    (
        "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
        [
            sub(
                "a",
                'interface Media @key(fields: "id") { id: ID! }\n'
                "type Book implements Media { id: ID! }\ntype Query { m: [Media] }",
            )
        ],
        'The @key(fields: "id") of interface "Media" in subgraph "a" is missing on '
        'its implementation "Book"; every implementation needs the interface\'s keys.',
    ),
    (
        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
        [
            sub("a", "input F { a: Int b: Int! }\ntype Query { x(f: F): Int }"),
            sub("b", "input F { a: Int }\ntype Query { y(f: F): Int }"),
        ],
        'Input field "F.b" is required in subgraph "a" but missing from subgraph '
        '"b"; make it optional or add it to every subgraph.',
    ),
    (
        "EXTERNAL_TYPE_MISMATCH",
        [
            sub("a", PRODUCTS.replace("name: String", "weight: Int")),
            sub(
                "b",
                'type Product @key(fields: "upc") { upc: ID! weight: String @external '
                'shipping: Int @requires(fields: "weight") }',
            ),
        ],
        'Field "Product.weight" is declared @external in subgraph "b" with type '
        '"String", which does not match its type "Int" in the subgraphs that resolve '
        "it.",
    ),
    (
        "ONLY_INACCESSIBLE_CHILDREN",
        [sub("a", "type Query { a: Int t: T }\ntype T { x: Int @inaccessible }")],
        'Type "T" is visible but all its fields or values are @inaccessible; make one '
        "of them visible or hide the type.",
    ),
    (
        "PROVIDES_FIELDS_MISSING_EXTERNAL",
        [
            sub(
                "a",
                'type U @key(fields: "id") { id: ID! name: String @shareable }\n'
                "type Query { u: U }",
            ),
            sub(
                "b",
                'type U @key(fields: "id") { id: ID! name: String @shareable }\n'
                'type Query { v: U @provides(fields: "name") }',
            ),
        ],
        'The @provides(fields: "name") on "Query.v" in subgraph "b" selects "U.name", '
        'which is not marked @external in subgraph "b".',
    ),
]

FAILING += [
    (
        "INVALID_GRAPHQL",
        [
            SubgraphSdl(
                "a",
                None,
                'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", '
                'import: ["@shareable"])\n'
                'type P @key(fields: "id") { id: ID! }\ntype Query { p: P }',
            )
        ],
        'Subgraph "a" uses the unknown directive "@key" on "P"; add "@key" to the '
        "import list of its federation @link.",
    ),
]

FAILING += [
    (
        "FIELD_ARGUMENT_TYPE_MISMATCH",
        [
            sub("a", "type Query { x(a: Int): Int @shareable }"),
            sub("b", "type Query { x(a: String): Int @shareable }"),
        ],
        'Argument "Query.x(a:)" has incompatible types across subgraphs: "Int" in '
        'subgraph "a" but "String" in subgraph "b".',
    ),
]

# Refused by us; the npm composers accept them for reasons of their own.
OURS_ONLY: list[tuple[str, list[SubgraphSdl], str]] = [
    (
        "INVALID_LINK",
        [SubgraphSdl("old", None, "type Query { a: Int }")],
        'Subgraph "old" does not link the federation 2 specification; add extend '
        'schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: [...]).',
    ),
    (
        "INVALID_GRAPHQL",
        [sub("broken", "type Query { a: Int")],
        'Subgraph "broken" is not valid GraphQL SDL: Syntax Error: Expected Name, '
        "found <EOF>.",
    ),
    (
        "INVALID_GRAPHQL",
        [sub("a", "type Query { a: Missing }")],
        'Subgraph "a" refers to type "Missing" at "Query.a" but does not define it.',
    ),
    (
        "DUPLICATE_SUBGRAPH_NAME",
        [sub("a", "type Query { a: Int }"), sub("a", "type Query { b: Int }")],
        'The subgraph name "a" is used 2 times; each subgraph needs its own name.',
    ),
    ("NO_SUBGRAPHS", [], "There are no subgraphs to compose."),
    (
        "UNSUPPORTED_FEATURE",
        [
            sub(
                "a",
                "type Query { a: Int }\n"
                'extend schema @federation__composeDirective(name: "@custom")\n'
                "directive @custom on FIELD_DEFINITION",
            )
        ],
        'Subgraph "a" uses "@composeDirective" on "schema", which this composer '
        "does not support yet.",
    ),
]


@pytest.mark.parametrize(
    ("code", "subgraphs", "message"),
    FAILING + OURS_ONLY,
    ids=[f"{case[0]}-{i}" for i, case in enumerate(FAILING + OURS_ONLY)],
)
def test_composition_error_is_a_sentence_with_a_code(
    code: str, subgraphs: list[SubgraphSdl], message: str
) -> None:
    result = compose(subgraphs)

    assert result.supergraph is None
    assert [(e.code, e.message) for e in result.errors] == [(code, message)]


def test_every_error_is_reported_not_just_the_first() -> None:
    subgraphs = [
        sub("a", PRODUCTS.replace("name: String", "name: String price: Int")),
        sub(
            "b",
            'type Product @key(fields: "upc") { upc: ID! name: String price: String }',
        ),
    ]

    result = compose(subgraphs)

    codes = sorted(e.code for e in result.errors)
    assert codes == ["FIELD_TYPE_MISMATCH", "INVALID_FIELD_SHARING"]
    with pytest.raises(CompositionFailed) as raised:
        result.supergraph_or_raise()
    assert raised.value.code == "COMPOSITION_FAILED"
    assert len(raised.value.errors) == 2


def test_errors_name_subgraphs_and_coordinates() -> None:
    code, subgraphs, _ = FAILING[0]

    error = compose(subgraphs).errors[0]

    assert error.subgraphs == ("a", "b")
    assert error.coordinates == ("Product.price",)
    assert error.as_dict()["code"] == code


@pytest.mark.parametrize("name", sorted(composing_sets()))
def test_fixture_sets_compose_into_a_valid_api_schema(name: str) -> None:
    result = compose(composing_sets()[name])

    schema = api_schema(result.supergraph_or_raise())

    assert isinstance(schema, GraphQLSchema)
    assert schema.query_type is not None


@cache
def _shop() -> tuple[str, GraphQLSchema]:
    supergraph = compose(composing_sets()["shop"]).supergraph_or_raise()
    return supergraph, api_schema(supergraph)


def test_supergraph_declares_graphs_and_links() -> None:
    supergraph, _ = _shop()

    assert (
        '@link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)' in supergraph
    )
    assert (
        'PRODUCTS @join__graph(name: "products", url: "http://127.0.0.1:4001/graphql")'
        in supergraph
    )
    assert 'INVENTORY @join__graph(name: "inventory", url: "")' in supergraph


@pytest.mark.parametrize(
    "line",
    [
        '  @join__type(graph: PRODUCTS, key: "sku variation { id }")',
        '  @join__type(graph: REVIEWS, key: "id", resolvable: false)',
        '  shippingEstimate: Int @join__field(graph: REVIEWS, requires: "weight")',
        '  author: User @join__field(graph: REVIEWS, provides: "username")',
        "  weight: Int @join__field(graph: PRODUCTS) "
        "@join__field(graph: REVIEWS, external: true)",
        '  reviewCount: Int @join__field(graph: USERS, override: "reviews")',
        '  @join__implements(graph: REVIEWS, interface: "Node")',
        '  @join__unionMember(graph: PRODUCTS, member: "Category")',
        "  SECRET @inaccessible @join__enumValue(graph: PRODUCTS)",
        "  cost: Int @inaccessible @join__field(graph: PRODUCTS)",
        '  margin: Float @requiresScopes(scopes: [["sales:read"]]) '
        '@policy(policies: [["staff"]]) @join__field(graph: PRODUCTS)',
        "  search(text: String!): [SearchResult!]! @authenticated "
        "@join__field(graph: PRODUCTS)",
        '  oldName: String @deprecated(reason: "Use name.") '
        "@join__field(graph: PRODUCTS)",
        '  title: String! @tag(name: "public")',
        '"""A thing for sale."""',
    ],
)
def test_supergraph_carries_the_join_and_security_directives(line: str) -> None:
    supergraph, _ = _shop()

    assert line in supergraph.splitlines()


def test_api_schema_hides_machinery_and_inaccessible_elements() -> None:
    _, schema = _shop()

    product = schema.type_map["Product"]
    assert isinstance(product, GraphQLObjectType)
    assert "cost" not in product.fields
    assert "margin" in product.fields
    assert not [name for name in schema.type_map if "__" in name and name[:2] != "__"]
    assert [
        d.name for d in schema.directives if d.name in ("join__field", "policy")
    ] == []
    query = schema.query_type
    assert query is not None
    assert set(query.fields) >= {"me", "user", "review"}


def test_root_types_are_renamed_to_query() -> None:
    supergraph, _ = _shop()

    assert "RootQuery" not in supergraph
    assert "  me: User @join__field(graph: USERS)" in supergraph.splitlines()


def test_output_types_merge_to_the_nullable_one() -> None:
    subgraphs = [
        sub("a", "type Query { name: String! @shareable }"),
        sub("b", "type Query { name: String @shareable }"),
    ]

    supergraph = compose(subgraphs).supergraph_or_raise()

    assert (
        '  name: String @join__field(graph: A, type: "String!") '
        '@join__field(graph: B, type: "String")'
    ) in supergraph.splitlines()


def test_optional_arguments_missing_in_a_subgraph_are_dropped() -> None:
    subgraphs = [
        sub("a", "type Query { list(first: Int): [Int] @shareable }"),
        sub("b", "type Query { list: [Int] @shareable }"),
    ]

    supergraph = compose(subgraphs).supergraph_or_raise()

    assert "  list: [Int]" in supergraph.splitlines()


def test_auth_requirements_of_two_subgraphs_all_apply() -> None:
    subgraphs = [
        sub(
            "a",
            "type Query { x: Int @shareable "
            '@federation__policy(policies: [["p"], ["q"]]) }',
        ),
        sub(
            "b",
            'type Query { x: Int @shareable @federation__policy(policies: [["r"]]) }',
        ),
    ]

    supergraph = compose(subgraphs).supergraph_or_raise()

    assert '@policy(policies: [["p", "r"], ["q", "r"]])' in supergraph


def test_every_error_of_one_subgraph_is_reported() -> None:
    subgraph = sub("a", "type Query { a: Missing b: Absent @unknown }")

    result = compose([subgraph])

    assert [e.message for e in result.errors] == [
        'Subgraph "a" refers to type "Missing" at "Query.a" but does not define it.',
        'Subgraph "a" refers to type "Absent" at "Query.b" but does not define it.',
        'Subgraph "a" uses the unknown directive "@unknown" on "Query.b"; define it '
        "with a directive @unknown definition.",
    ]


def test_directive_and_merge_errors_are_reported_together() -> None:
    subgraphs = [
        sub("a", PRODUCTS.replace('@key(fields: "upc")', '@key(fields: "sku") ')),
        sub("b", 'type Product @key(fields: "upc") { upc: String! name: Int }'),
    ]

    result = compose(subgraphs)

    assert [e.code for e in result.errors] == [
        "KEY_FIELDS_MISSING",
        "FIELD_TYPE_MISMATCH",
        "FIELD_TYPE_MISMATCH",
    ]
